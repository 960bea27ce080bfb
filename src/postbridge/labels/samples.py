"""Realistic demonstration labels (Shenzhen merchant → US buyer), for samples, benches and tests.

Identifiers are synthetic but valid: the S10 serials are made up. The partner's barcode block
comes from the partner's adapter (``postbridge.carriers.usps.samples`` adds the IMpb one).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from postbridge.identifiers import format_s10
from postbridge.kit.money import Money
from postbridge.labels.addressing import format_recipient_lines, label_address, printed_tax_id
from postbridge.labels.model import (
    CustomsCategory,
    CustomsDeclaration,
    CustomsFormType,
    CustomsItem,
    LabelData,
    PartnerBarcode,
    Party,
)

SAMPLE_DATE = date(2026, 11, 25)
SAMPLE_SENDER = Party(
    name="李伟 Li Wei",
    company="深圳市华强北电子有限公司",
    lines=("华强北路1002号 赛格广场 21楼", "Futian, Shenzhen 518031", "CHINA"),
    phone="+86 755 8321 0000",
)
SAMPLE_RETURN = Party(
    name="Postbridge Returns Hub",
    company="c/o Shenzhen Bao'an Sorting Centre",
    lines=("8 Hangcheng Avenue, Bao'an", "Shenzhen 518128", "CHINA"),
)
SAMPLE_ITEMS = (
    CustomsItem("Bluetooth earphones", 2, 96, Money.parse("18.40", "USD"), "CN", "851762"),
    CustomsItem("Silicone phone case", 1, 38, Money.parse("3.90", "USD"), "CN", "392690"),
    CustomsItem("USB-C charging cable 1 m", 3, 75, Money.parse("5.70", "USD"), "CN", "854442"),
)


def sample_label(
    *,
    form_type: CustomsFormType = CustomsFormType.CN22,
    category: CustomsCategory = CustomsCategory.SALE_OF_GOODS,
    partner: str = "Destination post",
    partner_barcode: PartnerBarcode | None = None,
    serial: int = 10_047_514,
    items: tuple[CustomsItem, ...] | None = None,
) -> LabelData:
    chosen = SAMPLE_ITEMS if items is None else items
    if category is CustomsCategory.DOCUMENTS:
        chosen = ()
    total = Money.zero("USD")
    for item in chosen:
        total = total + item.value
    recipient = format_recipient_lines(
        country_code="US",
        name="Jane Doe",
        company_name="Acme Gadgets LLC",
        street_address="350 5th Ave Apt 3201",
        city="New York",
        country_area="NY",
        postal_code="10118",
    )
    return LabelData(
        tracking_number=format_s10("LX", serial, "CN"),
        sender=SAMPLE_SENDER,
        return_address=SAMPLE_RETURN,
        recipient_lines=recipient,
        recipient_phone="+1 212 555 0147",
        destination_country="US",
        product_name="Postbridge Standard · ePacket",
        partner=partner,
        office_of_exchange="USJFKA",
        sort_code="JFK-07",
        weight_g=268,
        created_on=SAMPLE_DATE,
        customs=CustomsDeclaration(
            form_type=form_type,
            category=category,
            total_value=total if chosen else Money.zero("USD"),
            declared_on=SAMPLE_DATE,
            signatory="Li Wei",
            items=chosen,
            invoice_number="INV-2026-118204" if form_type is CustomsFormType.CN23 else None,
        ),
        partner_barcode=partner_barcode,
    )


# The longest recipients booking accepts for two destinations (the same as the label tests'),
# laid out as labelling/ lays out a stored address.
LONG_RECIPIENTS: dict[str, dict[str, Any]] = {
    "US": {
        "name": "Jane Alexandra Montgomery-Richardson",
        "company": "Acme Gadgets International Holdings LLC",
        "street_lines": (
            "100 Congress Avenue, Frost Bank Tower East",
            "Suite 1500, Attention Receiving Department",
            "Loading Dock 4, Freight Elevator Entrance",
            "Deliver between 9 AM and 5 PM Monday-Friday",
        ),
        "city": "Austin",
        "region": "TX",
        "postal_code": "78701",
        "phone": "+1 512 555 0100",
    },
    "BR": {
        "name": "Ana Carolina de Souza Albuquerque",
        "company": "Loja Exemplo Comércio Eletrônico Ltda",
        "street_lines": (
            "Avenida Paulista, 1578, Conjunto Nacional",
            "Bloco B, Apartamento 42, Torre Sul, 4º andar",
            "Bela Vista",
            "Referência: em frente à estação Trianon-Masp",
        ),
        "city": "São Paulo",
        "region": "SP",
        "postal_code": "01310-200",
        "phone": "+55 11 91234 5678",
        "tax_id": ("CPF", "52998224725"),
    },
}
LONG_SENDER = Party(
    name="李伟 Li Wei",
    company="深圳市华强北电子有限公司 Huaqiangbei Electronics Co Ltd",
    lines=(
        "华强北路1002号 赛格广场21楼",
        "1002 Huaqiang North Road, SEG Plaza 21F",
        "Shenzhen",
        "GUANGDONG SHENG, 518031",
        "CHINA",
    ),
    phone="+86 755 8321 0000",
)
LONG_OFFICES = {"US": ("USAUSA", "AUS-03", "USPS"), "BR": ("BRSAOD", "GRU-11", "Correios")}


def long_address_label(base: LabelData, country: str) -> LabelData:
    """``base`` sent to the longest ``LONG_RECIPIENTS[country]``, from a sender with a Chinese
    and Latin name, company and street, its province and postcode."""
    recipient = LONG_RECIPIENTS[country]
    lines = label_address(
        country=country,
        name=recipient["name"],
        company=recipient["company"],
        street_lines=recipient["street_lines"],
        city=recipient["city"],
        region=recipient["region"],
        postal_code=recipient["postal_code"],
    )
    tax_id = recipient.get("tax_id")
    office, sort_code, partner = LONG_OFFICES[country]
    return replace(
        base,
        sender=LONG_SENDER,
        return_address=None,
        recipient_lines=tuple(line.text for line in lines),
        recipient_phone=recipient["phone"],
        recipient_tax_id=printed_tax_id(*tax_id) if tax_id else None,
        destination_country=country,
        partner=partner,
        office_of_exchange=office,
        sort_code=sort_code,
    )
