"""The signed-in console through HTTP: sign-in and sign-out, cookies, CSRF refusals, the sign-in
rate limit, merchant isolation, and the Developers page (keys, webhook endpoints, the disabled
endpoint's notice)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform
from postbridge.console.service import identity_for
from postbridge.merchants.service import list_keys
from tests.builders import shipment_body
from tests.conftest import make_merchant
from tests.console_builders import (
    PASSWORD,
    csrf_token,
    disabled_endpoint,
    make_user,
    sign_in,
)
from tests.e2e.conftest import auth

REFUSED = "This form was refused: it did not carry this page&#39;s security token"


@pytest.fixture(scope="module")
def app(platform: Platform) -> FastAPI:
    return create_app(platform=platform)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client with its own cookie jar, like one browser."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_anonymous_pages_send_to_sign_in(browser: TestClient) -> None:
    home = browser.get("/", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, "/login")
    developers = browser.get("/developers?revoked=x", follow_redirects=False)
    assert developers.headers["location"] == "/login?next=/developers%3Frevoked%3Dx"
    page = browser.get("/login")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert '<label for="email">E-mail address</label>' in page.text
    assert '<label for="password">Password</label>' in page.text
    assert "API key" not in page.text.split("<main")[1].split("Programs use")[0]
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("postbridge_login=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # development serves plain http


def test_signing_in_sets_a_session_cookie_and_shows_the_merchants_home(
    browser: TestClient, client: TestClient, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    booked = client.post(
        "/v1/shipments",
        json=shipment_body(reference="CONSOLE-HOME-1"),
        headers=auth(merchant.token),
    )
    assert booked.status_code == 201, booked.text
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    signed = sign_in(browser, user, next_path="/developers")
    assert (signed.status_code, signed.headers["location"]) == (303, "/developers")
    cookies = signed.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("postbridge_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    assert "Max-Age=43200" in session
    assert "Path=/" in session
    assert "Secure" not in session
    assert any(c.startswith('postbridge_login=""') for c in cookies)  # the nonce is spent
    home = browser.get("/")
    assert home.status_code == 200
    assert f"{user.email} · {merchant.name}" in home.text
    assert "CONSOLE-HOME-1" in home.text
    assert booked.json()["tracking_number"] in home.text
    assert "Operator" not in home.text


def test_an_unsafe_next_target_goes_home(browser: TestClient, platform: Platform) -> None:
    user = make_user(platform.database)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        browser.cookies.clear()
        assert sign_in(browser, user, next_path=target).headers["location"] == "/"


def test_a_wrong_password_is_refused_and_repeated_failures_are_rate_limited(
    browser: TestClient, platform: Platform
) -> None:
    user = make_user(platform.database)
    wrong = sign_in(browser, user.__class__(user.email, "not the password!", None))
    assert wrong.status_code == 401
    assert "the e-mail address or the password is not right" in wrong.text
    assert f'value="{user.email}"' in wrong.text
    for _ in range(4):
        assert (
            sign_in(browser, user.__class__(user.email, "still wrong pass", None)).status_code
            == 401
        )
    locked = sign_in(browser, user)
    assert locked.status_code == 429
    assert 840 < int(locked.headers["retry-after"]) <= 900
    assert "too many failed sign-ins: try again in 15 minutes" in locked.text
    assert "postbridge_session=" not in locked.headers.get("set-cookie", "")


def test_the_sign_in_form_without_its_token_is_refused(
    browser: TestClient, platform: Platform
) -> None:
    user = make_user(platform.database)
    browser.get("/login")
    missing = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert missing.status_code == 403
    assert REFUSED in missing.text
    forged = browser.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    # A token from another browser's form does not go with this browser's nonce cookie.
    with TestClient(browser.app) as other:
        foreign = csrf_token(other.get("/login").text)
    assert (
        browser.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": foreign}
        ).status_code
        == 403
    )


def test_console_posts_without_the_sessions_token_are_refused(
    browser: TestClient, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    sign_in(browser, user)
    missing = browser.post("/developers/keys")
    assert missing.status_code == 403
    assert "<h1>Form refused</h1>" in missing.text
    assert REFUSED in missing.text
    wrong = browser.post("/developers/keys", data={"csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert browser.post("/logout").status_code == 403
    assert len(list_keys(database=platform.database, merchant_id=merchant.merchant_id)) == 1
    assert browser.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_signing_out_revokes_the_session(browser: TestClient, platform: Platform) -> None:
    user = make_user(platform.database)
    sign_in(browser, user)
    token = browser.cookies["postbridge_session"]
    home = browser.get("/")
    assert 'id="operator-badge">Operator</span>' in home.text
    out = browser.post(
        "/logout", data={"csrf_token": csrf_token(home.text)}, follow_redirects=False
    )
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert out.headers["set-cookie"].startswith('postbridge_session=""')
    assert identity_for(database=platform.database, token=token) is None
    browser.cookies.set("postbridge_session", token)  # a copied cookie is dead too
    assert browser.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_post_without_a_session_goes_to_sign_in(browser: TestClient) -> None:
    response = browser.post("/developers/keys", data={"csrf_token": "x"}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_the_developers_page_creates_a_key_shown_once_and_revokes_it(
    browser: TestClient, client: TestClient, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    user = make_user(platform.database, merchant_id=merchant.merchant_id)
    sign_in(browser, user)
    page = browser.get("/developers")
    assert page.status_code == 200
    assert f"<code>pb_{merchant.key_prefix}_…</code>" in page.text
    assert "No webhook endpoints yet." in page.text
    created = browser.post("/developers/keys", data={"csrf_token": csrf_token(page.text)})
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    token = re.search(
        r'id="new-key-value" class="secret" type="text" readonly value="([^"]+)"', created.text
    )
    assert token is not None
    new_key = token[1]
    prefix = new_key.split("_")[1]
    assert [k.prefix for k in list_keys(database=platform.database, merchant_id=merchant.merchant_id)] == [
        merchant.key_prefix, prefix,
    ]  # fmt: skip
    again = browser.get("/developers")
    assert new_key not in again.text
    assert f"<code>pb_{prefix}_…</code>" in again.text
    revoked = browser.post(
        "/developers/keys/revoke",
        data={"csrf_token": csrf_token(again.text), "prefix": prefix},
        follow_redirects=False,
    )
    assert (revoked.status_code, revoked.headers["location"]) == (
        303,
        f"/developers?revoked={prefix}",
    )
    notice = browser.get(revoked.headers["location"])
    assert f"Key <code>pb_{prefix}_…</code> revoked" in notice.text
    me = client.get("/v1/me", headers=auth(new_key))
    assert me.status_code == 401
    assert me.json()["detail"] == "the API key has been revoked"
    assert client.get("/v1/me", headers=auth(merchant.token)).status_code == 200


def test_a_disabled_endpoint_shows_its_reason_and_its_attempts(
    browser: TestClient, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    endpoint_id, reason = disabled_endpoint(platform, merchant.merchant_id)
    sign_in(browser, make_user(platform.database, merchant_id=merchant.merchant_id))
    page = browser.get("/developers")
    assert "1 webhook endpoint is disabled: see below." in page.text
    assert f'id="disabled-{endpoint_id}"' in page.text
    assert f"Reason: {reason}." in page.text
    assert "connection refused" in page.text
    detail = browser.get(f"/developers/webhooks/{endpoint_id}")
    assert detail.status_code == 200
    assert f"Reason: {reason}." in detail.text
    assert '<span class="badge off">failed</span>' in detail.text


def test_a_merchant_user_sees_only_its_merchant(
    browser: TestClient, client: TestClient, platform: Platform
) -> None:
    mine, theirs = make_merchant(platform.database), make_merchant(platform.database)
    for merchant, reference in ((mine, "ISOLATION-MINE"), (theirs, "ISOLATION-THEIRS")):
        booked = client.post(
            "/v1/shipments", json=shipment_body(reference=reference), headers=auth(merchant.token)
        )
        assert booked.status_code == 201, booked.text
    their_endpoint, _ = disabled_endpoint(platform, theirs.merchant_id)
    sign_in(browser, make_user(platform.database, merchant_id=mine.merchant_id))
    home = browser.get("/")
    assert "ISOLATION-MINE" in home.text
    assert "ISOLATION-THEIRS" not in home.text
    developers = browser.get("/developers")
    assert theirs.key_prefix not in developers.text
    assert their_endpoint not in developers.text
    foreign = browser.get(f"/developers/webhooks/{their_endpoint}")
    assert foreign.status_code == 404
    assert "There is no webhook endpoint here, or it is not yours to see." in foreign.text
    refused = browser.post(
        "/developers/keys/revoke",
        data={"csrf_token": csrf_token(developers.text), "prefix": theirs.key_prefix},
    )
    assert refused.status_code == 404
    assert [
        k.revoked for k in list_keys(database=platform.database, merchant_id=theirs.merchant_id)
    ] == [False]


def test_an_operator_sees_every_merchants_shipments_and_has_no_keys(
    browser: TestClient, client: TestClient, platform: Platform
) -> None:
    merchant = make_merchant(platform.database)
    booked = client.post(
        "/v1/shipments",
        json=shipment_body(reference="OPERATOR-VIEW-1"),
        headers=auth(merchant.token),
    )
    assert booked.status_code == 201
    sign_in(browser, make_user(platform.database))
    home = browser.get("/")
    assert "Recent shipments of every merchant" in home.text
    assert "OPERATOR-VIEW-1" in home.text
    assert f"<code>{merchant.merchant_id}</code>" in home.text
    developers = browser.get("/developers")
    assert "API keys and webhook endpoints belong to a merchant." in developers.text
    assert (
        browser.post(
            "/developers/keys", data={"csrf_token": csrf_token(developers.text)}
        ).status_code
        == 403
    )


def test_production_cookies_are_secure_and_host_prefixed(platform: Platform) -> None:
    settings = platform.settings.model_copy(update={"env": "production"})
    production = Platform(
        settings=settings, database=platform.database, booking=platform.booking,
        quoter=platform.quoter, partners=platform.partners,
    )  # fmt: skip
    user = make_user(platform.database)
    with TestClient(create_app(platform=production), base_url="https://testserver") as secure:
        page = secure.get("/login")
        assert page.headers["set-cookie"].startswith("__Host-postbridge_login=")
        assert "Secure" in page.headers["set-cookie"]
        signed = secure.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
            follow_redirects=False,
        )
        session = next(
            c
            for c in signed.headers.get_list("set-cookie")
            if c.startswith("__Host-postbridge_session=")
        )
        assert "Secure" in session
        assert "HttpOnly" in session
        assert "Path=/" in session
        assert "Domain" not in session
        assert secure.get("/", follow_redirects=False).status_code == 200
