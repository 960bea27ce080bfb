"""The UPU-style exchange's wire (docs/partner-exchange.md), pure: no HTTP, no storage.

- ``build_advance_data``: the ITMATT-like message of one parcel, field by field from its stored
  addresses and customs declaration, with the problems that would make the post reject it
  (checked here first, so a parcel that cannot pass is held without a call). Every post needs
  an S10 item id, a named addressee, and per item of goods an HS code and a value above zero;
  the post's profile adds its own required fields and the fields it wants in Latin script.
- ``parse_item_results``: the answer to ``POST /v1/items``, one result per message in order.
- ``parse_event_page``: ``GET /v1/events``; the post's local time and UTC offset become an
  aware UTC time plus the offset, and the post's own codes become the UPU codes they stand for
  (the profile's ``event_codes``), with the code as sent kept beside.

Item lines carry their totals (quantity times the unit's value and weight), as the CN23's
"net weight" and "value" columns do; the message's ``declared_value`` is their sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NotRequired

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from postbridge.addresses.text import is_latin
from postbridge.carriers.upu.profiles import PostProfile
from postbridge.errors import PartnerError
from postbridge.kit.money import Money

ITEMS_PATH = "/v1/items"
EVENTS_PATH = "/v1/events"
MAX_EVENTS_PER_PAGE = 1000
ADDRESS_FIELDS = ("name", "company", "city", "region", "postal_code", "country", "phone", "email")
DOCUMENTS = "documents"  # the customs category that may declare no items and no value


class UpuPayloadInvalid(PartnerError):
    """A post's answer that is not the exchange's format (not retryable: it would repeat)."""

    code = "upu_payload_invalid"
    title = "The post sent a payload that does not match the exchange format"


# -- Advance data (ITMATT-like) -------------------------------------------------------------


class MoneyJson(TypedDict):
    amount: str
    currency: str


class Party(TypedDict):
    name: str
    company: str
    street_lines: list[str]
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    email: str
    tax_id: NotRequired[str]  # the addressee's, only when the shipment has one


class ItemLine(TypedDict):
    description: str
    hs_code: str
    quantity: int
    value: MoneyJson
    net_weight_g: int
    origin_country: str


class AdvanceDataMessage(TypedDict):
    item_id: str
    dispatch_ref: NotRequired[str]
    posting_date: str
    origin_country: str
    destination_country: str
    mail_category: str
    category: str
    incoterm: str
    gross_weight_g: int
    declared_value: MoneyJson | None
    sender: Party
    addressee: Party
    items: list[ItemLine]


@dataclass(frozen=True, slots=True)
class AdvanceDataSource:
    """What a message is built from: the shipment's columns and its stored documents (the
    address and customs documents of ``shipments.documents``)."""

    item_id: str  # the S10
    posting_date: datetime  # aware; when the parcel was accepted for posting
    origin_country: str
    destination_country: str
    mail_category: str  # "A" priority, "B" non-priority
    incoterm: str
    gross_weight_g: int
    sender: Mapping[str, Any]
    addressee: Mapping[str, Any]
    customs: Mapping[str, Any]
    dispatch_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a post refused (or would refuse) a message, in the exchange's words."""

    code: str
    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class BuiltMessage:
    message: AdvanceDataMessage
    problems: tuple[Reason, ...]  # empty: the post should accept it


def build_advance_data(source: AdvanceDataSource, profile: PostProfile) -> BuiltMessage:
    customs = source.customs
    items = [_item_line(raw) for raw in customs.get("items") or []]
    message: AdvanceDataMessage = {
        "item_id": source.item_id,
        "posting_date": source.posting_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "origin_country": source.origin_country,
        "destination_country": source.destination_country,
        "mail_category": source.mail_category,
        "category": str(customs.get("category") or ""),
        "incoterm": source.incoterm,
        "gross_weight_g": source.gross_weight_g,
        "declared_value": _declared_value(items),
        "sender": _party(source.sender, with_tax_id=False),
        "addressee": _party(source.addressee, with_tax_id=True),
        "items": items,
    }
    if source.dispatch_ref:
        message["dispatch_ref"] = source.dispatch_ref
    return BuiltMessage(message, tuple(_problems(message, profile)))


def _party(address: Mapping[str, Any], *, with_tax_id: bool) -> Party:
    party: Party = {
        "name": str(address.get("name") or ""),
        "company": str(address.get("company") or ""),
        "street_lines": [str(line) for line in address.get("street_lines") or []],
        "city": str(address.get("city") or ""),
        "region": str(address.get("region") or ""),
        "postal_code": str(address.get("postal_code") or ""),
        "country": str(address.get("country") or ""),
        "phone": str(address.get("phone") or ""),
        "email": str(address.get("email") or ""),
    }
    if with_tax_id and address.get("tax_id"):
        party["tax_id"] = str(address["tax_id"])
    return party


def _item_line(raw: Mapping[str, Any]) -> ItemLine:
    quantity = int(raw.get("quantity") or 0)
    unit = raw.get("unit_value") or {}
    value = Money.parse(str(unit.get("amount") or "0"), str(unit.get("currency") or "USD"))
    return {
        "description": str(raw.get("description") or ""),
        "hs_code": str(raw.get("hs_code") or ""),
        "quantity": quantity,
        "value": _money(value.times(quantity)),
        "net_weight_g": int(raw.get("unit_weight_g") or 0) * quantity,
        "origin_country": str(raw.get("origin_country") or ""),
    }


def _money(value: Money) -> MoneyJson:
    return {"amount": value.amount_str(), "currency": value.currency}


def _declared_value(items: Sequence[ItemLine]) -> MoneyJson | None:
    if not items:
        return None
    total: Money | None = None
    for item in items:
        value = Money.parse(item["value"]["amount"], item["value"]["currency"])
        total = value if total is None else total + value
    assert total is not None
    return _money(total)


def _problems(message: AdvanceDataMessage, profile: PostProfile) -> list[Reason]:
    found: list[Reason] = []
    if not message["item_id"]:
        found.append(Reason("item_id_invalid", "item_id", "every item needs its S10 identifier"))
    if not message["addressee"]["name"] and not message["addressee"]["company"]:
        found.append(Reason("addressee_name_missing", "addressee.name", "a name or a company"))
    goods = message["category"] != DOCUMENTS
    if goods and not message["items"]:
        found.append(Reason("items_missing", "items", "at least one item"))
    for index, item in enumerate(message["items"]):
        if goods and not item["hs_code"]:
            found.append(
                Reason("hs_code_missing", f"items[{index}].hs_code", "every item needs an HS code")
            )
        if goods and Money.parse(item["value"]["amount"], item["value"]["currency"]).minor <= 0:
            found.append(
                Reason("value_zero", f"items[{index}].value", "a declared value must be above zero")
            )
    for path in profile.required_fields:
        for where, value in _values_at(message, path):
            if value in ("", None, []):
                message_text = f"{profile.name} requires {path}"
                found.append(Reason(f"{path.rpartition('.')[2]}_missing", where, message_text))
    for path in profile.latin_script_fields:
        for where, value in _values_at(message, path):
            if isinstance(value, str) and not is_latin(value):
                message_text = f"{profile.name} requires {path} in Latin script"
                found.append(Reason(f"{_code_name(path)}_not_latin", where, message_text))
    return found


def _code_name(path: str) -> str:
    """``addressee.name`` -> ``addressee_name``: the reason codes the posts use."""
    return path.replace(".", "_")


def _values_at(message: AdvanceDataMessage, path: str) -> list[tuple[str, Any]]:
    """The values a profile path names: ``addressee.tax_id`` one, ``items.hs_code`` one per
    item line (reported as ``items[2].hs_code``)."""
    head, _, rest = path.partition(".")
    node: Any = dict(message).get(head)
    if isinstance(node, list) and rest:
        return [(f"{head}[{i}].{rest}", line.get(rest)) for i, line in enumerate(node)]
    if isinstance(node, dict) and rest:
        return [(path, node.get(rest))]
    return [(path, node)]


# -- Results -----------------------------------------------------------------------------


class _ReasonJson(TypedDict, total=False):
    code: str
    field: str
    message: str


class _ResultJson(TypedDict):
    item_id: str
    status: str
    reasons: NotRequired[list[_ReasonJson]]


class _ResultsJson(TypedDict):
    results: list[_ResultJson]


_RESULTS: TypeAdapter[_ResultsJson] = TypeAdapter(_ResultsJson)


@dataclass(frozen=True, slots=True)
class ItemResult:
    item_id: str
    accepted: bool
    reasons: tuple[Reason, ...]


def parse_item_results(body: bytes | str, *, sent: Sequence[str]) -> list[ItemResult]:
    """One result per sent item id, in the order sent; anything else is a broken answer."""
    try:
        answer = _RESULTS.validate_json(body)
    except ValidationError as error:
        raise UpuPayloadInvalid(f"advance data results: {_first_problem(error)}") from None
    results = []
    for raw in answer["results"]:
        if raw["status"] not in ("accepted", "rejected"):
            raise UpuPayloadInvalid(f"advance data results: status {raw['status']!r}")
        reasons = tuple(
            Reason(r.get("code") or "rejected", r.get("field") or "", r.get("message") or "")
            for r in raw.get("reasons") or []
        )
        results.append(ItemResult(raw["item_id"], raw["status"] == "accepted", reasons))
    if [result.item_id for result in results] != list(sent):
        raise UpuPayloadInvalid("advance data results do not answer the items sent, in order")
    return results


# -- Events --------------------------------------------------------------------------------


class _OfficeJson(TypedDict, total=False):
    code: str | None
    name: str | None
    country: str | None
    postal_code: str | None


class _EventJson(TypedDict):
    event_id: str
    item_id: str
    event_code: str
    local_time: str
    utc_offset: str
    description: NotRequired[str | None]
    office: NotRequired[_OfficeJson | None]
    reason_code: NotRequired[str | None]


class _EventPageJson(TypedDict):
    events: list[_EventJson]
    next_cursor: NotRequired[str | None]


_EVENT_PAGE: TypeAdapter[_EventPageJson] = TypeAdapter(_EventPageJson)


@dataclass(frozen=True, slots=True)
class UpuEvent:
    event_id: str
    item_id: str
    event_code: str  # the UPU code (the post's own code read through its profile)
    partner_code: str  # the code as the post sent it
    description: str
    occurred_at: datetime  # aware UTC
    utc_offset_minutes: int  # east of UTC, where it happened
    local_time: str  # as sent
    office_code: str | None
    office_name: str | None
    country: str | None
    postal_code: str | None
    reason_code: str | None


@dataclass(frozen=True, slots=True)
class EventPage:
    events: tuple[UpuEvent, ...]
    next_cursor: str | None  # None: nothing new; ask again with the same cursor


def parse_event_page(body: bytes | str, profile: PostProfile) -> EventPage:
    try:
        page = _EVENT_PAGE.validate_json(body)
    except ValidationError as error:
        raise UpuPayloadInvalid(f"event page: {_first_problem(error)}") from None
    events = []
    for index, raw in enumerate(page["events"]):
        offset = parse_utc_offset(raw["utc_offset"], where=f"events[{index}].utc_offset")
        try:
            local = datetime.fromisoformat(raw["local_time"])
        except ValueError:
            raise UpuPayloadInvalid(f"event page: events[{index}].local_time") from None
        if local.tzinfo is not None:
            raise UpuPayloadInvalid(f"event page: events[{index}].local_time carries an offset")
        office = raw.get("office") or {}
        code = raw["event_code"]
        events.append(
            UpuEvent(
                event_id=raw["event_id"],
                item_id=raw["item_id"],
                event_code=profile.event_codes.get(code, code),
                partner_code=code,
                description=raw.get("description") or "",
                occurred_at=(local - timedelta(minutes=offset)).replace(tzinfo=UTC),
                utc_offset_minutes=offset,
                local_time=raw["local_time"],
                office_code=office.get("code"),
                office_name=office.get("name"),
                country=office.get("country"),
                postal_code=office.get("postal_code"),
                reason_code=raw.get("reason_code"),
            )
        )
    return EventPage(tuple(events), page.get("next_cursor"))


def parse_utc_offset(text: str, *, where: str = "utc_offset") -> int:
    """``+08:00`` / ``-03:30`` / ``Z`` as minutes east of UTC."""
    if text in ("Z", "+00:00", "-00:00"):
        return 0
    sign = {"+": 1, "-": -1}.get(text[:1])
    hours, _, minutes = text[1:].partition(":")
    if sign is None or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        raise UpuPayloadInvalid(f"event page: {where} {text!r} is not ±HH:MM")
    total = int(hours) * 60 + int(minutes)
    if total > 14 * 60:
        raise UpuPayloadInvalid(f"event page: {where} {text!r} is beyond ±14:00")
    return sign * total


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"
