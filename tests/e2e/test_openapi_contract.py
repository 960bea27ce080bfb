"""The OpenAPI tells every answer a route can give, the edge's and authentication's included,
and those answers are what the server sends."""

from __future__ import annotations

from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform


def test_every_v1_operation_documents_the_edge_answers(platform: Platform) -> None:
    schema = create_app(platform=platform).openapi()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/v1/")
        for method, operation in methods.items()
    ]
    assert len(operations) > 30
    missing = [
        (method, path, status)
        for path, method, operation in operations
        for status in (
            "401",
            "429",
            "431",
            "503",
            *(("400", "413") if "requestBody" in operation else ()),
        )
        if status not in operation["responses"]
    ]
    assert missing == []
    shipments = schema["paths"]["/v1/shipments"]["post"]["responses"]["413"]
    assert shipments["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert schema["components"]["schemas"]["Problem"]["required"] == ["title", "status", "code"]


def test_the_documented_answers_are_problem_json(client: TestClient, merchant_key: str) -> None:
    unauthenticated = client.get("/v1/me")
    malformed = client.post(
        "/v1/shipments",
        content=b"{not json",
        headers={"Authorization": f"Bearer {merchant_key}", "Content-Type": "application/json"},
    )
    assert (unauthenticated.status_code, unauthenticated.json()["code"]) == (
        401, "not_authenticated",
    )  # fmt: skip
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_json")
    assert malformed.headers["content-type"] == "application/problem+json"
