"""USPS OAuth 2.0 client-credentials token (``POST /oauth2/v3/token``, oauth2_3.yaml).

The token request is sent form-encoded or as JSON (USPS takes both); the answer is a
ProviderAccessTokenResponse. Tokens live eight hours (``expires_in`` 28799 in USPS's example);
``expires_at`` is counted from when *we* received the answer, not from USPS's ``issued_at``,
so a skewed clock on either side cannot make a dead token look alive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NotRequired, Required

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from postbridge.carriers.usps.wire.errors import UspsPayloadInvalid

TOKEN_PATH = "/oauth2/v3/token"


class ClientCredentials(TypedDict):
    grant_type: str  # "client_credentials"
    client_id: str
    client_secret: str
    scope: NotRequired[str]  # space-separated; USPS uses the app's default scope without it


class AccessTokenResponse(TypedDict, total=False):
    """ProviderAccessTokenResponse (AccessTokenResponse + USPS's additions)."""

    access_token: Required[str]
    token_type: Required[str]  # "Bearer"
    expires_in: Required[int]  # seconds
    scope: str
    issued_at: int  # Unix epoch, milliseconds
    status: str  # "approved" | "revoked"
    issuer: str
    client_id: str
    application_name: str
    api_products: str


class OAuthError(TypedDict, total=False):
    """StandardErrorResponse, sent with 400 and 401."""

    error: str  # invalid_request, invalid_client, invalid_grant, ...
    error_description: str
    error_uri: str


_TOKEN_RESPONSE: TypeAdapter[AccessTokenResponse] = TypeAdapter(AccessTokenResponse)
_ERROR_RESPONSE: TypeAdapter[OAuthError] = TypeAdapter(OAuthError)


@dataclass(frozen=True, slots=True)
class AccessToken:
    access_token: str = field(repr=False)  # a bearer secret: never in logs or reprs
    token_type: str
    expires_at: datetime
    scopes: frozenset[str]

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        return f"Bearer {self.access_token}"

    def is_fresh(self, now: datetime, *, margin: timedelta = timedelta(minutes=5)) -> bool:
        """Usable for a call starting at ``now`` that may take up to ``margin``."""
        return now + margin < self.expires_at


def build_token_request(
    *, client_id: str, client_secret: str, scopes: tuple[str, ...] = ()
) -> ClientCredentials:
    body: ClientCredentials = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }
    if scopes:
        body["scope"] = " ".join(scopes)
    return body


def parse_token_response(body: bytes | str, *, received_at: datetime) -> AccessToken:
    try:
        token = _TOKEN_RESPONSE.validate_json(body)
    except ValidationError as error:
        # The body may hold the token itself: name the fields, never echo their values.
        fields = sorted({".".join(map(str, item["loc"])) for item in error.errors()})
        raise UspsPayloadInvalid(f"token response: bad or missing {', '.join(fields)}") from None
    if token["token_type"].lower() != "bearer":
        raise UspsPayloadInvalid(f"token response: token_type {token['token_type']!r}")
    return AccessToken(
        access_token=token["access_token"],
        token_type="Bearer",
        expires_at=received_at + timedelta(seconds=token["expires_in"]),
        scopes=frozenset(token.get("scope", "").split()),
    )


def parse_token_error(body: bytes | str) -> OAuthError:
    """The 400/401 body; an unparseable one becomes ``invalid_request`` with no description."""
    try:
        return _ERROR_RESPONSE.validate_json(body)
    except ValidationError:
        return {"error": "invalid_request"}
