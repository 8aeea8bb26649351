"""Bad input against the real Callr spec: each kind gets a Callr error body with the right
status, never a 5xx, and leaves the account's state exactly as it was."""

from __future__ import annotations

import base64
from typing import Any

import pytest

SCRIPT = "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n"
JSON = {"content_type": "application/json"}
KEY = "callr-mock-demo-key"


def basic_header(raw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


CASES: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    # id, method, path, request kwargs, status, error code
    (
        "malformed-json",
        "POST",
        "/sms?to=%2B33612345678",
        {"data": '{"text": "hi"', **JSON},
        400,
        "malformed-json",
    ),
    (
        "truncated-json",
        "POST",
        "/actions",
        {"data": '{"name": "A", "scr', **JSON},
        400,
        "malformed-json",
    ),
    ("json-array-not-object", "POST", "/actions", {"data": "[]", **JSON}, 400, "invalid-body"),
    (
        "json-string-not-object",
        "POST",
        "/sms?to=%2B33612345678",
        {"data": '"hello"', **JSON},
        400,
        "invalid-body",
    ),
    (
        "wrong-content-type",
        "POST",
        "/actions",
        {"data": "name=A", "content_type": "application/x-www-form-urlencoded"},
        415,
        "unsupported-media-type",
    ),
    (
        "missing-content-type",
        "POST",
        "/sms?to=%2B33612345678",
        {"data": b'{"text": "hi"}'},
        415,
        "unsupported-media-type",
    ),
    (
        "xml-body",
        "POST",
        "/webhooks",
        {"data": "<webhook/>", "content_type": "application/xml"},
        415,
        "unsupported-media-type",
    ),
    (
        "body-over-1mib",
        "POST",
        "/sms?to=%2B33612345678",
        {"data": b'{"text": "' + b"a" * (1 << 20) + b'"}', **JSON},
        413,
        "payload-too-large",
    ),
    (
        "deeply-nested-json",
        "POST",
        "/actions",
        {"data": '{"name": ' + "[" * 50_000 + "]" * 50_000 + "}", **JSON},
        400,
        "malformed-json",
    ),
    (
        "unknown-field",
        "POST",
        "/actions",
        {"json": {"name": "A", "script": SCRIPT, "owner": "me"}},
        400,
        "invalid-body",
    ),
    (
        "text-too-long",
        "POST",
        "/sms?to=%2B33612345678",
        {"json": {"text": "a" * 3201}},
        400,
        "invalid-body",
    ),
    ("text-empty", "POST", "/sms?to=%2B33612345678", {"json": {"text": ""}}, 400, "invalid-body"),
    (
        "nul-byte-in-name",
        "POST",
        "/actions",
        {"json": {"name": "\x00", "script": SCRIPT}},
        400,
        "invalid-name",
    ),
    (
        "name-without-letter",
        "POST",
        "/actions",
        {"json": {"name": "1234 🙂", "script": SCRIPT}},
        400,
        "invalid-name",
    ),
    (
        "lone-surrogate-escape",
        "POST",
        "/sms?to=%2B33612345678",
        {"data": '{"text": "hi \\ud800"}', **JSON},
        400,
        "malformed-json",
    ),
    (
        "surrogate-pair-is-fine",
        "POST",
        "/sms?to=%2B33612345678&encoding=unicode",
        {"data": '{"text": "\\ud83d\\ude00"}', **JSON},
        201,
        "",
    ),
    (
        "script-not-yaml",
        "POST",
        "/actions",
        {"json": {"name": "A", "script": "branches: [unclosed"}},
        400,
        "invalid-script",
    ),
    (
        "e164-without-plus",
        "POST",
        "/sms?to=33612345678",
        {"json": {"text": "hi"}},
        400,
        "invalid-parameter",
    ),
    (
        "e164-overlong",
        "POST",
        "/sms?to=%2B3361234567890123",
        {"json": {"text": "hi"}},
        400,
        "invalid-parameter",
    ),
    (
        "e164-letters",
        "POST",
        "/sms?to=%2B33ABCDEFGH",
        {"json": {"text": "hi"}},
        400,
        "invalid-parameter",
    ),
    ("e164-impossible", "POST", "/sms?to=%2B3312", {"json": {"text": "hi"}}, 400, "invalid-number"),
    (
        "literal-plus-in-query",
        "POST",
        "/sms?to=+33612345678",
        {"json": {"text": "hi"}},
        400,
        "invalid-parameter",
    ),
    ("missing-required-query", "POST", "/sms", {"json": {"text": "hi"}}, 400, "missing-parameter"),
    ("sid-too-short", "GET", "/sms/abc", {}, 400, "invalid-parameter"),
    ("sid-too-long", "GET", "/sms/abcdefghi", {}, 400, "invalid-parameter"),
    ("sid-uppercase", "GET", "/sms/ABCDEFGH", {}, 400, "invalid-parameter"),
    ("sid-punctuation", "GET", "/sms/abcd_fgh", {}, 400, "invalid-parameter"),
    ("unknown-sid", "GET", "/sms/zzzzzzzz", {}, 404, "not-found"),
    ("path-traversal-in-id", "GET", "/actions/..%2F..%2Fetc", {}, 404, "not-found"),
    ("dot-dot-as-sid", "GET", "/actions/..", {}, 400, "invalid-parameter"),
    ("number-not-e164-in-path", "GET", "/numbers/0612345678", {}, 400, "invalid-parameter"),
    ("negative-offset", "GET", "/sms?offset=-1", {}, 400, "invalid-parameter"),
    ("huge-offset", "GET", "/sms?offset=999999999999", {}, 200, ""),
    ("limit-over-100", "GET", "/sms?limit=101", {}, 400, "invalid-parameter"),
    ("limit-not-integer", "GET", "/actions?limit=1.5", {}, 400, "invalid-parameter"),
    ("bad-enum", "GET", "/sms?status=SENT", {}, 400, "invalid-parameter"),
    ("bad-date", "GET", "/sms?createdAfter=yesterday", {}, 400, "invalid-parameter"),
    ("unknown-query-parameter", "GET", "/sms?colour=red", {}, 400, "unknown-parameter"),
    ("duplicate-query-parameter", "GET", "/sms?limit=1&limit=2", {}, 400, "duplicate-parameter"),
    (
        "params-in-body-not-query",
        "POST",
        "/calls/export",
        {"json": {"direction": "inbound"}},
        400,
        "unexpected-body",
    ),
    ("wrong-method", "PUT", "/sms", {}, 405, "method-not-allowed"),
    ("head", "HEAD", "/sms", {}, 405, ""),
    ("options", "OPTIONS", "/actions", {}, 405, "method-not-allowed"),
    ("unknown-path", "GET", "/smss", {}, 404, "not-found"),
]


def snapshot(client: Any) -> Any:
    state = client.get("/_mock/state?account=sandbox1").get_json()
    return state["accounts"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_input(
    api: Any, method: str, path: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot(api.client)
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status >= 400:
        assert snapshot(api.client) == before
    if code:
        body = response.get_json()
        assert set(body) == {"code", "message"} and body["code"] == code, body
        assert body["message"]


AUTH_CASES = [
    ("no-credentials", {}, "missing-credentials"),
    ("empty-api-key", {"x-api-key": ""}, "invalid-credentials"),
    ("blank-api-key", {"x-api-key": "   "}, "invalid-credentials"),
    ("wrong-api-key", {"x-api-key": "nope"}, "invalid-credentials"),
    ("basic-not-base64", {"Authorization": "Basic %%%"}, "invalid-credentials"),
    ("basic-no-colon", basic_header("sandbox1"), "invalid-credentials"),
    ("basic-empty-key", basic_header("sandbox1:"), "invalid-credentials"),
    (
        "basic-not-utf8",
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()},
        "invalid-credentials",
    ),
    ("basic-scheme-only", {"Authorization": "Basic"}, "invalid-credentials"),
    ("digest-scheme", {"Authorization": "Digest username=sandbox1"}, "invalid-credentials"),
]


@pytest.mark.parametrize(
    ("headers", "code"), [c[1:] for c in AUTH_CASES], ids=[c[0] for c in AUTH_CASES]
)
def test_bad_credentials(client: Any, headers: dict[str, str], code: str) -> None:
    before = snapshot(client)
    response = client.post("/v2.0/sms?to=%2B33612345678", json={"text": "hi"}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["code"] == code
    assert snapshot(client) == before
