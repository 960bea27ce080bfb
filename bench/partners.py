"""USPS wire formats, postbridge against the peer (Karrio 2026.1.32), in one run, same fixtures.

Two cases, per call:
  label request   the shared domestic shipment -> the body of POST /labels/v3/label
                  (postbridge: DomesticLabelShipment -> JSON bytes; peer: its unified
                  ShipmentRequest -> USPS JSON dict, its case A1)
  tracking parse  the shared 12-event USPS tracking response, raw JSON -> typed events
                  (postbridge: bytes -> ParsedTracking; peer: text -> [TrackingDetails], B1)

    .venv/bin/python bench/partners.py            # 10,000 timed calls per case and side
    .venv/bin/python bench/partners.py --quick    # 2,000: under a minute
    .venv/bin/python bench/partners.py --json     # one JSON object on stdout

The peer runs ``../shared/bench/karrio_peer.py`` in a venv of its own, ``.bench-venv/karrio``,
which this script creates with pip on its first run (PyPI) and reuses afterwards. postbridge is
timed before and after the peer and the slower of its two runs is reported, so load that comes
and goes during the run counts against us, not for us. Speedups are ratios of medians (p50):
on a shared 2-core machine the mean carries other people's work.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fixture loader lives with the contract tests

from tests.unit.carriers.usps_wire.fixture_shipment import (  # noqa: E402
    FIXTURES,
    fixture_bytes,
    fixture_label_shipment,
)

from postbridge.carriers.usps.wire import (  # noqa: E402
    build_label_request,
    encode_body,
    parse_tracking_detail,
)

PEER_SCRIPT = ROOT.parent / "shared" / "bench" / "karrio_peer.py"
PEER_VENV = ROOT / ".bench-venv" / "karrio"
PEER_PACKAGES = [
    "karrio==2026.1.32",
    "karrio.usps==2026.1.32",
    "karrio.usps-international==2026.1.32",
]
PEER_CASES = {"label_request": "A1 ", "tracking_parse": "B1 "}  # the peer's result names
EVENTS_TOTAL = 12
WARMUP = 200


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def peer_python() -> Path:
    """The peer's interpreter, installing the pinned packages the first time."""
    python = PEER_VENV / "bin" / "python"
    probe = [str(python), "-c", "import karrio.sdk, karrio.providers.usps"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    log(f"installing the peer into {PEER_VENV.relative_to(ROOT)} (once) ...")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *PEER_PACKAGES], check=True)
    return python


def time_calls(call: Callable[[], object], n: int) -> dict[str, float]:
    """Per-call times like the peer's harness: warm-up, then each call on perf_counter."""
    for _ in range(WARMUP):
        call()
    gc.collect()
    samples = []
    clock = time.perf_counter
    for _ in range(n):
        start = clock()
        call()
        samples.append(clock() - start)
    samples.sort()
    return {
        "p50_us": round(samples[n // 2] * 1e6, 2),
        "mean_us": round(statistics.fmean(samples) * 1e6, 2),
        "p99_us": round(samples[int(n * 0.99) - 1] * 1e6, 2),
    }


def run_postbridge(n: int) -> dict[str, dict[str, float]]:
    shipment = fixture_label_shipment()
    tracking = fixture_bytes("usps_tracking_response.json")
    parsed = parse_tracking_detail(tracking)
    if len(parsed.events) != EVENTS_TOTAL or parsed.errors:
        raise SystemExit(f"postbridge parsed {len(parsed.events)} events, {parsed.errors}")
    if build_label_request(shipment)["packageDescription"]["mailClass"] != "USPS_GROUND_ADVANTAGE":
        raise SystemExit("postbridge built an unexpected label request")
    return {
        "label_request": time_calls(lambda: encode_body(build_label_request(shipment)), n),
        "tracking_parse": time_calls(lambda: parse_tracking_detail(tracking), n),
    }


def events_mapped() -> int:
    """Fixture events whose USPS code the tracking code table maps (the USPS adapter's scheme)."""
    from postbridge.carriers.usps.adapter import TRACKING_CODE_SCHEME
    from postbridge.tracking.codes import map_event

    parsed = parse_tracking_detail(fixture_bytes("usps_tracking_response.json"))
    return sum(
        map_event(TRACKING_CODE_SCHEME, event.event_code or "").is_mapped for event in parsed.events
    )


def run_peer(n: int) -> dict[str, dict[str, float]]:
    if not PEER_SCRIPT.exists():
        raise SystemExit(f"the peer's benchmark is not at {PEER_SCRIPT}")
    python = peer_python()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "peer.json"
        command = [str(python), str(PEER_SCRIPT), "--n", str(n), "--json", str(out)]
        env = {**os.environ, "KARRIO_LOG_LEVEL": "WARNING"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the peer's benchmark failed:\n{done.stderr[-3000:]}")
        results = json.loads(out.read_text())["results"]
    figures = {}
    for case, prefix in PEER_CASES.items():
        (row,) = [result for result in results if result["name"].startswith(prefix)]
        figures[case] = {key: row[key] for key in ("p50_us", "mean_us", "p99_us")}
    return figures


def same_fixtures() -> bool:
    """Our copies are the shared files byte for byte (the peer builds its own from the same
    constants its --write-fixtures wrote out)."""
    shared = PEER_SCRIPT.parent.parent / "fixtures" / "usps"
    names = ("usps_tracking_response.json", "shipment_request_domestic.json")
    return all((shared / name).read_bytes() == (FIXTURES / name).read_bytes() for name in names)


def slower(first: dict[str, float], second: dict[str, float]) -> dict[str, float]:
    return first if first["p50_us"] >= second["p50_us"] else second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 calls per case")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--n", type=int, default=None, help="timed calls per case and side")
    args = parser.parse_args()
    n = args.n or (2_000 if args.quick else 10_000)

    load_before = load_average()
    ours_before = run_postbridge(n)
    peer = run_peer(n)
    ours_after = run_postbridge(n)
    load_after = load_average()

    ours = {case: slower(ours_before[case], ours_after[case]) for case in PEER_CASES}
    speedups = {case: round(peer[case]["p50_us"] / ours[case]["p50_us"], 1) for case in PEER_CASES}
    result: dict[str, Any] = {
        "label_request_speedup": speedups["label_request"],
        "tracking_parse_speedup": speedups["tracking_parse"],
        "tracking_events_mapped": events_mapped(),
        "tracking_events_total": EVENTS_TOTAL,
        "postbridge_us": ours,
        "peer_us": peer,
        "peer": PEER_PACKAGES,
        "calls_per_case": n,
        "same_fixtures": same_fixtures(),
        "load_average": [load_before, load_after],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
        return
    print_table(result)


def print_table(result: dict[str, Any]) -> None:
    ours, peer = result["postbridge_us"], result["peer_us"]
    print(f"USPS wire formats, {result['calls_per_case']:,} calls per case and side "
          f"(Python {result['python']}, {result['cpus']} CPUs)")  # fmt: skip
    print(f"{'case':<16}{'postbridge p50':>16}{'mean':>9}{'peer p50':>11}{'mean':>9}{'speedup':>9}")
    for case in PEER_CASES:
        mine, theirs = ours[case], peer[case]
        print(f"{case:<16}{mine['p50_us']:>13.1f} us{mine['mean_us']:>9.1f}"
              f"{theirs['p50_us']:>8.1f} us{theirs['mean_us']:>9.1f}"
              f"{result[case + '_speedup']:>8.1f}x")  # fmt: skip
    print(f"tracking events: {result['tracking_events_total']} parsed, mapped: "
          f"{result['tracking_events_mapped']}; identical fixtures: {result['same_fixtures']}")  # fmt: skip
    print(f"load average before/after: {result['load_average']}")


if __name__ == "__main__":
    main()
