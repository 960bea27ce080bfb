"""Every operation of the OpenAPI contract (the snapshot the app is checked against), fuzzed by
schemathesis from the schema itself (bodies, parameters and headers, valid and not), as a
merchant and as an operator: no answer is a 5xx, and every status answered is one the contract
documents for the operation. Hypothesis shrinks a failing input for the report; the examples
per operation are bounded (derandomized, so a run is repeatable) and the tier takes about
20 s on two cores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import auth

pytestmark = pytest.mark.slow

CONTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(str(CONTRACT))
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}
DOCUMENTED = {
    f"{method.upper()} {path}": set(operation.get("responses", {}))
    for path, item in json.loads(CONTRACT.read_text())["paths"].items()
    for method, operation in item.items()
}
EXAMPLES = 15


@pytest.mark.parametrize("role", ["merchant", "operator"])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_operation_answers_a_5xx_or_an_undocumented_status(
    label: str, role: str, client: TestClient, merchant_key: str, operator_key: str
) -> None:
    key = merchant_key if role == "merchant" else operator_key
    operation = OPERATIONS[label]
    documented = DOCUMENTED[label]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def fuzz(data: Any) -> None:
        case = data.draw(operation.as_strategy())
        headers = {**(case.headers or {}), **auth(key)}
        request = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
        response = client.request(
            request["method"], request["url"], params=request.get("params"),
            headers=request.get("headers"), content=_content(request),
        )  # fmt: skip
        status = response.status_code
        assert status < 500, (label, case.as_curl_command(), response.text[:300])
        assert str(status) in documented or "default" in documented, (
            label, status, sorted(documented), case.as_curl_command(), response.text[:300]
        )  # fmt: skip

    fuzz()


def _content(request: dict[str, Any]) -> bytes | None:
    if "json" in request:
        return json.dumps(request["json"]).encode()
    data = request.get("data") or request.get("content")
    if data is None:
        return None
    return data if isinstance(data, bytes) else str(data).encode()
