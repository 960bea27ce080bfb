from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import auth


def test_healthz_answers_without_a_key(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_checks_the_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "sqlite"}


def test_v1_without_a_key_is_401_problem_json(client: TestClient) -> None:
    response = client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["status"] == 401
    assert body["instance"] == "/v1/me"
    assert "Authorization: Bearer" in body["detail"]


def test_unknown_and_malformed_keys_are_401(client: TestClient, merchant_key: str) -> None:
    prefix = merchant_key.split("_")[1]
    wrong_secret = f"pb_{prefix}_{'a' * 32}"
    for key, fragment in [("nonsense", "malformed"), (wrong_secret, "not valid")]:
        response = client.get("/v1/me", headers=auth(key))
        assert response.status_code == 401
        assert fragment in response.json()["detail"]


def test_me_names_the_merchant_behind_the_key(client: TestClient, merchant_key: str) -> None:
    response = client.get("/v1/me", headers=auth(merchant_key))
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "merchant"
    assert body["merchant_id"].startswith("mch_")


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "postbridge"
    assert "/v1/me" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text


def test_console_page_is_served(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "postbridge console" in response.text
