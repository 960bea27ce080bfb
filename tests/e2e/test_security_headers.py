"""Every HTML page sends a Content-Security-Policy, no framing, no sniffing and no referrer;
pages with inline code allow it by a per-response nonce. Every response echoes a request id."""

from __future__ import annotations

import re

import pytest
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform
from postbridge.web.security_headers import DEFAULT_POLICY

FIXED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_pages_with_inline_code_allow_it_by_nonce_only(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{22})'", policy)
    assert nonce is not None
    assert policy == (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce[1]}'; "
        f"style-src 'self' 'nonce-{nonce[1]}'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    assert {name: response.headers[name] for name in FIXED} == FIXED
    inline = re.findall(r"<(script|style)(?![^>]*\ssrc=)([^>]*)>", response.text)
    assert inline
    assert {attributes for _, attributes in inline} == {f' nonce="{nonce[1]}"'}
    assert " style=" not in response.text
    assert client.get(path).headers["content-security-policy"] != policy  # a nonce per response


def test_the_tracking_page_keeps_its_stricter_policy(client: TestClient) -> None:
    response = client.get("/t/LX000000000CN")
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("default-src 'none';")
    assert {name: response.headers[name] for name in FIXED} == FIXED


def test_other_html_gets_the_default_policy_and_json_gets_none(
    platform: Platform, client: TestClient
) -> None:
    app = create_app(platform=platform)
    app.add_api_route("/test/plain-page", lambda: HTMLResponse("<p>plain</p>"))
    html = TestClient(app).get("/test/plain-page")
    assert html.headers["content-security-policy"] == DEFAULT_POLICY
    assert {name: html.headers[name] for name in FIXED} == FIXED
    health = client.get("/healthz")
    assert "content-security-policy" not in health.headers


def test_a_sane_request_id_is_echoed_and_any_other_replaced(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-Id": "abc-123.Z:9"}).headers["x-request-id"]
        == "abc-123.Z:9"
    )
    for hostile in ["", "a b", "x" * 129, "id\u00e9", "<script>"]:
        answered = client.get("/healthz", headers={"X-Request-Id": hostile.encode("utf-8")})
        assert re.fullmatch(r"req_[0-9a-f]{24}", answered.headers["x-request-id"])
    first = client.get("/v1/me").headers["x-request-id"]
    assert re.fullmatch(r"req_[0-9a-f]{24}", first)
    assert client.get("/v1/me").headers["x-request-id"] != first
