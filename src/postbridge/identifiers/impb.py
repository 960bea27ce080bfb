"""USPS Intelligent Mail package barcode (IMpb), postal-standards.md §4.

The Package Identification Code (PIC, "USPS tracking number") is 22 or 26 digits::

    9x  STC  MID  SERIAL  C      9x = channel application identifier, STC = service type code,
                                 MID = 9 digits (AI 92, starts with 9) or 6 digits (AI 93)

The barcode is GS1-128: FNC1 ``420`` + ZIP5 or ZIP+4 (routing), FNC1 + PIC. Scanners return the
concatenation without separators, so splitting it must try both ZIP lengths and keep the split
whose PIC is structurally valid and passes the MOD 10 check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from postbridge.identifiers.errors import IdentifierProblem, InvalidImpb

ROUTING_AI = "420"
PIC_LENGTHS = (22, 26)
ZIP_LENGTHS = (5, 9)
GS1_GROUP_SEPARATOR = "\x1d"  # what scanners emit for an FNC1 that separates fields
_DIGITS = frozenset("0123456789")


class ChannelApplicationId(StrEnum):
    LEGACY = "91"
    COMMERCIAL_MID9 = "92"  # 9-digit mailer id
    COMMERCIAL_MID6 = "93"  # 6-digit mailer id
    USPS_ONLINE = "94"
    USPS_RETAIL = "95"


_CHANNELS = frozenset(channel.value for channel in ChannelApplicationId)


# Serial lengths so that the PIC is 22 digits, or 26 in the long form (Pub 199).
_SERIAL_DIGITS: dict[tuple[int, bool], int] = {(9, False): 7, (9, True): 11, (6, False): 10,
                                               (6, True): 14}  # fmt: skip


def impb_weighted_sum(digits: str) -> int:
    """Σ digit × weight with weights 3, 1, 3, … starting from the rightmost digit."""
    if not digits or not _DIGITS.issuperset(digits):
        raise InvalidImpb(IdentifierProblem.BAD_FORMAT, f"expected digits, got {digits!r}")
    return sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))


def impb_check_digit(digits: str) -> int:
    """USPS MOD 10 check digit over the PIC without its last digit (420+ZIP excluded)."""
    return (10 - impb_weighted_sum(digits) % 10) % 10


@dataclass(frozen=True, slots=True)
class ImpbTrackingNumber:
    digits: str

    @property
    def channel(self) -> ChannelApplicationId:
        return ChannelApplicationId(self.digits[:2])

    @property
    def service_type_code(self) -> str:
        return self.digits[2:5]

    @property
    def mailer_id(self) -> str | None:
        """The MID for commercial channels 92/93; other constructs carry no fixed-width MID."""
        if self.channel is ChannelApplicationId.COMMERCIAL_MID9:
            return self.digits[5:14]
        if self.channel is ChannelApplicationId.COMMERCIAL_MID6:
            return self.digits[5:11]
        return None

    @property
    def serial(self) -> str | None:
        mailer_id = self.mailer_id
        if mailer_id is None:
            return None
        return self.digits[5 + len(mailer_id) : -1]

    @property
    def check_digit(self) -> int:
        return int(self.digits[-1])

    @property
    def grouped(self) -> str:
        """Human-readable form under the "USPS TRACKING #" banner: groups of four digits."""
        return " ".join(self.digits[i : i + 4] for i in range(0, len(self.digits), 4))

    def __str__(self) -> str:
        return self.digits


@dataclass(frozen=True, slots=True)
class ImpbBarcode:
    routing_zip: str | None
    tracking_number: ImpbTrackingNumber

    @property
    def data(self) -> str:
        """Concatenated digits as a scanner returns them: ``420`` + ZIP + PIC."""
        return "".join(self.fnc1_fields())

    def fnc1_fields(self) -> tuple[str, ...]:
        """GS1 element strings, each to be preceded by FNC1 in the barcode."""
        if self.routing_zip is None:
            return (self.tracking_number.digits,)
        return (f"{ROUTING_AI}{self.routing_zip}", self.tracking_number.digits)

    @property
    def element_string(self) -> str:
        """GS1 notation with AIs in brackets: ``(420)12345(93)02234567890123456788``."""
        pic = self.tracking_number.digits
        routing = "" if self.routing_zip is None else f"({ROUTING_AI}){self.routing_zip}"
        return f"{routing}({pic[:2]}){pic[2:]}"


def build_impb_tracking_number(
    *, service_type_code: str, mailer_id: str, serial: int, long_form: bool = False
) -> ImpbTrackingNumber:
    """Build a commercial PIC: channel 92 for a 9-digit MID, 93 for a 6-digit MID."""
    if len(service_type_code) != 3 or not _DIGITS.issuperset(service_type_code):
        raise InvalidImpb(
            IdentifierProblem.BAD_FORMAT,
            f"service type code must be 3 digits, got {service_type_code!r}",
        )
    if len(mailer_id) not in (6, 9) or not _DIGITS.issuperset(mailer_id):
        raise InvalidImpb(
            IdentifierProblem.BAD_MAILER_ID,
            f"mailer id must be 6 or 9 digits, got {mailer_id!r}",
        )
    if len(mailer_id) == 9 and not mailer_id.startswith("9"):
        raise InvalidImpb(
            IdentifierProblem.BAD_MAILER_ID, f"a 9-digit mailer id starts with 9: {mailer_id}"
        )
    serial_digits = _SERIAL_DIGITS[(len(mailer_id), long_form)]
    if not 0 <= serial < 10**serial_digits:
        raise InvalidImpb(
            IdentifierProblem.BAD_SERIAL,
            f"serial must fit in {serial_digits} digits for a {len(mailer_id)}-digit mailer id,"
            f" got {serial}",
        )
    channel = "92" if len(mailer_id) == 9 else "93"
    body = f"{channel}{service_type_code}{mailer_id}{serial:0{serial_digits}d}"
    return ImpbTrackingNumber(f"{body}{impb_check_digit(body)}")


def build_impb_block(
    *, service_type_code: str, mailer_id: str, first_serial: int, count: int
) -> list[str]:
    """The PIC digits of ``count`` consecutive serials from ``first_serial``: what
    ``build_impb_tracking_number`` gives for each, with the inputs checked once and the MOD 10
    sum taken four digits at a time from a table."""
    if count <= 0:
        return []
    first = build_impb_tracking_number(
        service_type_code=service_type_code, mailer_id=mailer_id, serial=first_serial
    ).digits
    build_impb_tracking_number(
        service_type_code=service_type_code, mailer_id=mailer_id, serial=first_serial + count - 1
    )  # the last serial fits too
    serial_digits = _SERIAL_DIGITS[(len(mailer_id), False)]
    prefix = first[: -1 - serial_digits]
    # The body is prefix + serial and its rightmost digit has weight 3; four-digit groups of
    # the serial keep that alignment, so one table serves them all.
    prefix_sum = impb_weighted_sum(prefix + "0" * serial_digits)
    groups = range(0, serial_digits, 4)
    table = _group_sums()
    numbers = []
    for serial in range(first_serial, first_serial + count):
        total = prefix_sum
        for shift in groups:
            total += table[serial // 10**shift % 10_000]
        numbers.append(f"{prefix}{serial:0{serial_digits}d}{(10 - total % 10) % 10}")
    return numbers


@lru_cache(maxsize=1)
def _group_sums() -> list[int]:
    """MOD 10 weighted sum (3, 1, 3, 1 from the right) of every four-digit group."""
    return [impb_weighted_sum(f"{n:04d}") for n in range(10_000)]


def parse_impb_tracking_number(text: str) -> ImpbTrackingNumber:
    """Validate a 22- or 26-digit PIC; spaces are ignored (``9400 1112 0108 …``)."""
    digits = "".join(text.split())
    problem = _pic_problem(digits)
    if problem is not None:
        raise InvalidImpb(*problem)
    return ImpbTrackingNumber(digits)


def normalize_routing_zip(zip_code: str) -> str:
    """``12345``, ``12345-6789`` or ``123456789`` → digits only (5 or 9)."""
    digits = zip_code.strip().replace("-", "").replace(" ", "")
    if len(digits) not in ZIP_LENGTHS or not _DIGITS.issuperset(digits):
        raise InvalidImpb(
            IdentifierProblem.BAD_ROUTING_CODE,
            f"routing ZIP must be ZIP5 or ZIP+4, got {zip_code!r}",
        )
    return digits


def build_impb_barcode(
    routing_zip: str | None, tracking_number: str | ImpbTrackingNumber
) -> ImpbBarcode:
    pic = (
        tracking_number
        if isinstance(tracking_number, ImpbTrackingNumber)
        else parse_impb_tracking_number(tracking_number)
    )
    zip_digits = None if routing_zip is None else normalize_routing_zip(routing_zip)
    return ImpbBarcode(routing_zip=zip_digits, tracking_number=pic)


def parse_impb_barcode(text: str) -> ImpbBarcode:
    """Parse scanned barcode data: ``420``+ZIP+PIC (with or without GS/brackets) or a bare PIC.

    Raises:
        InvalidImpb: wrong length, bad check digit, bad channel, or — rarely, for 34-digit data
            without separators — a string that splits validly both as ZIP5+PIC26 and
            ZIP+4+PIC22 (``AMBIGUOUS_ROUTING``; pass the data with its GS separator instead).
    """
    cleaned = text.strip().removeprefix("]C1")  # AIM symbology identifier of GS1-128
    cleaned = cleaned.replace("(", GS1_GROUP_SEPARATOR).replace(")", "")
    cleaned = "".join(cleaned.split(" ")).strip(GS1_GROUP_SEPARATOR)
    if GS1_GROUP_SEPARATOR in cleaned:
        return _parse_separated(cleaned.split(GS1_GROUP_SEPARATOR))
    if not cleaned.startswith(ROUTING_AI) or len(cleaned) in PIC_LENGTHS:
        return build_impb_barcode(None, parse_impb_tracking_number(cleaned))
    return _split_concatenated(cleaned)


def is_valid_impb(text: str) -> bool:
    """True for a valid PIC or valid barcode data (``420``+ZIP+PIC)."""
    try:
        parse_impb_barcode(text)
    except InvalidImpb:
        return False
    return True


def _parse_separated(fields: list[str]) -> ImpbBarcode:
    parts = [field for field in fields if field]
    if len(parts) == 2 and parts[0].startswith(ROUTING_AI):
        return build_impb_barcode(parts[0][len(ROUTING_AI) :], parts[1])
    if len(parts) == 1:
        return build_impb_barcode(None, parts[0])
    raise InvalidImpb(
        IdentifierProblem.BAD_FORMAT, f"expected (420)ZIP and a PIC, got fields {parts!r}"
    )


def _split_concatenated(data: str) -> ImpbBarcode:
    if not _DIGITS.issuperset(data):
        raise InvalidImpb(IdentifierProblem.BAD_FORMAT, f"IMpb data must be digits: {data!r}")
    valid: list[ImpbBarcode] = []
    problems: list[tuple[IdentifierProblem, str]] = []
    for zip_length in ZIP_LENGTHS:
        pic = data[len(ROUTING_AI) + zip_length :]
        if len(pic) not in PIC_LENGTHS:
            continue
        problem = _pic_problem(pic)
        if problem is None:
            zip_digits = data[len(ROUTING_AI) : len(ROUTING_AI) + zip_length]
            valid.append(ImpbBarcode(zip_digits, ImpbTrackingNumber(pic)))
        else:
            problems.append(problem)
    if len(valid) == 1:
        return valid[0]
    if len(valid) > 1:
        raise InvalidImpb(
            IdentifierProblem.AMBIGUOUS_ROUTING,
            f"{data} splits validly after ZIP5 and after ZIP+4; send it with its separator",
        )
    if not problems:
        raise InvalidImpb(
            IdentifierProblem.WRONG_LENGTH,
            f"IMpb data must be 30, 34 or 38 digits with 420+ZIP, got {len(data)}",
        )
    # Report the most specific failure: a bad check digit beats "not a channel" noise.
    problems.sort(key=lambda p: p[0] is not IdentifierProblem.BAD_CHECK_DIGIT)
    raise InvalidImpb(*problems[0])


def _pic_problem(digits: str) -> tuple[IdentifierProblem, str] | None:
    if len(digits) not in PIC_LENGTHS:
        return (
            IdentifierProblem.WRONG_LENGTH,
            f"USPS tracking number must be 22 or 26 digits, {digits!r} has {len(digits)}",
        )
    if not _DIGITS.issuperset(digits):
        return IdentifierProblem.BAD_FORMAT, f"USPS tracking number must be digits: {digits!r}"
    if digits[:2] not in _CHANNELS:
        return (
            IdentifierProblem.BAD_CHANNEL,
            f"USPS tracking number must start with 91–95, got {digits[:2]!r}",
        )
    if digits.startswith(ChannelApplicationId.COMMERCIAL_MID9) and digits[5] != "9":
        return (
            IdentifierProblem.BAD_MAILER_ID,
            f"channel 92 needs a 9-digit mailer id starting with 9, got {digits[5:14]}",
        )
    expected = impb_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        return (
            IdentifierProblem.BAD_CHECK_DIGIT,
            f"check digit of {digits} is {digits[-1]} but MOD 10 requires {expected}",
        )
    return None
