"""The legacy JSON-RPC endpoint as a protocol: envelope, ids, errors, auth, journal."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY
from callr_mock.handlers.legacy import methods
from callr_mock.handlers.legacy.core import P, Registry, state_error_code
from callr_mock.handlers.legacy.rosetta import ROWS, SDK_TABLE
from callr_mock.plugin.parity import LegacyClient, LegacyError

URL = "/json-rpc/v1.1/"
SEND = ["SMS", "+33612345678", "Hello, world", None]


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return LegacyClient(URL, login=DEMO_ACCOUNT_SID, password=DEMO_API_KEY, transport=client)


def post(client: Any, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    auth = base64.b64encode(f"{DEMO_ACCOUNT_SID}:{DEMO_API_KEY}".encode()).decode()
    response = client.post(
        URL, data=raw, headers={"Authorization": f"Basic {auth}", **(headers or {})}
    )
    return response.status_code, json.loads(response.data)


def test_the_docs_example_round_trip(client: Any, api: Any) -> None:
    request = {"jsonrpc": "2.0", "id": 42, "method": "sms.send", "params": SEND}
    response = client.post(
        URL,
        data=json.dumps(request),
        headers={
            "Authorization": "Basic "
            + base64.b64encode(f"{DEMO_ACCOUNT_SID}:{DEMO_API_KEY}".encode()).decode(),
            "Content-Type": "application/json-rpc; charset=utf-8",
        },
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json-rpc; charset=utf-8"
    body = json.loads(response.data)
    assert set(body) == {"jsonrpc", "id", "result"}
    assert body["jsonrpc"] == "2.0" and body["id"] == 42
    sms_hash = body["result"]
    assert isinstance(sms_hash, str) and len(sms_hash) == 8 and sms_hash == sms_hash.upper()
    assert api.get(f"/sms/{sms_hash.lower()}").status_code == 200


@pytest.mark.parametrize("request_id", [42, "abc-1", 0, 1.5, None])
def test_the_id_is_echoed_as_given(client: Any, request_id: Any) -> None:
    status, body = post(
        client, {"jsonrpc": "2.0", "id": request_id, "method": "billing.get_prepaid_credit"}
    )
    assert status == 200 and body["id"] == request_id and "result" in body


def test_params_may_be_omitted_for_methods_without_parameters(rpc: LegacyClient) -> None:
    assert rpc.call("billing.get_prepaid_credit") == 10000.0


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("{not json", -32700, "parse error"),
        ("", -32600, "empty"),
        ('[{"jsonrpc":"2.0","id":1,"method":"billing.get_prepaid_credit"}]', -32600, "batch"),
        ('"sms.send"', -32600, "JSON-RPC object"),
        ('{"id":1,"method":"billing.get_prepaid_credit"}', -32600, "jsonrpc"),
        ('{"jsonrpc":"1.0","id":1,"method":"billing.get_prepaid_credit"}', -32600, "jsonrpc"),
        ('{"jsonrpc":"2.0","method":"billing.get_prepaid_credit"}', -32600, "notifications"),
        ('{"jsonrpc":"2.0","id":{"a":1},"method":"x"}', -32600, "'id'"),
        ('{"jsonrpc":"2.0","id":1}', -32600, "'method'"),
        ('{"jsonrpc":"2.0","id":1,"method":"x","extra":1}', -32600, "extra"),
        ('{"jsonrpc":"2.0","id":1,"method":"no.such"}', -32601, "no.such"),
        (
            '{"jsonrpc":"2.0","id":1,"method":"sms.get","params":{"hash":"ABCDEFGH"}}',
            -32602,
            "named",
        ),
        ('{"jsonrpc":"2.0","id":1,"method":"sms.get","params":"ABCDEFGH"}', -32602, "array"),
        ('{"jsonrpc":"2.0","id":1,"method":"sms.get","params":[]}', -32602, "missing"),
        ('{"jsonrpc":"2.0","id":1,"method":"sms.get","params":["A","B"]}', -32602, "at most 1"),
        ('{"jsonrpc":"2.0","id":1,"method":"sms.get","params":[42]}', -32602, "must be string"),
        (
            '{"jsonrpc":"2.0","id":1,"method":"did/store.reserve","params":[true,"CLASSIC",1]}',
            -32602,
            "integer",
        ),
    ],
)
def test_protocol_errors(client: Any, raw: str, code: int, words: str) -> None:
    status, body = post(client, raw)
    assert status == 200
    assert set(body) == {"jsonrpc", "id", "error"} and body["jsonrpc"] == "2.0"
    assert body["error"]["code"] == code
    assert words.lower() in body["error"]["message"].lower(), body["error"]["message"]
    expected_id = 1 if raw.startswith("{") and '"id":1' in raw else None
    assert body["id"] == expected_id


def test_state_errors_carry_the_rest_code_and_status(rpc: LegacyClient) -> None:
    with pytest.raises(LegacyError) as not_found:
        rpc.call("sms.get", "ABCDEFGH")
    assert not_found.value.code == -32004 and not_found.value.http_status == 200
    assert not_found.value.data == {"code": "not-found", "status": 404}
    assert "abcdefgh" in not_found.value.message
    with pytest.raises(LegacyError) as refused:
        rpc.call("did/store.reserve", 33199, "CLASSIC", 1, "RANDOM")  # the magic sold-out prefix
    assert refused.value.code == -32000 and refused.value.data == {
        "code": "sold-out",
        "status": 400,
    }


def test_state_error_codes() -> None:
    assert [state_error_code(s) for s in (400, 401, 403, 404, 500)] == [
        -32000,
        -32001,
        -32003,
        -32004,
        -32603,
    ]


def test_insufficient_credit_is_minus_32003(rpc: LegacyClient, client: Any) -> None:
    client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/credit", json={"balance": "0.00"})
    with pytest.raises(LegacyError) as error:
        rpc.call("sms.send", *SEND)
    assert error.value.code == -32003 and error.value.data["code"] == "insufficient-credit"


# -- authentication ------------------------------------------------------------------------------
def test_basic_login_password_is_account_sid_and_api_key(client: Any) -> None:
    legacy = LegacyClient(URL, login=DEMO_ACCOUNT_SID, password=DEMO_API_KEY, transport=client)
    assert legacy.call("billing.get_prepaid_credit") == 10000.0


def test_api_key_scheme(client: Any) -> None:
    legacy = LegacyClient(URL, api_key=DEMO_API_KEY, transport=client)
    assert legacy.call("billing.get_prepaid_credit") == 10000.0


def test_both_auth_forms_reach_the_same_account(client: Any, other_api: Any) -> None:
    by_key = LegacyClient(URL, api_key=other_api.key, transport=client)
    sms_hash = by_key.call("sms.send", *SEND)
    # the other account's SMS is not the demo account's
    demo = LegacyClient(URL, login=DEMO_ACCOUNT_SID, password=DEMO_API_KEY, transport=client)
    with pytest.raises(LegacyError) as error:
        demo.call("sms.get", sms_hash)
    assert error.value.code == -32004
    assert other_api.get(f"/sms/{sms_hash.lower()}").status_code == 200


def test_sub_account_basic_with_the_master_key(client: Any) -> None:
    sub = client.post("/_mock/accounts", json={"parent": DEMO_ACCOUNT_SID}).get_json()
    legacy = LegacyClient(URL, login=sub["sid"], password=DEMO_API_KEY, transport=client)
    sms_hash = legacy.call("sms.send", *SEND)
    assert (
        client.get(f"/_mock/state?account={sub['sid']}").get_json()["accounts"][0]["sms"][0]["sid"]
        == sms_hash.lower()
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Api-Key nope"},
        {"Authorization": "Api-Key "},
        {
            "Authorization": "Basic "
            + base64.b64encode(f"{DEMO_ACCOUNT_SID}:wrong".encode()).decode()
        },
        {"Authorization": "Basic !!!"},
        {"Authorization": "Session abc"},
        {"x-api-key": DEMO_API_KEY},  # the REST header alone is not a legacy form
    ],
)
def test_auth_failures_are_http_401_with_a_json_rpc_error(
    client: Any, headers: dict[str, str]
) -> None:
    response = client.post(
        URL,
        data=json.dumps({"jsonrpc": "2.0", "id": 7, "method": "sms.send", "params": SEND}),
        headers=headers,
    )
    assert response.status_code == 401
    body = json.loads(response.data)
    assert body["id"] == 7 and body["error"]["code"] == -32001
    assert body["error"]["data"]["status"] == 401
    assert client.get("/_mock/state").get_json()["accounts"][0]["sms"] == []


def test_auth_is_checked_before_parsing(client: Any) -> None:
    response = client.post(URL, data="{broken")
    assert response.status_code == 401 and json.loads(response.data)["error"]["code"] == -32001


# -- HTTP details ----------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_only_post(client: Any, method: str) -> None:
    response = client.open(URL, method=method)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert json.loads(response.data)["error"]["code"] == -32600


def test_path_without_trailing_slash(client: Any) -> None:
    legacy = LegacyClient(URL.rstrip("/"), api_key=DEMO_API_KEY, transport=client)
    assert legacy.call("billing.get_prepaid_credit") == 10000.0


def test_content_type_is_not_required(client: Any) -> None:
    status, body = post(
        client,
        {"jsonrpc": "2.0", "id": 1, "method": "billing.get_prepaid_credit"},
        {"Content-Type": "text/plain"},
    )
    assert status == 200 and body["result"] == 10000.0


def test_calls_are_journaled_with_the_legacy_method(rpc: LegacyClient, client: Any) -> None:
    rpc.call("billing.get_prepaid_credit")
    with pytest.raises(LegacyError):
        rpc.call("sms.get", "ABCDEFGH")
    entries = [e for e in client.get("/_mock/journal").get_json() if e["path"] == URL]
    assert [(e["operation"], e["status"], e["account"]) for e in entries] == [
        ("jsonrpc:billing.get_prepaid_credit", 200, DEMO_ACCOUNT_SID),
        ("jsonrpc:sms.get", 200, DEMO_ACCOUNT_SID),
    ]


def test_a_crash_is_an_internal_error_and_a_recorded_violation(
    rpc: LegacyClient, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Registry()

    @broken.method("billing.get_prepaid_credit")
    def boom(ctx: Any) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setitem(
        methods(), "billing.get_prepaid_credit", broken["billing.get_prepaid_credit"]
    )
    with pytest.raises(LegacyError) as error:
        rpc.call("billing.get_prepaid_credit")
    assert error.value.code == -32603 and "kaboom" in error.value.message
    violations = client.get("/_mock/violations").get_json()
    assert [v["operation"] for v in violations] == ["jsonrpc:billing.get_prepaid_credit"]


def test_the_clock_runs_due_work_before_a_call(rpc: LegacyClient, client: Any) -> None:
    sms_hash = rpc.call("sms.send", *SEND)
    client.post("/_mock/clock/advance", json={"seconds": 5})
    assert rpc.call("sms.get", sms_hash)["status"] == "RECEIVED"


# -- the registry ---------------------------------------------------------------------------------
def test_every_rosetta_method_is_served() -> None:
    served = set(methods())
    assert {row.legacy for row in ROWS} <= served
    # beyond the guide's table: the SDK READMEs' methods (served or retired) and set_tags
    assert served - {row.legacy for row in ROWS} == {"media/library.set_tags"} | set(SDK_TABLE)


def test_positional_parameter_rules() -> None:
    registry = Registry()

    @registry.method("x.y", P("a"), P("b", "integer"), P("c", "object|null", optional=True))
    def target(ctx: Any, a: str, b: int, c: Any) -> Any:
        return [a, b, c]

    method = registry["x.y"]
    assert method.signature == "x.y(a, b, c?)"
    assert method.bind(["s", 3]) == ["s", 3, None]
    assert method.bind(["s", "12", {"k": 1}]) == ["s", 12, {"k": 1}]
    for bad in (["s", True], ["s", 1.5], [None, 1], ["s", 1, []]):
        with pytest.raises(Exception, match="must be"):
            method.bind(bad)
    with pytest.raises(ValueError, match="twice"):
        registry.method("x.y")(target)


def test_a_body_over_the_limit_is_413(client: Any, runtime: Any) -> None:
    text = "x" * (runtime.settings.max_body_bytes + 10)
    status, body = post(
        client,
        {"jsonrpc": "2.0", "id": 3, "method": "sms.send", "params": ["SMS", "+33612345678", text]},
    )
    assert (
        status == 413
        and body["error"]["code"] == -32600
        and "larger than" in body["error"]["message"]
    )
