"""Console test data: users with known passwords, signing in through the sign-in form, and a
webhook endpoint disabled after persistent failure (as the dispatcher leaves it)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient
from httpx import Response

from postbridge.bootstrap import Platform
from postbridge.console.service import create_user
from postbridge.kit.clock import utc_now
from postbridge.kit.ids import new_id
from postbridge.merchants.models import Role
from postbridge.storage.unit_of_work import Database
from postbridge.webhooks.endpoints import WebhookDeps, create_endpoint
from postbridge.webhooks.repository import WebhookRepository

PASSWORD = "console test password"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class UserLogin:
    email: str
    password: str
    merchant_id: str | None


def make_user(database: Database, *, merchant_id: str | None = None) -> UserLogin:
    email = f"user-{uuid.uuid4().hex[:10]}@example.com"
    role = Role.MERCHANT if merchant_id else Role.OPERATOR
    create_user(
        database=database, email=email, password=PASSWORD, role=role, merchant_id=merchant_id
    )
    return UserLogin(email, PASSWORD, merchant_id)


def csrf_token(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found is not None, "no csrf_token field on the page"
    return found[1]


def sign_in(client: TestClient, user: UserLogin, *, next_path: str = "/") -> Response:
    form = client.get("/login")
    return client.post(
        "/login",
        data={"email": user.email, "password": user.password, "csrf_token": csrf_token(form.text),
              "next": next_path},
        follow_redirects=False,
    )  # fmt: skip


DISABLED_REASON_AGE = timedelta(days=3, hours=1)


def disabled_endpoint(platform: Platform, merchant_id: str) -> tuple[str, str]:
    """An endpoint the dispatcher disabled after three days of failures, with one failed
    attempt in its log; returns (endpoint id, disabled reason)."""
    deps = WebhookDeps.of(platform.database, platform.settings)
    view = create_endpoint(
        deps=deps, merchant_id=merchant_id, url=f"http://127.0.0.1:9/hooks/{uuid.uuid4().hex[:8]}",
        event_types=["shipment.booked"], description="order pages",
    )  # fmt: skip
    now = utc_now()
    since = now - DISABLED_REASON_AGE
    reason = f"no successful delivery since {since.isoformat()} (last attempt: connection refused)"
    with platform.database.unit_of_work() as uow:
        repository = WebhookRepository(uow.session)
        endpoint = repository.endpoint(view.id, merchant_id=merchant_id)
        assert endpoint is not None
        endpoint.enabled = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = reason
        endpoint.failing_since = since
        endpoint.updated_at = now
        repository.add_attempts(
            [{"id": new_id("wha"), "delivery_id": new_id("whd"), "endpoint_id": view.id,
              "event_id": new_id("evt"), "attempt": 12, "attempted_at": now, "succeeded": False,
              "status_code": None, "latency_ms": 3, "error": "connection refused",
              "response_excerpt": None}]
        )  # fmt: skip
        uow.commit()
    return view.id, reason
