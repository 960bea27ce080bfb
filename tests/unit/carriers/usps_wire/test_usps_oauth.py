"""OAuth 2.0 client-credentials token: the request body and the answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from postbridge.carriers.usps.wire import (
    AccessToken,
    UspsPayloadInvalid,
    build_token_request,
    parse_token_error,
    parse_token_response,
)

RECEIVED_AT = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
# clientCredentialsTokenResponse of oauth2_3.yaml, with a short stand-in for the JWT.
TOKEN_ANSWER = {
    "access_token": "eyJraWQiOiIxMDEwMTAi.payload.signature",
    "token_type": "Bearer",
    "issued_at": 1680888985929,
    "expires_in": 28799,
    "status": "approved",
    "scope": "addresses international-prices subscriptions payments pickup tracking labels",
    "issuer": "api.usps.com",
    "client_id": "hyr7b3vCRtpYtAHM1a8cdUrkyyFmNkbg",
    "application_name": "Silver Shipper Developer",
    "api_products": "[Shipping-Silver]",
}


def test_client_credentials_request() -> None:
    assert build_token_request(
        client_id="123456789", client_secret="A1B2c3d4E5", scopes=("labels", "tracking")
    ) == {
        "grant_type": "client_credentials",
        "client_id": "123456789",
        "client_secret": "A1B2c3d4E5",
        "scope": "labels tracking",
    }
    assert "scope" not in build_token_request(client_id="1", client_secret="2")


def test_token_answer() -> None:
    token = parse_token_response(orjson.dumps(TOKEN_ANSWER), received_at=RECEIVED_AT)

    assert token == AccessToken(
        access_token="eyJraWQiOiIxMDEwMTAi.payload.signature",
        token_type="Bearer",
        expires_at=datetime(2025, 3, 10, 15, 59, 59, tzinfo=UTC),
        scopes=frozenset(TOKEN_ANSWER["scope"].split()),
    )
    assert token.authorization == "Bearer eyJraWQiOiIxMDEwMTAi.payload.signature"


def test_freshness_keeps_a_margin_before_expiry() -> None:
    token = parse_token_response(orjson.dumps(TOKEN_ANSWER), received_at=RECEIVED_AT)

    assert token.is_fresh(token.expires_at - timedelta(minutes=6)) is True
    assert token.is_fresh(token.expires_at - timedelta(minutes=5)) is False


def test_the_token_never_shows_in_a_repr() -> None:
    token = parse_token_response(orjson.dumps(TOKEN_ANSWER), received_at=RECEIVED_AT)

    assert "eyJ" not in repr(token)


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        ({"token_type": "Bearer", "expires_in": 10}, "token response: bad or missing access_token"),
        ({"access_token": "secret-value", "token_type": "Bearer", "expires_in": "soon"}, "token response: bad or missing expires_in"),
        ({"access_token": "secret-value", "token_type": "MAC", "expires_in": 10}, "token response: token_type 'MAC'"),
    ],
)  # fmt: skip
def test_answers_that_are_not_a_token(answer: dict[str, object], detail: str) -> None:
    with pytest.raises(UspsPayloadInvalid) as raised:
        parse_token_response(orjson.dumps(answer), received_at=RECEIVED_AT)

    assert raised.value.detail == detail
    assert raised.value.__cause__ is None  # pydantic's error would echo the secret's value


def test_error_answer() -> None:
    body = b'{"error": "invalid_client", "error_description": "Client authentication failed"}'

    assert parse_token_error(body) == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }
    assert parse_token_error(b"Service Unavailable") == {"error": "invalid_request"}
