"""The thin USPS v3 client: OAuth2, label registration, tracking, tracking subscriptions.

Only HTTP: bodies come from ``usps.wire``'s builders and answers go to its parsers. The
client-credentials token is cached until shortly before it expires (``AccessToken.is_fresh``)
and fetched again once when a call answers 401 (USPS revokes tokens before ``expires_in``
when an app's credentials are rotated); a second 401 is terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import orjson

from postbridge.carriers.http import PartnerHttp, rejected
from postbridge.carriers.partners_file import Secret
from postbridge.carriers.usps.wire import (
    LABEL_PATH,
    TOKEN_PATH,
    TRACKING_BATCH_PATH,
    TRACKING_DETAIL_PATH,
    AccessToken,
    LabelReceipt,
    LabelRequest,
    ParsedTracking,
    RawTrackingEvent,
    TrackingLookupError,
    TrackingQuery,
    build_token_request,
    build_tracking_requests,
    encode_body,
    parse_label_metadata,
    parse_token_error,
    parse_token_response,
    parse_tracking_batch,
    parse_tracking_detail,
    parse_tracking_error,
)
from postbridge.errors import PartnerRejected
from postbridge.kit.clock import utc_now

SUBSCRIPTIONS_PATH = "/subscriptions-tracking/v3r2/subscriptions"
# The label answer as one JSON document (labelImage inside) instead of multipart.
LABEL_ACCEPT = "application/vnd.usps.labels+json"


@dataclass(frozen=True, slots=True)
class Subscription:
    subscription_id: str
    status: str


class UspsClient:
    def __init__(
        self,
        http: PartnerHttp,
        *,
        client_id: str,
        client_secret: Secret,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.http = http
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._token: AccessToken | None = None

    def __repr__(self) -> str:
        return f"UspsClient(base_url={self.http.connection.base_url!r})"

    # -- OAuth ---------------------------------------------------------------------------

    def token(self) -> AccessToken:
        token = self._token
        if token is None or not token.is_fresh(self._clock()):
            token = self._token = self._fetch_token()
        return token

    def _fetch_token(self) -> AccessToken:
        body = build_token_request(
            client_id=self._client_id, client_secret=self._client_secret.reveal()
        )
        response = self.http.request(
            "POST", TOKEN_PATH, content=encode_body(body), what="the OAuth token request"
        )
        if response.status_code != 200:
            error = parse_token_error(response.content)
            # The error code only: the description may echo the client id back.
            raise PartnerRejected(
                f"USPS refused the client credentials: {error.get('error', 'invalid_request')}",
                partner=self.http.partner,
                status=response.status_code,
            )
        return parse_token_response(response.content, received_at=self._clock())

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        accept: str = "application/json",
        what: str,
    ) -> httpx.Response:
        content = None if body is None else encode_body(body)
        for fresh_token in (False, True):
            if fresh_token:
                self._token = None  # refused: fetch a new one, once
            headers = {"Authorization": self.token().authorization, "Accept": accept}
            response = self.http.request(
                method, path, content=content, headers=headers, params=params, what=what
            )
            if response.status_code != 401:
                return response
        raise rejected(self.http.partner, response, what=what)

    # -- Labels ----------------------------------------------------------------------------

    def register_label(self, request: LabelRequest) -> LabelReceipt:
        """``POST /labels/v3/label``: USPS allocates the tracking number and prices the label."""
        response = self._call(
            "POST", LABEL_PATH, body=request, accept=LABEL_ACCEPT, what="the label request"
        )
        if response.status_code != 200:
            raise rejected(self.http.partner, response, what="the label request")
        return parse_label_metadata(response.content)

    # -- Tracking --------------------------------------------------------------------------

    def track(self, queries: Iterable[TrackingQuery | str]) -> ParsedTracking:
        """Every number's events, 35 numbers per call (the batch endpoint's limit)."""
        events: list[RawTrackingEvent] = []
        errors: list[TrackingLookupError] = []
        for batch in build_tracking_requests(queries):
            response = self._call(
                "POST", TRACKING_BATCH_PATH, body=batch, what="the tracking batch request"
            )
            if response.status_code not in (200, 207):  # 207: some numbers answered, some not
                raise rejected(self.http.partner, response, what="the tracking batch request")
            parsed = parse_tracking_batch(response.content)
            events.extend(parsed.events)
            errors.extend(parsed.errors)
        return ParsedTracking(tuple(events), tuple(errors))

    def track_one(self, tracking_number: str) -> ParsedTracking:
        path = TRACKING_DETAIL_PATH.format(trackingNumber=tracking_number)
        response = self._call("GET", path, params={"expand": "DETAIL"}, what="the tracking request")
        if response.status_code == 200:
            return parse_tracking_detail(response.content)
        if response.status_code in (400, 404):
            error = parse_tracking_error(
                response.content, tracking_number=tracking_number, status_code=response.status_code
            )
            return ParsedTracking((), (error,))
        raise rejected(self.http.partner, response, what="the tracking request")

    # -- Subscriptions ---------------------------------------------------------------------

    def subscribe(
        self,
        *,
        listener_url: str,
        secret: Secret,
        admin_email: str,
        mailer_id: str | None = None,
        tracking_number: str | None = None,
    ) -> Subscription:
        """A tracking subscription (by mailer id, or one number): USPS posts each event to
        ``listener_url`` with an HMAC-SHA256 of it under ``secret`` (exactly 32 characters)."""
        if (mailer_id is None) == (tracking_number is None):
            raise ValueError("subscribe by a mailer id or by a tracking number, not both")
        if len(secret.reveal()) != 32:
            raise ValueError("USPS subscription secrets are exactly 32 characters")
        filters: dict[str, Any] = {"trackingEventTypes": ["ALL_UPDATES"]}
        if mailer_id is not None:
            filters["MID"] = mailer_id
        else:
            filters["trackingNumber"] = tracking_number
        body = {
            "listenerURL": listener_url,
            "secret": secret.reveal(),
            "adminNotification": [{"email": admin_email}],
            "filterProperties": filters,
        }
        response = self._call(
            "POST", SUBSCRIPTIONS_PATH, body=body, what="the subscription request"
        )
        if response.status_code not in (200, 201):
            raise rejected(self.http.partner, response, what="the subscription request")
        answer = orjson.loads(response.content)
        if not isinstance(answer, dict) or not answer.get("subscriptionId"):
            raise rejected(self.http.partner, response, what="the subscription request")
        return Subscription(str(answer["subscriptionId"]), str(answer.get("status") or "ENABLED"))
