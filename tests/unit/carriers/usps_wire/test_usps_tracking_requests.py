"""Batch tracking requests: at most 35 numbers per call, in the shape of tracking-v3r2.yaml."""

from __future__ import annotations

from datetime import date

import pytest

from postbridge.carriers.usps.wire import (
    MAX_NUMBERS_PER_REQUEST,
    TrackingQuery,
    build_tracking_requests,
    encode_body,
)
from postbridge.errors import InvalidInput
from tests.unit.carriers.usps_wire import openapi_subset


def numbers(count: int) -> list[str]:
    return [f"94001{serial:017d}" for serial in range(count)]


def test_seventy_one_numbers_make_three_calls_in_order() -> None:
    batches = build_tracking_requests(numbers(71))

    assert MAX_NUMBERS_PER_REQUEST == 35
    assert [len(batch) for batch in batches] == [35, 35, 1]
    assert [body["trackingNumber"] for batch in batches for body in batch] == numbers(71)


def test_a_number_asked_twice_is_sent_once_but_a_reused_number_with_a_date_is_kept() -> None:
    reused = TrackingQuery("9400100000000000000017", mailing_date=date(2025, 3, 10))
    batches = build_tracking_requests(
        ["9400100000000000000017", "9400 1000 0000 0000 0000 17", reused, reused]
    )

    assert encode_body(batches[0]) == (
        b'[{"trackingNumber":"9400100000000000000017"},'
        b'{"trackingNumber":"9400100000000000000017","mailingDate":"2025-03-10"}]'
    )


def test_nothing_to_ask_makes_no_call() -> None:
    assert build_tracking_requests([]) == []


def test_destination_zip_is_sent_as_five_digits() -> None:
    query = TrackingQuery("LZ123456785US", destination_zip="73108-1234")

    assert build_tracking_requests([query]) == [
        [{"trackingNumber": "LZ123456785US", "destinationZIPCode": "73108"}]
    ]


@pytest.mark.parametrize("number", ["123", "9" * 35, "9400-1000", "ＬＺ123456785US"])
def test_numbers_usps_cannot_take_are_refused_by_field(number: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        build_tracking_requests([number])

    assert [problem.field for problem in raised.value.problems] == ["tracking_number"]


def test_each_batch_fits_the_openapi_tracking_request() -> None:
    if not openapi_subset.SHARED_OPENAPI.is_dir():
        pytest.skip("../shared/reference/usps-openapi is not beside this clone")
    schemas = openapi_subset.load_schemas("tracking-v3r2.yaml")
    query = TrackingQuery("9400100000000000000017", date(2025, 3, 10), "73108")

    for batch in build_tracking_requests([query, *numbers(40)]):
        assert openapi_subset.problems(batch, schemas["TrackingRequest"], schemas) == []
