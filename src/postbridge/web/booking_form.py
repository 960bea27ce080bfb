"""The New shipment form of the console, as data: its fields, the API booking body they make,
and the way back from a validation problem's field path to the input it is about.

The form's input names ARE the API's field paths (``recipient.postal_code``,
``customs.items[0].unit_value.amount``), so the body is the one ``POST /v1/shipments`` takes and
its problems are checked by the same code: the API's schema (pydantic), then
``booking.validate_or_raise``. Blank rows of a list are left out of the body, so a problem's
list index is renumbered to the row the user typed it in (``FormBody.rows``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from postbridge.addresses import AddressInput, AddressRole, normalize_address
from postbridge.errors import FieldProblem, InvalidInput, ProblemList
from postbridge.kit.countries import UnknownCountry, normalize_country
from postbridge.kit.measures import Dimensions
from postbridge.kit.money import Money, MoneyError, parse_amount
from postbridge.quotes.service import RateRequest
from postbridge.shipments import booking
from postbridge.shipments.schemas import AddressIn, ShipmentCreate
from postbridge.shipments.views import shipment_input

STREET_LINES = 3  # the API takes 4; three boxes cover the addresses the posts print
ITEM_ROWS = 3  # rows shown without JavaScript; blank rows are not sent
CATEGORIES = (
    ("sale_of_goods", "Sale of goods"), ("gift", "Gift"), ("documents", "Documents"),
    ("commercial_sample", "Commercial sample"), ("returned_goods", "Returned goods"),
    ("other", "Other (explain)"),
)  # fmt: skip
INCOTERMS = (("DDU", "DDU: the recipient pays import charges"),
             ("DDP", "DDP: you pay import charges"))  # fmt: skip
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True, slots=True)
class Input:
    """One input of the form: its name (the API field path), label and HTML attributes."""

    name: str
    label: str
    kind: str = "text"
    autocomplete: str = "off"
    required: bool = False
    numeric: bool = False

    @property
    def id(self) -> str:
        return field_id(self.name)


def field_id(name: str) -> str:
    """An HTML id for an input name: ``customs.items[0].hs_code`` -> ``customs-items-0-hs_code``."""
    return re.sub(r"[.\[\]]+", "-", name).strip("-")


def address_inputs(role: str) -> list[Input]:
    where = "shipping" if role == "recipient" else "billing"
    inputs = [
        Input(f"{role}.name", "Name", autocomplete=f"{where} name", required=True),
        Input(f"{role}.company", "Company", autocomplete=f"{where} organization"),
    ]
    for line in range(STREET_LINES):
        inputs.append(
            Input(f"{role}.street_lines[{line}]", f"Street, line {line + 1}",
                  autocomplete=f"{where} address-line{line + 1}", required=line == 0)
        )  # fmt: skip
    inputs += [
        Input(f"{role}.city", "City", autocomplete=f"{where} address-level2", required=True),
        Input(f"{role}.region", "State, province or region", autocomplete=f"{where} address-level1"),
        Input(f"{role}.postal_code", "Postal code", autocomplete=f"{where} postal-code"),
        Input(f"{role}.country", "Country (ISO code, e.g. US)", autocomplete=f"{where} country",
              required=True),
        Input(f"{role}.phone", "Phone", kind="tel", autocomplete=f"{where} tel"),
        Input(f"{role}.email", "E-mail", kind="email", autocomplete=f"{where} email"),
    ]  # fmt: skip
    if role == "recipient":
        inputs.append(Input("recipient.tax_id", "Tax id (where customs asks, e.g. Brazil CPF)"))
    return inputs


REFERENCE_INPUT = Input("reference", "Your order reference", required=True)
PARCEL_INPUTS = [
    Input("parcel.weight_g", "Weight (grams)", numeric=True, required=True),
    Input("parcel.length_mm", "Length (mm)", numeric=True, required=True),
    Input("parcel.width_mm", "Width (mm)", numeric=True, required=True),
    Input("parcel.height_mm", "Height (mm)", numeric=True, required=True),
]


def item_inputs(row: int) -> list[Input]:
    prefix = f"customs.items[{row}]"
    return [
        Input(f"{prefix}.description", "Description", required=row == 0),
        Input(f"{prefix}.hs_code", "HS code"),
        Input(f"{prefix}.quantity", "Quantity", numeric=True, required=row == 0),
        Input(f"{prefix}.unit_value.amount", "Value of one (e.g. 9.90)", required=row == 0),
        Input(f"{prefix}.unit_value.currency", "Currency", required=row == 0),
        Input(f"{prefix}.origin_country", "Made in (country)", required=row == 0),
        Input(f"{prefix}.unit_weight_g", "Weight of one (grams)", numeric=True,
              required=row == 0),
    ]  # fmt: skip


# Inputs that are not text boxes of the lists above, but are fields of the body.
OTHER_FIELDS = ("reference", "incoterm", "service", "customs.category", "customs.explanation")


def form_field_names() -> frozenset[str]:
    names = {*OTHER_FIELDS, *(i.name for i in PARCEL_INPUTS)}
    for role in ("sender", "recipient"):
        names.update(i.name for i in address_inputs(role))
    for row in range(ITEM_ROWS):
        names.update(i.name for i in item_inputs(row))
    return frozenset(names)


FORM_FIELDS = form_field_names()
_ADDRESS_KEYS = ("name", "company", "city", "region", "postal_code", "country", "phone", "email",
                 "tax_id")  # fmt: skip
_ITEM_TEXT = ("description", "hs_code", "origin_country")
_ITEM_NUMBERS = ("quantity", "unit_weight_g")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


@dataclass(frozen=True, slots=True)
class FormBody:
    """The API booking body the form makes, and for each list in it the form rows its entries
    came from (``{"customs.items": (0, 2)}`` when row 1 was left blank)."""

    body: dict[str, Any]
    rows: dict[str, tuple[int, ...]]


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _number(text: str) -> int | str:
    """A whole number as a JSON integer; anything else stays text, which the API's schema
    refuses with its own message ("Input should be a valid integer") on the same field."""
    return int(text) if _INTEGER.fullmatch(text) else text


def _address(form: Mapping[str, str], role: str) -> tuple[dict[str, Any], tuple[int, ...]]:
    address: dict[str, Any] = {}
    for key in _ADDRESS_KEYS:
        value = _text(form, f"{role}.{key}")
        if value:
            address[key] = value
    lines = [(index, _text(form, f"{role}.street_lines[{index}]")) for index in range(STREET_LINES)]
    kept = [(index, line) for index, line in lines if line]
    address["street_lines"] = [line for _, line in kept]
    return address, tuple(index for index, _ in kept)


def _item(form: Mapping[str, str], row: int) -> dict[str, Any] | None:
    prefix = f"customs.items[{row}]"
    item: dict[str, Any] = {}
    for key in _ITEM_TEXT:
        if value := _text(form, f"{prefix}.{key}"):
            item[key] = value
    for key in _ITEM_NUMBERS:
        if value := _text(form, f"{prefix}.{key}"):
            item[key] = _number(value)
    amount = _text(form, f"{prefix}.unit_value.amount")
    # The currency box is filled in advance: a row with nothing else in it is a blank row.
    if row > 0 and not item and not amount:
        return None
    unit_value = {"currency": _text(form, f"{prefix}.unit_value.currency")}
    if amount:
        unit_value["amount"] = amount
    item["unit_value"] = unit_value
    return item


def booking_body(form: Mapping[str, str]) -> FormBody:
    """The ``POST /v1/shipments`` body of a filled-in form (blank optional fields left out)."""
    body: dict[str, Any] = {}
    for name in ("reference", "incoterm", "service"):
        if value := _text(form, name):
            body[name] = value
    rows: dict[str, tuple[int, ...]] = {}
    for role in ("sender", "recipient"):
        body[role], rows[f"{role}.street_lines"] = _address(form, role)
    parcel: dict[str, Any] = {}
    for parcel_input in PARCEL_INPUTS:
        if value := _text(form, parcel_input.name):
            parcel[parcel_input.name.removeprefix("parcel.")] = _number(value)
    body["parcel"] = parcel
    items = [(row, _item(form, row)) for row in range(ITEM_ROWS)]
    kept = [(row, item) for row, item in items if item is not None]
    rows["customs.items"] = tuple(row for row, _ in kept)
    customs: dict[str, Any] = {
        "category": _text(form, "customs.category") or "sale_of_goods",
        "items": [item for _, item in kept],
    }
    if explanation := _text(form, "customs.explanation"):
        customs["explanation"] = explanation
    body["customs"] = customs
    return FormBody(body=body, rows=rows)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as the API names it: ('customs', 'items', 0, 'quantity') ->
    'customs.items[0].quantity' (api.problems does the same for the API's answers)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def form_field_for(path: str, rows: Mapping[str, tuple[int, ...]]) -> str | None:
    """The input a problem's field path is about (the nearest enclosing field the form has),
    or None for a problem of the whole shipment."""
    for prefix, form_rows in rows.items():
        found = re.match(re.escape(prefix) + r"\[(\d+)\]", path)
        if found and int(found[1]) < len(form_rows):
            path = f"{prefix}[{form_rows[int(found[1])]}]" + path[found.end() :]
            break
    if path == "customs.items":
        path = "customs.items[0]"
    if re.fullmatch(r"customs\.items\[\d+\]", path):
        path += ".description"  # a problem of a whole row shows on its first box
    while path:
        for name in (path, f"{path}[0]"):
            if name in FORM_FIELDS:
                return name
        shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
        if shorter == path:
            return None
        path = shorter
    return None


@dataclass
class BookingCheck:
    """What the same validation as the API's booking says of a form."""

    problems: list[FieldProblem] = field(default_factory=list)
    shipment: ShipmentCreate | None = None  # the body as the API's schema read it, when valid
    declared_value: Money | None = None  # of a shipment valid throughout

    @property
    def valid(self) -> bool:
        return self.shipment is not None and not self.problems

    def about(self, prefixes: tuple[str, ...]) -> list[FieldProblem]:
        return [p for p in self.problems if p.field.startswith(prefixes)]


def check_booking(
    body: dict[str, Any], *, deps: booking.BookingDeps, booked_at: datetime
) -> BookingCheck:
    """The API's schema, then the booking's own rules (``validate_or_raise``). When the schema
    refuses the body (a customs row not filled in yet) the addresses it accepts are still
    checked as the booking checks them, so a wrong postal code shows while the user types."""
    try:
        shipment = ShipmentCreate.model_validate(body)
    except ValidationError as exc:
        problems = [
            FieldProblem(field_path(error["loc"]), str(error["msg"]), str(error["type"]))
            for error in exc.errors()
        ]
        return BookingCheck(problems=problems + _address_problems(body, problems))
    try:
        valid = booking.validate_or_raise(shipment_input(shipment), deps=deps, booked_at=booked_at)
    except InvalidInput as exc:
        return BookingCheck(problems=list(exc.problems), shipment=shipment)
    return BookingCheck(shipment=shipment, declared_value=valid.declared_value)


def _address_problems(body: dict[str, Any], found: list[FieldProblem]) -> list[FieldProblem]:
    problems = ProblemList()
    for role, kind in (("sender", AddressRole.SENDER), ("recipient", AddressRole.RECIPIENT)):
        if any(p.field.startswith(role) for p in found):
            continue  # the schema's own message on the address is the one to show
        address = AddressIn.model_validate(body[role])
        normalize_address(
            _address_input(address),
            path=role,
            role=kind,
            destination_country=address.country if role == "recipient" else None,
            problems=problems,
        )
    return problems.problems


def _address_input(address: AddressIn) -> AddressInput:
    # The booking's own translation of an address of its body (shipments.views).
    return AddressInput(
        name=address.name, company=address.company, street_lines=tuple(address.street_lines),
        city=address.city, region=address.region, postal_code=address.postal_code,
        country=address.country, phone=address.phone, email=address.email,
        tax_id=address.tax_id,
    )  # fmt: skip


QUOTE_INPUTS = ("sender.", "recipient.", "parcel.")


def rate_request(body: dict[str, Any], check: BookingCheck) -> RateRequest | None:
    """The rates query of the form (as ``POST /v1/rates`` builds it) once its addresses and
    parcel pass; None before."""
    if check.about(QUOTE_INPUTS):
        return None
    sender, recipient, parcel = body["sender"], body["recipient"], body["parcel"]
    try:
        origin = normalize_country(sender.get("country", ""))
        destination = normalize_country(recipient.get("country", ""))
    except UnknownCountry:
        return None
    sizes = [parcel.get(key) for key in ("weight_g", "length_mm", "width_mm", "height_mm")]
    if not all(isinstance(size, int) for size in sizes):
        return None
    weight, length, width, height = (int(size) for size in sizes)
    return RateRequest(
        origin_country=origin,
        origin_postal_code=sender.get("postal_code", ""),
        destination_country=destination,
        destination_postal_code=recipient.get("postal_code", ""),
        weight_g=weight,
        dimensions=Dimensions(length, width, height),
        declared_value=check.declared_value or _goods_so_far(body),
        incoterm="DDP" if body.get("incoterm") == "DDP" else "DDU",
    )


def _goods_so_far(body: dict[str, Any]) -> Money:
    """The declared value of the rows typed so far (quotes come before customs is complete)."""
    items = body["customs"]["items"]
    currency = (items[0]["unit_value"].get("currency") if items else "") or DEFAULT_CURRENCY
    total = Money.zero(DEFAULT_CURRENCY)
    try:
        total = Money.zero(currency.upper())
        for item in items:
            quantity = item.get("quantity")
            amount = parse_amount(item["unit_value"].get("amount") or "0", currency.upper())
            total = total + amount.times(quantity if isinstance(quantity, int) else 1)
    except (MoneyError, ValueError):
        return total
    return total
