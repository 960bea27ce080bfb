"""Booking-time label checks (labels.fit) and the per-country label address format."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from tests.labels_longest import EXPECTED_LINES, EXPECTED_TAX_ID, LONGEST, SENDER_ZH

from postbridge.addresses import AddressInput, NormalizedAddress, normalize_address
from postbridge.addresses.tax_ids import TaxIdKind
from postbridge.customs import CustomsItemInput, DeclarationInput, validate_declaration
from postbridge.customs.model import CustomsItem, Declaration
from postbridge.errors import ProblemList
from postbridge.kit.money import Money
from postbridge.kit.terms import CustomsCategory
from postbridge.labels.addressing import label_address, printed_tax_id
from postbridge.labels.fit import (
    ENVELOPE,
    check_label,
    check_label_by_layout,
    latin_script_only,
    printed_lines,
    within_envelope,
)
from postbridge.labels.model import CustomsFormType
from postbridge.network.demo import demo_network


def address(data: dict[str, Any], role: str) -> NormalizedAddress:
    problems = ProblemList()
    fields = {**data, "street_lines": tuple(data["street_lines"])}
    found = normalize_address(
        AddressInput(**fields),
        path=role,
        role=role,  # type: ignore[arg-type]
        destination_country=data["country"] if role == "recipient" else None,
        problems=problems,
    )
    assert found is not None, problems.problems
    return found


def declaration(count: int, description: str = "Cotton T-shirt") -> Declaration:
    problems = ProblemList()
    item = CustomsItemInput(
        description=description,
        quantity=1,
        unit_value=Money.parse("9.90", "USD"),
        hs_code="610910",
        origin_country="CN",
        unit_weight_g=100,
    )
    found = validate_declaration(
        DeclarationInput(category="sale_of_goods", items=(item,) * count),
        parcel_weight_g=5_000,
        problems=problems,
    )
    assert found is not None, problems.problems
    return found


SHORT_US = {
    "name": "Jane Doe",
    "street_lines": ["100 Congress Ave"],
    "city": "Austin",
    "region": "TX",
    "postal_code": "78701",
    "country": "US",
}


def check(
    recipient: dict[str, Any], items: int = 1
) -> tuple[CustomsFormType, list[tuple[str, str]]]:
    problems = ProblemList()
    form = check_label(
        sender=address(SENDER_ZH, "sender"),
        recipient=address(recipient, "recipient"),
        declaration=declaration(items),
        form=CustomsFormType.CN22,
        problems=problems,
    )
    return form, [(p.field, p.message) for p in problems.problems]


@pytest.mark.parametrize("country", sorted(LONGEST))
def test_label_format_of_the_longest_address_of_each_destination(country: str) -> None:
    recipient = address(LONGEST[country], "recipient")

    lines = label_address(
        country=country,
        name=recipient.name,
        company=recipient.company,
        street_lines=recipient.street_lines,
        city=recipient.city,
        region=recipient.region,
        postal_code=recipient.postal_code,
    )

    head = [LONGEST[country]["name"], LONGEST[country]["company"]]
    if country == "BR":
        head.reverse()
    assert [line.text for line in lines] == [*head, *EXPECTED_LINES[country]]


def test_lines_name_the_fields_they_print() -> None:
    lines = label_address(
        country="US", name="Jane Doe", street_lines=("1 A St", "Apt 2"), city="Austin",
        region="TX", postal_code="78701",
    )  # fmt: skip

    assert [(line.text, line.fields) for line in lines] == [
        ("Jane Doe", ("name",)),
        ("1 A St", ("street_lines[0]",)),
        ("Apt 2", ("street_lines[1]",)),
        ("AUSTIN, TX 78701", ("city", "region", "postal_code")),
        ("UNITED STATES", ("country",)),
    ]


def test_no_doubled_city_and_no_rep_of_singapore() -> None:
    madrid = label_address(country="ES", name="A", street_lines=("C/ Mayor 1",), city="Madrid",
                           region="M", postal_code="28013")  # fmt: skip
    vigo = label_address(country="ES", name="A", street_lines=("Rúa 1",), city="Vigo",
                         region="PO", postal_code="36201")  # fmt: skip
    bogota = label_address(country="CO", name="A", street_lines=("Cra 7",), city="Bogotá",
                           region="Bogotá", postal_code="110231")  # fmt: skip
    singapore = label_address(country="SG", name="A", street_lines=("10 Anson Rd",),
                              postal_code="079903")  # fmt: skip

    assert [line.text for line in madrid][-2:] == ["28013 MADRID", "SPAIN"]
    assert [line.text for line in vigo][-3:] == ["36201 VIGO", "PONTEVEDRA", "SPAIN"]
    assert [line.text for line in bogota][-2:] == ["BOGOTÁ 110231", "COLOMBIA"]
    assert [line.text for line in singapore][-1] == "SINGAPORE 079903"


def test_tax_ids_print_as_customs_write_them() -> None:
    assert printed_tax_id("CPF", "52998224725") == "CPF 529.982.247-25"
    assert printed_tax_id("CNPJ", "11222333000181") == "CNPJ 11.222.333/0001-81"
    assert printed_tax_id("RUT", "123456785") == "RUT 12.345.678-5"
    assert printed_tax_id("RFC", "LOHM800101AB1") == "RFC LOHM800101AB1"
    assert set(EXPECTED_TAX_ID) == {"BR", "CL", "MX"}


def test_the_longest_addresses_are_accepted() -> None:
    results = {country: check(recipient) for country, recipient in LONGEST.items()}

    # With the tallest partner barcode block these addresses leave no room for a CN22 item
    # table, except Singapore's (its postcode line is also its country line).
    cn23, cn22 = CustomsFormType.CN23, CustomsFormType.CN22
    assert results == {
        "US": (cn23, []), "BR": (cn23, []), "ES": (cn23, []), "SG": (cn22, []),
        "CL": (cn23, []), "MX": (cn23, []), "CO": (cn23, []),
    }  # fmt: skip


def test_a_short_address_keeps_its_cn22_until_the_items_do_not_fit() -> None:
    assert check(SHORT_US, items=4) == (CustomsFormType.CN22, [])
    assert check(SHORT_US, items=8) == (CustomsFormType.CN23, [])


def test_a_line_too_long_for_any_label_is_refused_by_name() -> None:
    recipient = {**LONGEST["US"], "street_lines": [*LONGEST["US"]["street_lines"]]}
    recipient["street_lines"][2] = "Loading Dock 4 " + "Freight Elevator Entrance " * 7
    recipient["street_lines"][3] = "Deliver between 9 AM and 5 PM, Monday to Friday " * 3

    form, problems = check(recipient)

    assert [field for field, _ in problems] == ["recipient.street_lines[2]"]
    assert problems[0][1].startswith("too long to print: the address does not fit")


def test_latin_only_destination_refuses_chinese_fields_by_name() -> None:
    recipient = {**SHORT_US, "name": "王小明", "street_lines": ["100 Congress Ave", "国会大道"]}

    _, problems = check(recipient)

    assert [field for field, _ in problems] == ["recipient.name", "recipient.street_lines[1]"]
    assert problems[0][1] == (
        "expected Latin letters: the US post reads addresses in Latin script only; got '王小明' "
        "(write it as the recipient would in Latin letters)"
    )


def test_which_destinations_read_latin_script_only() -> None:
    assert [c for c in ("US", "BR", "ES", "SG", "CL", "MX", "CO") if latin_script_only(c)] == [
        "US", "BR", "ES", "SG", "CL", "MX", "CO",
    ]  # fmt: skip
    assert not any(latin_script_only(c) for c in ("CN", "JP", "KR", "TW", "HK"))


# ------------------------------------------------ the envelope's shortcut (labels.fit.ENVELOPE)


EMPTY = NormalizedAddress(
    name="", company="x", street_lines=(), city="", region="", postal_code="", country="US",
    phone="", email="", tax_id="", tax_id_kind=None, formatted_lines=(),
)  # fmt: skip


def widest_address(
    country: str, glyph: str, *, tax_id_kind: TaxIdKind | None, role: str = "recipient"
) -> NormalizedAddress:
    """Every field at the envelope's limit, in ``glyph`` (the widest the script prints), with as
    many street lines as the envelope's line count leaves."""
    limits = ENVELOPE
    lines = limits.recipient_lines if role == "recipient" else limits.sender_lines
    fixed = printed_lines(replace(EMPTY, tax_id="x" if tax_id_kind else "", phone="+1"))
    per = 2 if glyph == "中" else 1  # a wide glyph counts two characters
    return NormalizedAddress(
        name=glyph * (limits.name // per),
        company=glyph * (limits.name // per),
        street_lines=(glyph * (limits.name // per),) * (lines - fixed),
        city=glyph * (limits.city // per),
        region=glyph * (limits.region // per),
        postal_code="8" * limits.postal_code,
        country=country,
        phone="+" + "8" * (limits.phone - 1),
        email="",
        tax_id="W" * limits.tax_id if tax_id_kind is not None else "",
        tax_id_kind=tax_id_kind,
        formatted_lines=(),
        phone_extension="8" * limits.phone_extension,
    )


def widest_declaration() -> Declaration:
    item = CustomsItem(
        description="中" * (ENVELOPE.description // 2),  # a wide glyph counts two characters
        quantity=1,
        unit_value=Money("USD", ENVELOPE.value_minor // ENVELOPE.items),
        hs_code="8" * 10,
        origin_country="CN",
        unit_weight_g=100,
    )
    return Declaration(
        category=CustomsCategory.SALE_OF_GOODS, items=(item,) * ENVELOPE.items, currency="USD",
        explanation="",
    )  # fmt: skip


SERVED = sorted(
    {c for product in demo_network().products.values() for c in product.destination_countries}
)


@pytest.mark.parametrize("country", SERVED)
@pytest.mark.parametrize("tax_id_kind", [None, TaxIdKind.CNPJ])
@pytest.mark.parametrize("sender_glyph", ["中", "W"])
def test_the_envelopes_worst_case_fits_a_cn22_label_on_both_pages(
    country: str, tax_id_kind: TaxIdKind | None, sender_glyph: str
) -> None:
    sender = widest_address("CN", sender_glyph, tax_id_kind=None, role="sender")
    recipient = widest_address(country, "W", tax_id_kind=tax_id_kind)
    declaration = widest_declaration()
    problems = ProblemList()

    assert within_envelope(sender, recipient, declaration)
    form = check_label_by_layout(
        sender=sender, recipient=recipient, declaration=declaration,
        form=CustomsFormType.CN22, problems=problems,
    )  # fmt: skip

    assert (form, problems.problems) == (CustomsFormType.CN22, [])


def test_one_character_past_the_envelope_is_laid_out() -> None:
    sender = widest_address("CN", "中", tax_id_kind=None, role="sender")
    recipient = widest_address("US", "W", tax_id_kind=None)
    longer = replace(recipient, city="W" * (ENVELOPE.city + 1))
    assert within_envelope(sender, recipient, widest_declaration())
    assert not within_envelope(sender, longer, widest_declaration())
    assert not within_envelope(
        sender, recipient, replace(widest_declaration(), items=widest_declaration().items * 2)
    )
