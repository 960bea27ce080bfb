"""The webhook sender against a real receiver on 127.0.0.1: the connection goes to the address
that was checked (a name the system cannot resolve still reaches the receiver through the
resolver's one answer), production refuses non-public answers without connecting, redirects
are not followed, answers are cut at 1 KiB, and a slow receiver times out."""

from __future__ import annotations

from collections.abc import Callable

from postbridge.webhooks.sending import EXCERPT_BYTES, AttemptOutcome, WebhookSender
from tests.webhook_receiver import Receiver

BODY = b'{"id":"evt_1"}'


def sender(
    answers: dict[str, list[str]], *, production: bool = False, timeout: float = 2.0
) -> tuple[WebhookSender, list[str]]:
    asked: list[str] = []

    def resolve(host: str) -> list[str]:
        asked.append(host)
        return answers.get(host, [])

    made = WebhookSender(
        connect_timeout_seconds=1.0, timeout_seconds=timeout, connections_per_destination=2,
        production=production, resolve=resolve,
    )  # fmt: skip
    return made, asked


def post(made: WebhookSender, url: str) -> AttemptOutcome:
    return made.post(url, body=BODY, headers={"webhook-id": "evt_1"})


def test_the_connection_goes_to_the_one_address_resolved_with_the_endpoints_host() -> None:
    with Receiver(keep_alive=True) as receiver:
        made, asked = sender({"hooks.invalid": ["127.0.0.1"]})
        outcome = post(made, f"http://hooks.invalid:{receiver.port}/in?x=1")
        second = post(made, f"http://hooks.invalid:{receiver.port}/in?x=1")
        made.close()
    assert (outcome.succeeded, outcome.status_code, outcome.error) == (True, 200, None)
    assert second.succeeded
    assert asked == ["hooks.invalid", "hooks.invalid"]  # once per attempt, never again after
    first = receiver.received[0]
    assert first.headers["host"] == f"hooks.invalid:{receiver.port}"
    assert (first.headers["webhook-id"], first.headers["content-type"]) == (
        "evt_1",
        "application/json",
    )
    assert first.headers["user-agent"] == "postbridge-webhooks/1"
    assert first.body == BODY.decode()


def test_production_refuses_a_name_with_any_non_public_answer_without_connecting() -> None:
    with Receiver() as receiver:
        answers = {"mixed.example": ["93.184.215.14", "127.0.0.1"], "inner.example": ["10.1.2.3"]}
        made, _asked = sender(answers, production=True)
        mixed = post(made, f"http://mixed.example:{receiver.port}/h")
        inner = post(made, "https://inner.example/h")
        nowhere = post(made, "https://nowhere.example/h")
        literal = post(made, f"http://127.0.0.1:{receiver.port}/h")
    assert mixed == AttemptOutcome.refused(
        "refused: mixed.example resolves to a non-public address (127.0.0.1)"
    )
    assert inner == AttemptOutcome.refused(
        "refused: inner.example resolves to a non-public address (10.1.2.3)"
    )
    assert nowhere == AttemptOutcome.refused("nowhere.example does not resolve")
    assert literal == AttemptOutcome.refused(
        "refused: 127.0.0.1 resolves to a non-public address (127.0.0.1)"
    )
    assert receiver.received == []


def answering(status: int) -> Callable[[int], int]:
    return lambda _n: status


def test_a_redirect_is_not_followed_and_a_long_answer_is_cut_at_1_kib() -> None:
    with Receiver(answering(302), keep_alive=True) as receiver:
        made, _ = sender({"localhost": ["127.0.0.1"]})
        redirected = post(made, f"http://localhost:{receiver.port}/h")
        again = post(made, f"http://localhost:{receiver.port}/h")  # the cut connection was closed
        made.close()
    assert (redirected.succeeded, redirected.status_code) == (False, 302)
    assert redirected.error == "redirect (302) not followed"
    assert redirected.excerpt == ("receiver says no " * 200)[:EXCERPT_BYTES]
    assert (again.status_code, again.excerpt) == (302, redirected.excerpt)
    assert len(receiver.received) == 2


def test_a_slow_receiver_times_out_and_a_closed_port_is_an_error() -> None:
    with Receiver(delay_seconds=1.5) as receiver:
        made, _ = sender({}, timeout=0.3)
        slow = post(made, f"http://127.0.0.1:{receiver.port}/h")
    refused = post(made, f"http://127.0.0.1:{receiver.port}/h")  # the receiver is gone
    made.close()
    assert (slow.succeeded, slow.status_code, slow.error) == (
        False,
        None,
        "timeout (ReadTimeoutError)",
    )
    assert 250 <= slow.latency_ms < 1500
    assert refused.succeeded is False
    assert refused.status_code is None
    assert refused.error is not None
    assert refused.error.startswith("NewConnectionError")
