"""Allocate S10 tracking numbers from configured serial ranges, and partner numbers (e.g. the
IMpb of a USPS last mile) from named counters through their partner's scheme, without collision.

Allocation runs in its own short transaction (``UPDATE ... RETURNING``), committed before the
booking's own transaction: a booking that later fails leaves a gap, never a reused number.
On PostgreSQL the row lock serialises concurrent allocators; on SQLite the write lock does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from postbridge.carriers import PartnerNumberScheme
from postbridge.errors import Conflict
from postbridge.identifiers.s10 import format_s10_block
from postbridge.kit.clock import utc_now
from postbridge.numbering.models import NumberRange, SerialCounter
from postbridge.storage.unit_of_work import Database

DEFAULT_PARTNER = "*"


@dataclass(frozen=True, slots=True)
class RangeSpec:
    partner: str
    service_indicator: str
    issuer: str
    first_serial: int
    last_serial: int


@dataclass(frozen=True, slots=True)
class NumberingConfig:
    ranges: tuple[RangeSpec, ...]
    service_indicators: dict[str, str]

    def indicator_for(self, service: str) -> str:
        return self.service_indicators.get(service, self.service_indicators["standard"])


@lru_cache(maxsize=1)
def numbering_config() -> NumberingConfig:
    text = resources.files("postbridge.numbering").joinpath("data/number_ranges.yaml").read_text()
    raw: dict[str, Any] = yaml.safe_load(text)
    ranges = tuple(RangeSpec(**r) for r in raw["ranges"])
    return NumberingConfig(ranges=ranges, service_indicators=dict(raw["service_indicators"]))


def sync_ranges(session: Session, config: NumberingConfig | None = None) -> int:
    """Insert configured ranges the database does not know yet; returns how many were added."""
    config = config or numbering_config()
    known = {
        (r.partner, r.service_indicator, r.issuer, r.first_serial)
        for r in session.scalars(select(NumberRange))
    }
    added = 0
    for spec in config.ranges:
        if (spec.partner, spec.service_indicator, spec.issuer, spec.first_serial) in known:
            continue
        session.add(
            NumberRange(
                partner=spec.partner,
                service_indicator=spec.service_indicator,
                issuer=spec.issuer,
                first_serial=spec.first_serial,
                last_serial=spec.last_serial,
                next_serial=spec.first_serial,
            )
        )
        added += 1
    return added


class NumberAllocator:
    def __init__(
        self,
        database: Database,
        *,
        partner_schemes: Mapping[str, PartnerNumberScheme] | None = None,
    ) -> None:
        """``partner_schemes``: the partner number schemes by name (the partner registry's
        ``number_schemes()``); a booking may ask for numbers of these only."""
        self._database = database
        self.partner_schemes = dict(partner_schemes or {})
        self._known_counters: set[str] = set()

    def allocate_partner_numbers(self, scheme: str, count: int = 1) -> list[str]:
        """Partner numbers of one scheme, never issued twice."""
        return self.allocate_many({}, partner={scheme: count})[1][scheme]

    def allocate(self, *, partner: str, service_indicator: str, count: int = 1) -> list[str]:
        """Return ``count`` fresh S10 numbers, consecutive within one range where possible."""
        key = (partner, service_indicator)
        return self.allocate_many({key: count})[0][key]

    def allocate_many(
        self,
        wanted: Mapping[tuple[str, str], int],
        *,
        partner: Mapping[str, int] | None = None,
    ) -> tuple[dict[tuple[str, str], list[str]], dict[str, list[str]]]:
        """S10 numbers per (partner, service indicator) and partner numbers per scheme name, in
        one short transaction: bulk capture numbers a whole chunk with a single commit."""
        schemes = [(self._scheme(name), count) for name, count in (partner or {}).items() if count]
        schemes.sort(key=lambda pair: pair[0].counter)
        for scheme, _ in schemes:
            self._ensure_counter(scheme.counter, start=1)
        issued: dict[tuple[str, str], list[str]] = {}
        with self._database.unit_of_work() as uow:
            session = uow.session
            # Ranges and counters are locked in one order by every allocator (sorted keys, then
            # the counters by name), so two concurrent batches on PostgreSQL cannot deadlock.
            for (s10_partner, indicator), count in sorted(wanted.items()):
                numbers: list[str] = []
                while len(numbers) < count:
                    numbers.extend(
                        self._take_block(session, s10_partner, indicator, count - len(numbers))
                    )
                issued[(s10_partner, indicator)] = numbers
            partner_numbers: dict[str, list[str]] = {}
            for scheme, count in schemes:
                first = self._take_serials(session, scheme.counter, count)
                partner_numbers[scheme.name] = scheme.numbers(first, count)
            uow.commit()
        return issued, partner_numbers

    def _scheme(self, name: str) -> PartnerNumberScheme:
        scheme = self.partner_schemes.get(name)
        if scheme is None:
            raise LookupError(
                f"no partner number scheme {name!r}; the allocator knows "
                f"{sorted(self.partner_schemes) or 'none'}"
            )
        return scheme

    def _ensure_counter(self, name: str, *, start: int) -> None:
        """Create the counter row once, in its own transaction (a race with another allocator
        creating it is harmless), so the allocation itself never has to roll back."""
        if name in self._known_counters:
            return
        with self._database.unit_of_work() as uow:
            if uow.session.get(SerialCounter, name) is None:
                uow.session.add(SerialCounter(name=name, next_value=start))
                try:
                    uow.commit()
                except IntegrityError:  # another allocator created it first
                    uow.rollback()
        self._known_counters.add(name)

    @staticmethod
    def _take_serials(session: Session, name: str, count: int) -> int:
        bumped = session.connection().execute(_BUMP_COUNTER, {"counter": name, "count": count})
        return int(bumped.scalar_one()) - count

    def _take_block(self, session: Session, partner: str, indicator: str, wanted: int) -> list[str]:
        # Core statements, compiled once: bulk capture allocates for every chunk, and ORM
        # entity loading cost more than the allocation itself.
        connection = session.connection()
        for candidate_partner in (partner, DEFAULT_PARTNER):
            ranges = connection.execute(
                _OPEN_RANGES, {"partner": candidate_partner, "indicator": indicator}
            ).all()
            for range_id, issuer in ranges:
                # Conditional bump: only succeeds if nobody exhausted the range meanwhile.
                result = connection.execute(
                    _BUMP_RANGE, {"range_id": range_id, "wanted": wanted, "now": utc_now()}
                ).one_or_none()
                if result is None:
                    continue
                end_exclusive, last_serial = result
                start = end_exclusive - wanted
                stop = min(end_exclusive, last_serial + 1)
                return format_s10_block(indicator, start, stop - start, issuer)
        raise Conflict(
            f"no S10 serials left for partner {partner!r} and service indicator {indicator!r}; "
            "an operator must configure a new range",
            code="number_range_exhausted",
        )


_ranges = NumberRange.__table__.c
_OPEN_RANGES = (
    select(_ranges.id, _ranges.issuer)
    .where(
        _ranges.partner == bindparam("partner"),
        _ranges.service_indicator == bindparam("indicator"),
        _ranges.next_serial <= _ranges.last_serial,
    )
    .order_by(_ranges.first_serial)
)
_BUMP_RANGE = (
    update(NumberRange)
    .where(_ranges.id == bindparam("range_id"), _ranges.next_serial <= _ranges.last_serial)
    .values(
        next_serial=_ranges.next_serial + bindparam("wanted"),
        last_issued_at=bindparam("now", type_=_ranges.last_issued_at.type),
    )
    .returning(_ranges.next_serial, _ranges.last_serial)
)
_counters = SerialCounter.__table__.c
_BUMP_COUNTER = (
    update(SerialCounter)
    .where(_counters.name == bindparam("counter"))
    .values(next_value=_counters.next_value + bindparam("count"))
    .returning(_counters.next_value)
)
