"""Request validation and error bodies, on a small spec so only the core is exercised.

Every bad input gets a Callr error body with the right status, never a 5xx, and the
request journal shows nothing was handled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from callr_mock import Settings, create_app, runtime_of
from callr_mock.handlers.rest import Reply

MINI_SPEC = str(Path(__file__).parent / "data" / "mini-spec.yaml")
KEY = {"x-api-key": "callr-mock-demo-key"}


@pytest.fixture
def mini() -> Any:
    return create_app(Settings(spec_path=MINI_SPEC, clock="frozen", id_seed=7))


@pytest.fixture
def c(mini: Any) -> Any:
    return mini.test_client()


def error_of(response: Any) -> dict[str, str]:
    body = response.get_json()
    assert set(body) == {"code", "message"}, body
    assert body["code"] and body["message"]
    return body


BAD_REQUESTS = [
    # (id, method, path, kwargs, status, code, words in message)
    (
        "malformed-json",
        "POST",
        "/things",
        {"data": '{"name": ', "content_type": "application/json"},
        400,
        "malformed-json",
        ["not valid JSON"],
    ),
    (
        "json-not-object",
        "POST",
        "/things",
        {"data": "[1, 2]", "content_type": "application/json"},
        400,
        "invalid-body",
        ["request body"],
    ),
    (
        "wrong-content-type",
        "POST",
        "/things",
        {"data": "name=x", "content_type": "text/plain"},
        415,
        "unsupported-media-type",
        ["application/json", "text/plain"],
    ),
    (
        "missing-content-type",
        "POST",
        "/things",
        {"data": b'{"name": "x"}'},
        415,
        "unsupported-media-type",
        ["application/json"],
    ),
    ("missing-body", "POST", "/things", {}, 400, "missing-body", ["needs a request body"]),
    (
        "oversized-body",
        "POST",
        "/things",
        {"data": b'{"name": "' + b"x" * (1024 * 1024) + b'"}', "content_type": "application/json"},
        413,
        "payload-too-large",
        ["larger than"],
    ),
    (
        "unknown-field",
        "POST",
        "/things",
        {"json": {"name": "x", "colour": "red"}},
        400,
        "invalid-body",
        ["colour"],
    ),
    (
        "field-too-short",
        "POST",
        "/things",
        {"json": {"name": ""}},
        400,
        "invalid-body",
        ["'name'", "shorter"],
    ),
    (
        "field-wrong-type",
        "POST",
        "/things",
        {"json": {"name": "x", "size": "big"}},
        400,
        "invalid-body",
        ["'size'", "integer"],
    ),
    (
        "duplicate-json-key",
        "POST",
        "/things",
        {"data": '{"name": "a", "name": "b"}', "content_type": "application/json"},
        400,
        "duplicate-field",
        ["name"],
    ),
    (
        "nan-in-json",
        "POST",
        "/things",
        {"data": '{"name": "a", "size": NaN}', "content_type": "application/json"},
        400,
        "malformed-json",
        ["NaN"],
    ),
    (
        "deeply-nested-json",
        "POST",
        "/things",
        {"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"},
        400,
        "malformed-json",
        ["nested"],
    ),
    (
        "not-utf8",
        "POST",
        "/things",
        {"data": b'{"name": "\xff"}', "content_type": "application/json"},
        400,
        "malformed-json",
        ["UTF-8"],
    ),
    ("bad-e164", "GET", "/numbers?to=0612345678", {}, 400, "invalid-parameter", ["'to'"]),
    (
        "overlong-e164",
        "GET",
        "/numbers?to=%2B3312345678901234567",
        {},
        400,
        "invalid-parameter",
        ["'to'"],
    ),
    (
        "missing-required-param",
        "GET",
        "/numbers",
        {},
        400,
        "missing-parameter",
        ["'to'", "required"],
    ),
    (
        "bad-enum-in-array",
        "GET",
        "/numbers?to=%2B33612345678&tags=a,z",
        {},
        400,
        "invalid-parameter",
        ["'tags'"],
    ),
    (
        "bad-boolean",
        "GET",
        "/numbers?to=%2B33612345678&active=yes",
        {},
        400,
        "invalid-parameter",
        ["'active'", "boolean"],
    ),
    ("bad-sid-length", "GET", "/things/abc", {}, 400, "invalid-parameter", ["'sid'"]),
    ("bad-sid-case", "GET", "/things/ABCDEFGH", {}, 400, "invalid-parameter", ["'sid'"]),
    ("bad-sid-chars", "GET", "/things/abcd-fgh", {}, 400, "invalid-parameter", ["'sid'"]),
    (
        "limit-too-big",
        "GET",
        "/tasks?limit=101",
        {},
        400,
        "invalid-parameter",
        ["'limit'", "maximum"],
    ),
    ("limit-zero", "GET", "/tasks?limit=0", {}, 400, "invalid-parameter", ["'limit'", "minimum"]),
    ("offset-negative", "GET", "/tasks?offset=-1", {}, 400, "invalid-parameter", ["'offset'"]),
    (
        "limit-not-a-number",
        "GET",
        "/tasks?limit=ten",
        {},
        400,
        "invalid-parameter",
        ["'limit'", "integer"],
    ),
    ("huge-offset", "GET", "/tasks?offset=99999999999999999999999", {}, 200, None, []),
    (
        "unknown-param",
        "GET",
        "/tasks?colour=red",
        {},
        400,
        "unknown-parameter",
        ["colour", "limit, offset"],
    ),
    (
        "duplicate-param",
        "GET",
        "/tasks?limit=1&limit=2",
        {},
        400,
        "duplicate-parameter",
        ["'limit'", "2 times"],
    ),
    (
        "unexpected-body",
        "GET",
        "/tasks",
        {"json": {"limit": 5}},
        400,
        "unexpected-body",
        ["query string"],
    ),
    ("wrong-method", "DELETE", "/ping", {}, 405, "method-not-allowed", ["DELETE", "GET"]),
    ("options", "OPTIONS", "/ping", {}, 405, "method-not-allowed", ["OPTIONS"]),
    ("unknown-path", "GET", "/nothing/here", {}, 404, "not-found", ["/v2.0/nothing/here"]),
    ("path-traversal", "GET", "/things/..%2F..%2Fetc", {}, 404, "not-found", ["no such path"]),
    ("dot-dot-sid", "GET", "/things/..", {}, 400, "invalid-parameter", ["'sid'"]),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code", "words"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_input_gets_a_callr_error(
    c: Any,
    mini: Any,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    code: str | None,
    words: list[str],
) -> None:
    response = c.open("/v2.0" + path, method=method, headers=KEY, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if code is None:
        return
    body = error_of(response)
    assert body["code"] == code
    for word in words:
        assert word in body["message"]
    assert runtime_of(mini).journal.list_violations() == []


def test_an_integral_float_is_an_integer(
    c: Any, mini: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON Schema calls 5.0 an integer; the handler must get the int 5, not 5.0."""
    seen: list[Any] = []

    def make_thing(call: Any) -> Reply:
        seen.append(call.body["size"])
        return Reply(201, {"id": "abc"})

    monkeypatch.setitem(runtime_of(mini).handlers, "makeThing", make_thing)
    response = c.post(
        "/v2.0/things",
        data='{"name": "a", "size": 5.0}',
        content_type="application/json",
        headers=KEY,
    )
    assert response.status_code == 201
    assert seen == [5] and type(seen[0]) is int


def test_a_spec_without_400s_is_incomplete_not_broken(c: Any, mini: Any) -> None:
    """getThing declares no 400: refusing bad input is still not a violation of ours."""
    response = c.get("/v2.0/things/NOTASID", headers=KEY)
    assert response.status_code == 400
    assert runtime_of(mini).journal.list_violations() == []


def test_head_is_refused_without_a_body(c: Any) -> None:
    response = c.head("/v2.0/ping", headers=KEY)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.get_data() == b""


def test_wrong_method_names_the_allowed_ones(c: Any) -> None:
    response = c.put("/v2.0/tasks", headers=KEY)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


def test_valid_requests_pass_and_defaults_are_filled(c: Any) -> None:
    ok = c.get("/v2.0/tasks", headers=KEY)
    assert ok.status_code == 200
    assert ok.get_json() == {"offset": 0, "total": 0, "hasMore": False, "hits": []}
    arrays = c.get("/v2.0/numbers?to=%2B33612345678&tags=a,b&active=true", headers=KEY)
    assert arrays.status_code == 200


def test_literal_plus_and_percent_encoded_plus_are_the_same(c: Any) -> None:
    assert c.get("/v2.0/numbers?to=%2B33612345678", headers=KEY).status_code == 200
    # In a query string a literal '+' means a space: the client must encode it.
    spaced = c.get("/v2.0/numbers?to=+33612345678", headers=KEY)
    assert spaced.status_code == 400


def test_unhandled_operation_answers_from_the_spec_example(c: Any, mini: Any) -> None:
    assert "makeThing" in runtime_of(mini).unhandled
    response = c.post("/v2.0/things", json={"name": "lamp"}, headers=KEY)
    assert response.status_code == 201
    assert response.get_json() == {"id": "abc"}


def test_unhandled_operation_without_example_answers_from_the_schema(c: Any, mini: Any) -> None:
    response = c.get("/v2.0/things/abcdefgh", headers=KEY)
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 3 and body["when"].endswith("Z")
    assert runtime_of(mini).journal.list_violations() == []


def test_a_response_that_breaks_the_spec_becomes_a_loud_500(
    c: Any, mini: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        runtime_of(mini).handlers,
        "ping",
        lambda call: Reply(200, {"pong": "pong", "time": "yesterday"}),
    )
    response = c.get("/v2.0/ping", headers=KEY)
    assert response.status_code == 500
    body = error_of(response)
    assert body["code"] == "contract-violation"
    assert "ping 200 response body at '/time'" in body["message"]
    violations = c.get("/_mock/violations").get_json()
    assert [v["operation"] for v in violations] == ["ping"]
    assert violations[0]["account"] == "sandbox1"


def test_lenient_mode_records_the_violation_but_passes_the_response(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(Settings(spec_path=MINI_SPEC, strict=False))
    monkeypatch.setitem(
        runtime_of(app).handlers, "ping", lambda call: Reply(200, {"pong": "ping", "time": "x"})
    )
    response = app.test_client().get("/v2.0/ping", headers=KEY)
    assert response.status_code == 200
    assert response.get_json()["pong"] == "ping"
    assert len(runtime_of(app).journal.list_violations()) == 1


def test_an_undeclared_status_is_a_violation(
    c: Any, mini: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        runtime_of(mini).handlers,
        "ping",
        lambda call: Reply(418, {"code": "teapot", "message": "no"}),
    )
    response = c.get("/v2.0/ping", headers=KEY)
    assert response.status_code == 500
    assert "status 418" in error_of(response)["message"]


def test_a_crashing_handler_is_a_recorded_500_not_a_traceback(
    c: Any, mini: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(call: Any) -> Reply:
        raise KeyError("boom")

    monkeypatch.setitem(runtime_of(mini).handlers, "ping", crash)
    response = c.get("/v2.0/ping", headers=KEY)
    assert response.status_code == 500
    body = error_of(response)
    assert body["code"] == "internal-error" and "KeyError" in body["message"]
    assert c.get("/_mock/violations").get_json()[0]["message"].startswith("ping crashed")


def test_journal_records_method_path_status_account_and_operation(c: Any) -> None:
    c.get("/v2.0/tasks?limit=3", headers=KEY)
    c.get("/v2.0/tasks?limit=0", headers=KEY)
    c.get("/v2.0/ping")
    entries = c.get("/_mock/journal").get_json()
    assert [
        (e["method"], e["path"], e["status"], e["account"], e["operation"]) for e in entries
    ] == [
        ("GET", "/v2.0/tasks", 200, "sandbox1", "searchTasks"),
        ("GET", "/v2.0/tasks", 400, "sandbox1", "searchTasks"),
        ("GET", "/v2.0/ping", 401, None, "ping"),
    ]
    assert entries[0]["query"] == "limit=3"
    since = entries[1]["seq"]
    assert [e["status"] for e in c.get(f"/_mock/journal?since={since}").get_json()] == [401]
    assert c.delete("/_mock/journal").status_code == 204
    assert c.get("/_mock/journal").get_json() == []
