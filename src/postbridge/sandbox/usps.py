"""The sandbox's USPS: OAuth tokens, labels, tracking and tracking subscriptions.

Tokens expire on the sandbox's clock (advance it eight hours and the platform must refresh).
Label numbers are IMpb PICs of the sandbox's own mailer id. Tracking shows the emitted scans
of a number, newest first, as USPS does; subscriptions push each newly emitted scan.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from postbridge.identifiers.impb import build_impb_tracking_number
from postbridge.sandbox import store
from postbridge.sandbox.reality import Reality
from postbridge.sandbox.rendering import USPS_PARTNER, utc_text
from postbridge.sandbox.rules import Rules
from postbridge.sandbox.webhooks import WebhookSender, headers_for, notification_body

MAIL_CLASS_NAME = "USPS Ground Advantage"
# TrackingDetail.statusCategory by the newest event's code (USPS's categories).
STATUS_CATEGORIES = {
    "01": "Delivered", "43": "Delivered", "OF": "Out for Delivery", "02": "Alert",
    "30": "Alert", "55": "Alert", "16": "Available for Pickup", "31": "Alert",
}  # fmt: skip


class UspsSandbox:
    def __init__(
        self, engine: Engine, *, rules: Rules, reality: Reality, sender: WebhookSender
    ) -> None:
        self.engine, self.rules, self.reality, self.sender = engine, rules, reality, sender

    def _now_s(self, connection: Any) -> int:
        return int(connection.execute(select(store.clock.c.now_s)).scalar_one())

    # --- OAuth -------------------------------------------------------------------------------
    def credentials_match(self, client_id: str, client_secret: str) -> bool:
        return secrets.compare_digest(
            client_id.encode(), self.rules.usps_client_id.encode()
        ) & secrets.compare_digest(client_secret.encode(), self.rules.usps_client_secret.encode())

    def issue_token(self, client_id: str, requested: str | None) -> dict[str, Any] | None:
        """A ProviderAccessTokenResponse; None when a requested scope is not the app's."""
        allowed = self.rules.usps.scopes
        scopes = frozenset(requested.split()) if requested else allowed
        if not scopes <= allowed:
            return None
        token = secrets.token_urlsafe(32)
        lifetime = self.rules.usps.token_lifetime_s
        with store.writing(self.engine) as connection:
            now_s = self._now_s(connection)
            connection.execute(
                insert(store.tokens).values(
                    token=token,
                    client_id=client_id,
                    scopes=" ".join(sorted(scopes)),
                    expires_s=now_s + lifetime,
                )
            )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": " ".join(sorted(scopes)),
            "issued_at": now_s * 1000,
            "status": "approved",
            "issuer": "sandbox.api.usps.com",
            "client_id": client_id,
            "application_name": "postbridge sandbox",
            "api_products": "Labels, Tracking, Subscriptions Tracking",
        }

    def token_allows(self, token: str, scope: str) -> bool:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(store.tokens.c.scopes, store.tokens.c.expires_s).where(
                    store.tokens.c.token == token
                )
            ).first()
            now_s = self._now_s(connection)
        return row is not None and row.expires_s > now_s and scope in row.scopes.split()

    # --- labels ------------------------------------------------------------------------------
    def today(self) -> date:
        with self.engine.connect() as connection:
            # USPS's day is Central time; the sandbox keeps UTC's (a few hours' difference).
            return store.from_seconds(self._now_s(connection)).date()

    def create_label(self, request: dict[str, Any]) -> dict[str, Any]:
        """The labelMetadata of a new label (JSON only: no image bytes are drawn)."""
        with store.writing(self.engine) as connection:
            serial = connection.execute(select(func.count()).select_from(store.labels)).scalar_one()
            number = build_impb_tracking_number(
                service_type_code=self.rules.usps.service_type_code,
                mailer_id=self.rules.usps.mailer_id,
                serial=serial + 1,
            ).digits
            connection.execute(
                insert(store.labels).values(
                    tracking_number=number, request=request, created_s=self._now_s(connection)
                )
            )
        to_address, package = request["toAddress"], request["packageDescription"]
        return {
            "labelAddress": to_address,
            "routingInformation": f"420{to_address['ZIPCode']}",
            "trackingNumber": number,
            "constructCode": "C03",
            "SKU": "DUXP0XXXXC01010",
            # A plausible Ground Advantage figure: the sandbox does not price labels.
            "postage": round(4.5 + 1.1 * float(package["weight"]), 2),
            "extraServices": [],
            "fees": [],
            "serviceTypeCode": self.rules.usps.service_type_code,
            "zone": "08",
            "commitment": {"name": "2-5 Days", "scheduleDeliveryDate": None},
            "weightUOM": "lb",
            "weight": package["weight"],
            "dimensionalWeight": 0.0,
            "bannerText": "USPS TRACKING # USPS Ship",
        }

    # --- tracking ----------------------------------------------------------------------------
    def tracking_detail(self, number: str) -> dict[str, Any] | None:
        """A TrackingDetail, or None for a number USPS has never seen."""
        with self.engine.connect() as connection:
            parcel = connection.execute(
                select(store.parcels.c.plan).where(
                    store.parcels.c.partner == USPS_PARTNER,
                    store.parcels.c.partner_number == number,
                )
            ).first()
            labelled = connection.execute(
                select(store.labels.c.request).where(store.labels.c.tracking_number == number)
            ).first()
            rows = (
                connection.execute(
                    select(store.scans.c.usps)
                    .where(
                        store.scans.c.partner == USPS_PARTNER,
                        store.scans.c.partner_number == number,
                        store.scans.c.feed_seq.is_not(None),
                    )
                    .order_by(store.scans.c.occurred_s.desc(), store.scans.c.feed_seq.desc())
                )
                .scalars()
                .all()
            )
        if parcel is None and labelled is None:
            return None
        events = list(rows)
        origin = "US"
        if parcel is not None:
            origin = self.reality.facility(parcel.plan["route"]["legs"][0]["from"]).country
        zip_code = (
            parcel.plan["destination_postal_code"][:5]
            if parcel is not None
            else labelled.request["toAddress"]["ZIPCode"]  # type: ignore[union-attr]
        )
        return {
            "trackingNumber": number,
            "mailClass": MAIL_CLASS_NAME,
            "mailType": "International Inbound" if parcel is not None else "DM",
            "serviceTypeCode": self.rules.usps.service_type_code,
            "destinationZIPCode": zip_code,
            "originCountry": origin,
            "status": events[0]["eventType"] if events else "Label Created, not yet in system",
            "statusCategory": STATUS_CATEGORIES.get(events[0]["eventCode"], "In Transit")
            if events
            else "Pre-Shipment",
            "trackingEvents": events,
        }

    # --- subscriptions -----------------------------------------------------------------------
    def subscribe(self, body: dict[str, Any]) -> dict[str, Any]:
        subscription_id = uuid.uuid4().hex[:16]
        with store.writing(self.engine) as connection:
            now_s = self._now_s(connection)
            # Only what is emitted from now on is pushed (USPS: "future activity").
            seen = connection.execute(select(func.max(store.scans.c.feed_seq))).scalar() or 0
            connection.execute(
                insert(store.subscriptions).values(
                    subscription_id=subscription_id,
                    listener_url=body["listenerURL"],
                    secret=body["secret"],
                    filter=body["filterProperties"],
                    status="ENABLED",
                    created_s=now_s,
                    notified_seq=seen,
                )
            )
        shown = {key: value for key, value in body.items() if key != "secret"}
        return shown | {
            "subscriptionId": subscription_id,
            "status": "ENABLED",
            "creationTimestamp": utc_text(store.from_seconds(now_s)),
        }

    def push_notifications(self) -> int:
        """Queue a notification for each newly emitted scan a subscription covers, then try
        to deliver every undelivered one (a listener that was down gets them at the next
        advance). Answers how many were delivered."""
        with store.writing(self.engine) as connection:
            now = store.from_seconds(self._now_s(connection))
            for row in connection.execute(
                select(store.subscriptions).where(store.subscriptions.c.status == "ENABLED")
            ).all():
                self._queue(connection, row, now)
            pending = connection.execute(
                select(store.notifications.c.id, store.notifications.c.body, store.subscriptions)
                .join(
                    store.subscriptions,
                    store.subscriptions.c.subscription_id == store.notifications.c.subscription_id,
                )
                .where(store.notifications.c.delivered.is_(False))
                .order_by(store.notifications.c.id)
            ).all()
        delivered = 0
        for note in pending:
            ok = self.sender(
                note.listener_url, note.body.encode(), headers_for(note.secret, note.body)
            )
            with store.writing(self.engine) as connection:
                connection.execute(
                    update(store.notifications)
                    .where(store.notifications.c.id == note.id)
                    .values(delivered=ok, attempts=store.notifications.c.attempts + 1)
                )
            delivered += ok
        return delivered

    def _queue(self, connection: Any, subscription: Any, now: datetime) -> None:
        wanted = subscription.filter.get("trackingNumber")
        mailer_id = str(subscription.filter.get("MID") or "")
        query = select(
            store.scans.c.feed_seq, store.scans.c.partner_number, store.scans.c.usps
        ).where(
            store.scans.c.partner == USPS_PARTNER,
            store.scans.c.feed_seq > subscription.notified_seq,
        )
        if wanted:
            query = query.where(store.scans.c.partner_number == wanted)
        rows = connection.execute(query.order_by(store.scans.c.feed_seq)).all()
        if mailer_id:
            # An IMpb carries its mailer id after the channel (2) and service type (3) digits.
            rows = [row for row in rows if row.partner_number[5 : 5 + len(mailer_id)] == mailer_id]
        for row in rows:
            detail = {
                "trackingNumber": row.partner_number,
                "mailClass": MAIL_CLASS_NAME,
                "status": row.usps["eventType"],
                "trackingEvents": [row.usps],
            }
            text, _payload = notification_body(
                subscription_id=subscription.subscription_id, timestamp=utc_text(now), detail=detail
            )
            connection.execute(
                insert(store.notifications).values(
                    subscription_id=subscription.subscription_id,
                    body=text,
                    attempts=0,
                    delivered=False,
                )
            )
        last = connection.execute(select(func.max(store.scans.c.feed_seq))).scalar() or 0
        connection.execute(
            update(store.subscriptions)
            .where(store.subscriptions.c.subscription_id == subscription.subscription_id)
            .values(notified_seq=last)
        )
