"""Adding a post (Correo Argentino) is one profile file and its partner code in the network:
the registry serves it, the shipped partners file reaches it, its rules shape the advance data
and its own event codes are read, with no code changed."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson

from postbridge.carriers import Capability, PartnerRegistry
from postbridge.carriers.clients import PartnerClients
from postbridge.carriers.partners_file import load_partners_file
from postbridge.carriers.upu import load_profiles, upu_adapters
from postbridge.carriers.upu.profiles import shipped_profiles
from postbridge.carriers.upu.wire import Reason, build_advance_data
from postbridge.network import demo as network_demo
from postbridge.network import load_network

from .test_upu_wire import ADDRESSEE, source

CORREO_ARGENTINO = """\
partner: CORREOARG
name: Correo Argentino
country: AR
capabilities: [advance_data, tracking_pull]
source: AFIP courier and postal import rules (the buyer's CUIT, CUIL or DNI)
advance_data:
  required: [addressee.postal_code, addressee.tax_id]
  latin_script: [addressee.name]
event_codes:
  ARDEP: EMD
"""


def test_correo_argentino_is_one_profile_file(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    for entry in shipped_profiles().iterdir():
        if entry.name.endswith(".yaml"):
            (folder / entry.name).write_text(entry.read_text("utf-8"))
    (folder / "correoarg.yaml").write_text(CORREO_ARGENTINO)
    profiles = load_profiles(folder)
    posts, default_post = upu_adapters(profiles)
    registry = PartnerRegistry(posts, default=default_post)

    assert registry.supports("CORREOARG", Capability.ADVANCE_DATA)
    assert registry.supports("CORREOARG", Capability.TRACKING_PULL)
    assert registry.number_scheme("CORREOARG") is None  # the S10 alone

    seen: list[httpx.Request] = []

    def post(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/v1/items"):
            return httpx.Response(
                200, json={"results": [{"item_id": "LX123456785CN", "status": "accepted"}]}
            )
        return httpx.Response(
            200,
            json={"events": [{"event_id": "e1", "item_id": "LX123456785CN",
                              "event_code": "ARDEP", "local_time": "2026-12-05T10:00:00",
                              "utc_offset": "-03:00"}], "next_cursor": "e1"},
        )  # fmt: skip

    clients = PartnerClients(
        load_partners_file(environ={}), profiles, transport=httpx.MockTransport(post)
    )
    exchange = clients.exchange("CORREOARG")

    addressee = {**ADDRESSEE, "country": "AR", "postal_code": "C1002", "tax_id": None}
    held = build_advance_data(
        source(destination_country="AR", addressee=addressee), clients.profile("CORREOARG")
    )
    assert held.problems == (
        Reason("tax_id_missing", "addressee.tax_id", "Correo Argentino requires addressee.tax_id"),
    )
    built = build_advance_data(
        source(destination_country="AR", addressee={**addressee, "tax_id": "20-12345678-6"}),
        clients.profile("CORREOARG"),
    )
    assert built.problems == ()
    [result] = exchange.send_advance_data([built.message])
    page = exchange.pull_events(after=None)

    assert result.accepted is True
    assert [str(r.url) for r in seen] == [
        "http://127.0.0.1:8001/upu/CORREOARG/v1/items",
        "http://127.0.0.1:8001/upu/CORREOARG/v1/events?limit=1000",
    ]
    assert seen[0].headers["Authorization"] == "Bearer sandbox-post-key"
    assert orjson.loads(seen[0].content)["messages"][0]["addressee"]["tax_id"] == "20-12345678-6"
    [event] = page.events
    assert (event.event_code, event.partner_code, event.occurred_at) == (
        "EMD",
        "ARDEP",
        datetime(2026, 12, 5, 13, 0, tzinfo=UTC),
    )


def test_the_network_names_the_partner_with_one_entry(tmp_path: Path) -> None:
    """The network's side: a ``partners`` entry (with its transit table) loads as data."""
    demo = Path(network_demo.__file__).parent
    network_dir = tmp_path / "network"
    shutil.copytree(demo, network_dir, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    network_yaml = network_dir / "network.yaml"
    text = network_yaml.read_text()
    entry = (
        "partners:\n"
        "  - code: CORREOARG\n    name: Correo Argentino\n    country: AR\n"
        "    time_zone: America/Argentina/Buenos_Aires\n    region_scheme: prefix\n"
        '    delivery_weekdays: Mon-Fri\n    handover_cutoff: "13:00"\n    holidays: []\n'
        "    injection_points: [SCL-OE]\n    transit_file: correoarg_transit.csv\n"
    )
    network_yaml.write_text(text.replace("partners:\n", entry, 1))
    (network_dir / "correoarg_transit.csv").write_text(
        "service,injection,region,p50_days,p90_days,time_zone\n"
        "tracked,SCL-OE,*,5,9,America/Argentina/Buenos_Aires\n"
    )

    network = load_network(network_dir)

    assert network.partners["CORREOARG"].name == "Correo Argentino"
