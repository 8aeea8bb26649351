"""Differential test: our request validation against an independent oracle, openapi-core.

For every operation of the spec, Hypothesis draws a valid request (``requests_for``) and
maybe breaks it (a required parameter or body field dropped, a parameter or a body field
given a value of the wrong kind). The mock, through HTTP (Flask test client), accepts or
rejects it; openapi-core, reading the same spec on its own, accepts or rejects it. The two
verdicts must agree. "Rejected" by the mock means refused by the contract (the 400 codes of
request validation, 415); an answer from a handler (201, 404, 403, a business-rule 400)
means the contract accepted the request.

Not compared, on purpose: unknown query parameters (the mock refuses them, a house decision
that OpenAPI leaves open), multipart bodies (audio upload). Known difference, left open:
an empty query value (``?name=``) is refused by openapi-core (``allowEmptyValue`` defaults to
false) and accepted by the mock (Callr documents an empty ``from`` as meaningful); such
requests are not compared.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from callr_mock import Settings, create_app
from callr_mock.contract import contract_for
from callr_mock.plugin import strategies as cst
from callr_mock.plugin._client import wire_value
from callr_mock.spec_loader import load_spec
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

openapi_core = pytest.importorskip("openapi_core")
from openapi_core.testing import MockRequest  # noqa: E402

KEY = "callr-mock-demo-key"
SERVER = "https://api.callr.com"  # the spec's server: openapi-core matches paths under it
CONTRACT_REFUSALS = {
    "missing-parameter",
    "invalid-parameter",
    "invalid-body",
    "missing-body",
    "unexpected-body",
    "malformed-json",
    "unsupported-media-type",
}
CONTRACT = contract_for(None)
OPERATIONS = sorted(
    op.id
    for op in CONTRACT.operations.values()
    if op.body is None or set(op.body.schemas) == {"application/json"}
)


@pytest.fixture(scope="module")
def oracle() -> Any:
    return openapi_core.OpenAPI.from_dict(load_spec())


@pytest.fixture(scope="module")
def client() -> Any:
    app = create_app(Settings(clock="frozen", id_seed=7))
    app.test_client().post("/_mock/accounts/sandbox1/credit", json={"balance": "1000000"})
    return app.test_client()


WRONG_VALUES = ("!!", "-1", "99999999999", "", "true", "x" * 70)


@st.composite
def cases(draw: Any) -> tuple[str, dict[str, Any], str]:
    op_id = draw(st.sampled_from(OPERATIONS))
    request = draw(cst.requests_for(op_id))
    op = CONTRACT.operations[op_id]
    mutations = ["none"]
    query = op.parameters.get("query", [])
    if any(p.required for p in query):
        mutations.append("drop-required-parameter")
    if query or op.parameters.get("path"):
        mutations.append("wrong-parameter")
    if isinstance(request["body"], dict) and request["body"]:
        mutations += ["drop-body-field", "wrong-body-field"]
    mutation = draw(st.sampled_from(mutations))
    if mutation == "drop-required-parameter":
        name = draw(st.sampled_from([p.name for p in query if p.required]))
        request["query"].pop(name, None)
    elif mutation == "wrong-parameter":
        where = draw(st.sampled_from([w for w in ("query", "path") if op.parameters.get(w)]))
        name = draw(st.sampled_from([p.name for p in op.parameters[where]]))
        # an empty path segment is another path (404 no such path), not a bad value
        values = [v for v in WRONG_VALUES if v or where == "query"]
        request[where][name] = draw(st.sampled_from(values))
    elif mutation == "drop-body-field":
        request["body"].pop(draw(st.sampled_from(sorted(request["body"]))))
    elif mutation == "wrong-body-field":
        name = draw(st.sampled_from(sorted(request["body"])))
        request["body"][name] = draw(st.sampled_from([12345, "x", None, [], {"a": 1}, True]))
    return op_id, request, mutation


def path_of(op_id: str, values: dict[str, Any], *, encoded: bool = True) -> str:
    """The request path: URL-encoded on the wire; decoded for openapi-core (as a WSGI
    server hands it over)."""
    path = CONTRACT.operations[op_id].path
    for name, value in values.items():
        text = wire_value(value)
        path = path.replace("{" + name + "}", quote(text, safe="") if encoded else text)
    return "/v2.0" + path


def ours(client: Any, op_id: str, request: dict[str, Any]) -> tuple[bool, str]:
    op = CONTRACT.operations[op_id]
    query = {k: wire_value(v) for k, v in request["query"].items() if v is not None}
    body = request["body"]
    response = client.open(
        path_of(op_id, request["path"]),
        method=op.method,
        query_string=query,
        headers={"x-api-key": KEY},
        **({} if body is None else {"data": json.dumps(body), "content_type": "application/json"}),
    )
    answer = response.get_json(silent=True) or {}
    refused = response.status_code == 415 or (
        response.status_code == 400 and answer.get("code") in CONTRACT_REFUSALS
    )
    return not refused, f"{response.status_code} {answer}"


def theirs(oracle: Any, op_id: str, request: dict[str, Any]) -> tuple[bool, str]:
    op = CONTRACT.operations[op_id]
    query = {k: wire_value(v) for k, v in request["query"].items() if v is not None}
    body = request["body"]
    mock = MockRequest(
        SERVER,
        op.method.lower(),
        path_of(op_id, request["path"], encoded=False),
        args=query,
        headers={"x-api-key": KEY},
        data=None if body is None else json.dumps(body).encode(),
        content_type="application/json",
    )
    try:
        oracle.validate_request(mock)
    except Exception as error:  # openapi-core's validation errors
        return False, f"{type(error).__name__}: {error}"
    return True, "valid"


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_our_verdict_on_a_request_is_openapi_cores(
    client: Any, oracle: Any, case: tuple[str, dict[str, Any], str]
) -> None:
    op_id, request, mutation = case
    assume(all(v != "" for v in request["query"].values()))  # the known difference above
    accepted, why = ours(client, op_id, request)
    expected, reason = theirs(oracle, op_id, request)
    assert accepted == expected, (
        f"{op_id} ({mutation}) {request}: mock {'accepted' if accepted else 'refused'} ({why}); "
        f"openapi-core {'accepted' if expected else 'refused'} ({reason})"
    )


def test_every_json_operation_is_compared() -> None:
    assert len(OPERATIONS) >= len(CONTRACT.operations) - 2  # the multipart upload(s)
