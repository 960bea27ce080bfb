"""Disruptions applied to a timetable: a cancelled departure is gone, a delayed one moves whole."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from postbridge.network import demo_network
from postbridge.routing import Disruptions, Timetable, disrupted, timetable_at, to_minute

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
LEG = "HKG-HUB>LAX-ISC"
DEPARTS = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def rows(timetable: Timetable, leg_id: str) -> list[tuple[int, int, int, int]]:
    index = [leg.id for leg in timetable.network.legs].index(leg_id)
    positions = np.flatnonzero(timetable.leg == index)
    return [
        (
            int(timetable.dropoff[p]),
            int(timetable.departure[p]),
            int(timetable.arrival[p]),
            int(timetable.ready[p]),
        )
        for p in positions
    ]


def test_no_disruptions_is_the_timetable_itself() -> None:
    timetable = timetable_at(demo_network(), NOW)
    assert disrupted(timetable, Disruptions()) is timetable


def test_a_cancelled_departure_is_removed_and_nothing_else() -> None:
    timetable = timetable_at(demo_network(), NOW)
    cancelled = disrupted(timetable, Disruptions(cancelled=frozenset({(LEG, DEPARTS)})))

    before, after = rows(timetable, LEG), rows(cancelled, LEG)
    (gone,) = [row for row in before if row[1] == to_minute(DEPARTS)]
    assert after == [row for row in before if row != gone]
    assert len(cancelled) == len(timetable) - 1
    assert bool(np.all(np.diff(cancelled.dropoff) >= 0))  # still in scan order
    # Memoised per set of disruptions on the day's timetable.
    assert disrupted(timetable, Disruptions(cancelled=frozenset({(LEG, DEPARTS)}))) is cancelled


def test_a_delayed_departure_moves_its_drop_off_departure_arrival_and_ready_time() -> None:
    timetable = timetable_at(demo_network(), NOW)
    delayed = disrupted(timetable, Disruptions(delays=((LEG, DEPARTS, 150),)))

    before, after = rows(timetable, LEG), rows(delayed, LEG)
    (late,) = [row for row in before if row[1] == to_minute(DEPARTS)]
    assert sorted(after) == sorted(
        [row for row in before if row != late] + [tuple(t + 150 for t in late)]
    )
    assert len(delayed) == len(timetable)
    assert bool(np.all(np.diff(delayed.dropoff) >= 0))


def test_an_unknown_leg_or_time_changes_nothing() -> None:
    timetable = timetable_at(demo_network(), NOW)
    unknown = disrupted(
        timetable,
        Disruptions(cancelled=frozenset({("NOPE>NOPE", DEPARTS), (LEG, NOW)})),
    )
    assert rows(unknown, LEG) == rows(timetable, LEG)
    assert len(unknown) == len(timetable)
