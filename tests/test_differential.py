"""Differential test: our request validation against an independent oracle, openapi-core.

For every operation of the spec, Hypothesis draws a valid request (``requests_for``) and
maybe breaks it (a required parameter or body field dropped, a parameter or a body field
given a value of the wrong kind). The mock, through HTTP (Flask test client), accepts or
rejects it; openapi-core, reading the same spec on its own, accepts or rejects it. The two
verdicts must agree. "Rejected" by the mock means refused by the contract (the 400 codes of
request validation, 415); an answer from a handler (201, 404, 403, a business-rule 400)
means the contract accepted the request.

Not compared, on purpose: unknown query parameters (the mock refuses them, a house decision
that OpenAPI leaves open), multipart bodies (audio upload).

Empty query values (``?name=``) are compared like any other value, and on their own for every
query parameter of every operation (``test_an_empty_query_value_...``): the house decision
(spec/README.md, "Empty query values") is OpenAPI's default, so the decided verdict, the
mock's and openapi-core's must all three agree: refused unless the parameter says
``allowEmptyValue: true``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from callr_mock import Settings, create_app
from callr_mock.contract.compiled import contract_for
from callr_mock.contract.spec import load_spec
from callr_mock.plugin import strategies as cst
from callr_mock.plugin._client import wire_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

openapi_core = pytest.importorskip("openapi_core")
from openapi_core.testing import MockRequest  # noqa: E402

# allowEmptyValue is valid OpenAPI 3.1 (NOT RECOMMENDED, still the one way to say it)
pytestmark = pytest.mark.filterwarnings("ignore:Use of allowEmptyValue:DeprecationWarning")

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
    if query:
        mutations.append("empty-parameter")
    if isinstance(request["body"], dict) and request["body"]:
        mutations += ["drop-body-field", "wrong-body-field"]
    mutation = draw(st.sampled_from(mutations))
    if mutation == "drop-required-parameter":
        name = draw(st.sampled_from([p.name for p in query if p.required]))
        request["query"].pop(name, None)
    elif mutation == "empty-parameter":
        request["query"][draw(st.sampled_from([p.name for p in query]))] = ""
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
    accepted, why = ours(client, op_id, request)
    expected, reason = theirs(oracle, op_id, request)
    assert accepted == expected, (
        f"{op_id} ({mutation}) {request}: mock {'accepted' if accepted else 'refused'} ({why}); "
        f"openapi-core {'accepted' if expected else 'refused'} ({reason})"
    )


def test_every_json_operation_is_compared() -> None:
    assert len(OPERATIONS) >= len(CONTRACT.operations) - 3  # the multipart uploads


EMPTY_CASES = sorted(
    (op_id, p.name)
    for op_id in OPERATIONS
    for p in CONTRACT.operations[op_id].parameters.get("query", [])
)


@pytest.mark.parametrize(("op_id", "name"), EMPTY_CASES, ids=[f"{o}-{n}" for o, n in EMPTY_CASES])
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_an_empty_query_value_gets_the_decided_verdict_from_both(
    client: Any, oracle: Any, op_id: str, name: str, data: Any
) -> None:
    """``?name=`` on an otherwise valid request: refused (400 invalid-parameter, saying what
    to do) unless the spec says ``allowEmptyValue: true``; openapi-core agrees."""
    request = data.draw(cst.requests_for(op_id))
    request["query"][name] = ""
    param = next(p for p in CONTRACT.operations[op_id].parameters["query"] if p.name == name)
    decided = param.allow_empty
    accepted, why = ours(client, op_id, request)
    expected, reason = theirs(oracle, op_id, request)
    assert accepted == decided, f"{op_id} ?{name}=: mock {why}"
    assert expected == decided, f"{op_id} ?{name}=: openapi-core {reason}"
    if not decided:
        assert f"query parameter '{name}' is empty" in why, why


def test_only_the_sms_sender_takes_an_empty_value() -> None:
    """The decision as data: the two ``from`` parameters (documented 0..11 characters) and
    nothing else (spec/README.md, "Empty query values")."""
    assert [case for case in EMPTY_CASES if _allows_empty(*case)] == [
        ("searchSms", "from"),
        ("sendSms", "from"),
    ]


def _allows_empty(op_id: str, name: str) -> bool:
    return any(
        p.allow_empty for p in CONTRACT.operations[op_id].parameters["query"] if p.name == name
    )


def _param(name: str, schema: dict[str, Any], allow: bool | None = None) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "schema": schema}
    if allow is not None:
        param["allowEmptyValue"] = allow
    return param


USER_PARAMS = [
    _param("s", {"type": "string"}),
    _param("e", {"type": "string", "enum": ["a", "b"]}),
    _param("i", {"type": "integer", "default": 3}),
    _param("b", {"type": "boolean"}),
    _param("a", {"type": "array", "items": {"type": "string"}}),
    _param("s_empty", {"type": "string"}, allow=True),
    _param("a_empty", {"type": "array", "items": {"type": "integer"}}, allow=True),
    _param("i_no", {"type": "integer"}, allow=False),
]


# Differs by design, so compared explicitly: openapi-core 0.23 reads an array's `a=` as one
# empty item ([""]), then checks that item; OpenAPI's style table serializes an empty array
# in form style as `a=`, which is how the mock reads it where allowEmptyValue is true (and
# refuses it, like every empty value, where it is not).
OPENAPI_CORE_DIFFERS = {"a": True, "a_empty": False}


@pytest.fixture(scope="module")
def user_spec(tmp_path_factory: Any) -> tuple[Any, Any]:
    """A user's spec (say Callr's own openapi.json) with a query parameter of each type."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "user spec", "version": "1"},
        "servers": [{"url": SERVER + "/v2.0"}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "parameters": USER_PARAMS,
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            }
        },
    }
    path = tmp_path_factory.mktemp("spec") / "user.json"
    path.write_text(json.dumps(spec))
    app = create_app(Settings(clock="frozen", spec_path=str(path)))
    return app.test_client(), openapi_core.OpenAPI.from_dict(spec)


@pytest.mark.parametrize("param", USER_PARAMS, ids=[p["name"] for p in USER_PARAMS])
@pytest.mark.parametrize("form", ["{}=", "{}"])
def test_a_served_spec_decides_empty_values_by_its_allow_empty_value(
    user_spec: tuple[Any, Any], param: dict[str, Any], form: str
) -> None:
    client, oracle = user_spec
    name = param["name"]
    decided = param.get("allowEmptyValue") is True
    answer = client.get(f"/v2.0/things?{form.format(name)}", headers={"x-api-key": KEY})
    assert (answer.status_code == 200) == decided, answer.get_json()
    if not decided:
        assert answer.get_json()["code"] == "invalid-parameter"
        assert f"query parameter '{name}' is empty" in answer.get_json()["message"]
    if form.endswith("="):  # MockRequest cannot say "a key without '='"
        mock = MockRequest(SERVER, "get", "/v2.0/things", args={name: ""})
        try:
            oracle.validate_request(mock)
            theirs_ok = True
        except Exception:
            theirs_ok = False
        assert theirs_ok == OPENAPI_CORE_DIFFERS.get(name, decided)
