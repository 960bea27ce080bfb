"""The partner seam: the registry and its lookups, the USPS adapter's numbers and label block,
posts configured by profile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from postbridge.bootstrap import partner_registry
from postbridge.carriers import Capability, PartnerRegistry
from postbridge.carriers.upu import ProfileError, UpuAdapter, load_profiles, upu_adapters
from postbridge.carriers.usps import BANNER, ImpbScheme, UspsAdapter, UspsSettings
from postbridge.identifiers import build_impb_tracking_number, parse_impb_tracking_number
from postbridge.network import demo_network

USPS_SETTINGS = UspsSettings(mailer_id="901234", service_type_code="001")


def registry_with(profiles_dir: Path | None = None) -> PartnerRegistry:
    posts, default = upu_adapters(load_profiles(profiles_dir))
    return PartnerRegistry([UspsAdapter(USPS_SETTINGS), *posts], default=default)


def write_profile(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.yaml").write_text(text)


def test_every_demo_partner_has_an_adapter_and_only_usps_numbers_parcels() -> None:
    registry = partner_registry(USPS_SETTINGS)
    partners = set(demo_network().partners)

    assert set(registry.partners) == partners
    numbered = {p for p in partners if registry.number_scheme(p) is not None}
    assert numbered == {"USPS"}
    assert registry.supports("USPS", Capability.PARTNER_NUMBERS)
    assert registry.supports("USPS", Capability.LABEL_BLOCK)
    assert not registry.supports("CORREOS", Capability.PARTNER_NUMBERS)
    assert registry.supports("USPS", Capability.TRACKING_PULL)
    assert not registry.supports("USPS", Capability.REGISTRATION)
    # One IMpb scheme per service type code: the default one, and each mail class's.
    assert sorted(registry.number_schemes()) == ["impb:001", "impb:055", "impb:748"]


def test_the_service_type_code_follows_the_products_mail_class() -> None:
    registry = partner_registry(USPS_SETTINGS)
    network = demo_network()
    usps_products = {
        code: product.last_mile_service
        for code, product in network.products.items()
        if product.partner == "USPS"
    }
    codes = {
        code: registry.number_scheme("USPS", service).name  # type: ignore[union-attr]
        for code, service in usps_products.items()
    }
    by_service = {"priority": "impb:055", "ground_advantage": "impb:001", "packet": "impb:748"}
    assert codes == {code: by_service[service] for code, service in usps_products.items()}
    assert set(usps_products.values()) == set(by_service)  # every demo USPS class has a code
    assert registry.number_scheme("USPS", "no_such_service").name == "impb:001"  # type: ignore[union-attr]
    pic = registry.number_scheme("USPS", "priority").numbers(5, 1)[0]  # type: ignore[union-attr]
    assert parse_impb_tracking_number(pic).service_type_code == "055"


def test_settings_override_one_services_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTBRIDGE_USPS_SERVICE_TYPE_CODES", '{"priority": "722"}')

    adapter = UspsAdapter(UspsSettings())

    assert adapter.number_scheme_for("priority").counter == "impb:901234:722"
    assert adapter.number_scheme_for("packet").counter == "impb:901234:748"


def test_a_partner_without_a_profile_is_served_by_the_default_post() -> None:
    registry = partner_registry(USPS_SETTINGS)

    adapter = registry.adapter("AUSPOST")

    assert isinstance(adapter, UpuAdapter)
    assert adapter.partner == "*"
    assert registry.number_scheme("AUSPOST") is None
    assert registry.label_barcode("AUSPOST", "anything", postal_code="2000") is None


def test_the_impb_scheme_issues_valid_pics_under_the_configured_mailer_id() -> None:
    scheme = UspsAdapter(USPS_SETTINGS).number_scheme

    numbers = scheme.numbers(41, 3)

    assert scheme.name == "impb:001"
    assert scheme.counter == "impb:901234:001"  # the counter name stored before the seam
    assert numbers == [
        build_impb_tracking_number(service_type_code="001", mailer_id="901234", serial=s).digits
        for s in (41, 42, 43)
    ]
    assert all(parse_impb_tracking_number(n).mailer_id == "901234" for n in numbers)


def test_another_mailer_id_is_another_counter() -> None:
    other = ImpbScheme(mailer_id="987654321", service_type_code="748")
    assert other.counter == "impb:987654321:748"
    assert other.numbers(1, 1)[0].startswith("92748987654321")


def test_the_usps_label_block_is_the_impb_with_banner_and_grouped_pic() -> None:
    pic = build_impb_tracking_number(service_type_code="001", mailer_id="901234", serial=7).digits

    block = partner_registry(USPS_SETTINGS).label_barcode("USPS", pic, postal_code="78701-1234")

    assert block is not None
    assert block.banner == BANNER == "USPS TRACKING #"
    assert block.gs1_fields == ("420787011234", pic)
    assert block.human_readable == " ".join(pic[i : i + 4] for i in range(0, len(pic), 4))


def test_usps_settings_keep_their_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTBRIDGE_USPS_MAILER_ID", "912345678")
    monkeypatch.setenv("POSTBRIDGE_USPS_SERVICE_TYPE_CODE", "748")

    scheme = UspsAdapter(UspsSettings()).number_scheme

    assert scheme.counter == "impb:912345678:748"


def test_a_new_post_is_one_profile_file(tmp_path: Path) -> None:
    shipped = set(load_profiles())
    assert shipped == {"*", "SINGPOST", "CORREOS", "CORREIOS", "CORREOSCHILE", "CORREOSMX", "4-72"}
    write_profile(tmp_path, "default", 'partner: "*"\nname: Destination post\n')
    write_profile(
        tmp_path,
        "auspost",
        "partner: AUSPOST\nname: Australia Post\ncountry: AU\ncapabilities: [advance_data]\n",
    )

    registry = registry_with(tmp_path)

    adapter = registry.adapter("AUSPOST")
    assert isinstance(adapter, UpuAdapter)
    assert (adapter.profile.name, adapter.profile.country) == ("Australia Post", "AU")
    assert registry.supports("AUSPOST", Capability.ADVANCE_DATA)
    assert not registry.supports("CORREOS", Capability.ADVANCE_DATA)  # not in this folder
    assert registry.number_scheme("AUSPOST") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: No code\n", "partner: expected the network's partner code"),
        ("partner: X\nname: X\ncolour: red\n", "unknown field 'colour'"),
        ("partner: X\nname: X\ncountry: AUS\n", "country: expected an ISO alpha-2 code"),
        ("partner: X\nname: X\ncapabilities: [teleport]\n", "'teleport' is not one of"),
        ("partner: X\nname: X\ncapabilities: [partner_numbers]\n", "not served by profiles"),
    ],
)
def test_a_bad_profile_names_its_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    write_profile(tmp_path, "default", 'partner: "*"\nname: Destination post\n')
    write_profile(tmp_path, "broken", text)

    with pytest.raises(ProfileError, match=message) as raised:
        load_profiles(tmp_path)
    assert str(raised.value).startswith("broken.yaml: ")


def test_profiles_need_a_default_and_one_file_per_post(tmp_path: Path) -> None:
    write_profile(tmp_path, "a", "partner: X\nname: X\n")
    with pytest.raises(ProfileError, match="no default profile"):
        load_profiles(tmp_path)
    write_profile(tmp_path, "b", "partner: X\nname: Y\n")
    write_profile(tmp_path, "default", 'partner: "*"\nname: Destination post\n')
    with pytest.raises(ProfileError, match="partner 'X' has two profiles"):
        load_profiles(tmp_path)


def test_two_adapters_for_one_partner_are_refused() -> None:
    posts, default = upu_adapters()
    with pytest.raises(ValueError, match="two adapters serve partner 'USPS'"):
        PartnerRegistry([UspsAdapter(USPS_SETTINGS), UspsAdapter(USPS_SETTINGS)], default=default)
