"""File imports on SQLite and PostgreSQL (whole chunks deduplicated in the database, trackers
folded incrementally): the stored events, trackers and unmapped counts are those of the
events recomputed from scratch, whatever the chunking; a replay changes nothing; an import
cut short and run again completes without duplicates; odd text survives COPY; a bad line
names its line and field and keeps the chunks before it; the domain events are recorded."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from postbridge.bootstrap import partner_registry
from postbridge.errors import InvalidInput
from postbridge.storage.unit_of_work import Database
from postbridge.tracking.canonical import parse_items
from postbridge.tracking.imports import import_file
from postbridge.tracking.models import Tracker, TrackingEventRow, UnmappedCode
from postbridge.tracking.normalize import fingerprint
from postbridge.tracking.state import recompute_state
from postbridge.tracking.trackers import track_number
from tests.conftest import make_merchant
from tests.integration.test_tracking_ingest import fresh_s10, item, outbox_types
from tests.tracking_feed import generate_feed, write_jsonl
from tests.unit.tracking.builders import T0

SCHEMES = partner_registry().code_scheme
PARCELS = 300  # 3,150 lines


def feed_of(tmp_path: Path, prefix: str) -> tuple[Path, list[dict[str, Any]], int]:
    items, distinct = generate_feed(parcels=PARCELS, prefix=prefix, seed=7)
    return write_jsonl(tmp_path / f"{prefix}.jsonl", items), items, distinct


def fresh_prefix() -> str:
    return "".join(chr(65 + b % 26) for b in uuid.uuid4().bytes[:2])


def stored(db: Database, prefix: str) -> tuple[set[str], dict[str, tuple[Any, ...]]]:
    with db.unit_of_work() as uow:
        keys = set(
            uow.session.scalars(
                select(TrackingEventRow.fingerprint).where(
                    TrackingEventRow.tracking_number.startswith(prefix)
                )
            )
        )
        trackers = {
            t.tracking_number: (t.status, t.reason, t.action, t.milestone, t.last_event_at,
                                t.delivered_at, t.event_count, t.unmapped_events, t.partner)
            for t in uow.session.scalars(
                select(Tracker).where(Tracker.tracking_number.startswith(prefix))
            )
        }  # fmt: skip
    return keys, trackers


def expected(items: list[dict[str, Any]]) -> tuple[set[str], dict[str, tuple[Any, ...]]]:
    events, problems = parse_items(items, SCHEMES)
    assert problems == []
    by_number = defaultdict(list)
    for e in events:
        by_number[e.tracking_number].append(e)
    states = {}
    for number, history in by_number.items():
        s = recompute_state(history)
        assert s.last_event is not None
        states[number] = (
            s.status.value, s.reason.value if s.reason else None, s.action.value,
            s.milestone.value if s.milestone else None, s.last_event.occurred_at,
            s.delivered_at, s.event_count, s.unmapped_event_count, s.last_event.partner,
        )  # fmt: skip
    return {fingerprint(e) for e in events}, states


@pytest.mark.parametrize("chunk_size", [None, 700])
def test_an_import_stores_what_a_recomputation_gives_and_a_replay_nothing(
    db: Database, tmp_path: Path, chunk_size: int | None
) -> None:
    prefix = fresh_prefix()
    feed, items, distinct = feed_of(tmp_path, prefix)
    counts = import_file(database=db, path=feed, code_schemes=SCHEMES, chunk_size=chunk_size)
    assert (counts.received, counts.accepted, counts.duplicates, counts.unmatched) == (
        len(items), distinct, len(items) - distinct, distinct,
    )  # fmt: skip
    assert counts.unmapped == PARCELS // 97 + 1
    assert stored(db, prefix) == expected(items)
    replay = import_file(database=db, path=feed, code_schemes=SCHEMES, chunk_size=chunk_size)
    assert (replay.received, replay.accepted, replay.duplicates) == (len(items), 0, len(items))
    assert stored(db, prefix) == expected(items)


def test_an_import_cut_short_completes_on_the_rerun(db: Database, tmp_path: Path) -> None:
    prefix = fresh_prefix()
    feed, items, distinct = feed_of(tmp_path, prefix)
    head = tmp_path / "head.jsonl"
    head.write_bytes(b"".join(feed.read_bytes().splitlines(keepends=True)[:1234]))
    unmapped_before = unmapped_count(db)
    first = import_file(database=db, path=head, code_schemes=SCHEMES, chunk_size=500)
    rerun = import_file(database=db, path=feed, code_schemes=SCHEMES, chunk_size=450)
    assert first.accepted + rerun.accepted == distinct
    assert first.unmapped + rerun.unmapped == PARCELS // 97 + 1
    assert stored(db, prefix) == expected(items)
    # The session's database is shared: other feeds count the same code.
    assert unmapped_count(db) - unmapped_before == PARCELS // 97 + 1


def unmapped_count(db: Database) -> int:
    with db.unit_of_work() as uow:
        row = uow.session.get(UnmappedCode, ("chinapost", "ZZX"))
        return 0 if row is None else row.event_count


def test_odd_text_is_stored_as_given(db: Database, tmp_path: Path) -> None:
    number = fresh_s10()
    odd = [
        item(number, "EMA", T0, description="tab\there\nnew line\r\\N back\\slash",
             city="São  Paulo"),
        item(number, "EMB", T0 + timedelta(hours=1), description="已签收 \\t", city="a\\b"),
    ]  # fmt: skip
    feed = tmp_path / "odd.jsonl"
    feed.write_bytes(b"\n".join(orjson.dumps(i) for i in odd) + b"\n\n")
    counts = import_file(database=db, path=feed, code_schemes=SCHEMES)
    assert (counts.received, counts.accepted) == (2, 2)
    with db.unit_of_work() as uow:
        rows = list(
            uow.session.execute(
                select(TrackingEventRow.raw_text, TrackingEventRow.city)
                .where(TrackingEventRow.tracking_number == number)
                .order_by(TrackingEventRow.occurred_at)
            )
        )
    assert [tuple(r) for r in rows] == [
        ("tab\there\nnew line\r\\N back\\slash", "São Paulo"),
        ("已签收 \\t", "a\\b"),
    ]


def test_a_bad_line_is_named_and_the_chunks_before_it_stay(db: Database, tmp_path: Path) -> None:
    number = fresh_s10()
    good = [item(number, code, T0 + timedelta(hours=h)) for h, code in enumerate(["EMA", "EMB"])]
    bad = dict(good[1], code="EMC", occurred_at="2026-05-01 10:00")
    feed = tmp_path / "bad.jsonl"
    feed.write_bytes(b"\n".join(orjson.dumps(i) for i in [*good, bad]) + b"\n")
    with pytest.raises(InvalidInput) as caught:
        import_file(database=db, path=feed, code_schemes=SCHEMES, chunk_size=2)
    assert str(caught.value) == (
        "line 3: occurred_at: expected an ISO 8601 date-time with a UTC offset, e.g. "
        "2026-05-01T08:00:00+08:00"
    )
    assert [p.field for p in caught.value.problems] == ["line 3.occurred_at"]
    with db.unit_of_work() as uow:
        stored_count = len(
            list(
                uow.session.scalars(
                    select(TrackingEventRow.fingerprint).where(
                        TrackingEventRow.tracking_number == number
                    )
                )
            )
        )
    assert stored_count == 2


def test_a_tracked_number_is_announced_per_chunk_that_moves_it(
    db: Database, tmp_path: Path
) -> None:
    number = fresh_s10()
    merchant = make_merchant(db)
    track_number(database=db, merchant_id=merchant.merchant_id, tracking_number=number)
    codes = ["EMA", "EMB", "EMC", "EMD", "EMI", "EMD"]  # a late scan after the delivery
    scans = [item(number, code, T0 + timedelta(hours=h)) for h, code in enumerate(codes)]
    feed = tmp_path / "tracked.jsonl"
    feed.write_bytes(b"\n".join(orjson.dumps(i) for i in scans) + b"\n")
    counts = import_file(database=db, path=feed, code_schemes=SCHEMES, chunk_size=2)
    assert (counts.accepted, counts.unmatched) == (6, 0)
    with db.unit_of_work() as uow:
        tracker = uow.session.scalars(
            select(Tracker).where(Tracker.tracking_number == number)
        ).one()
    assert (tracker.status, tracker.event_count, tracker.delivered_at) == (
        "delivered", 6, T0 + timedelta(hours=4),
    )  # fmt: skip
    assert outbox_types(db, tracker.id) == [
        "tracker.updated", "tracker.updated", "tracker.updated", "tracker.delivered",
    ]  # fmt: skip
