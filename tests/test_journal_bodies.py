"""GET /_mock/journal/{seq}: each entry's request and answer, bounded and redacted."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY, create_app, runtime_of
from callr_mock.base.journal import BODY_LIMIT
from callr_mock.base.redaction import REDACTED, SECRET_NAME
from callr_mock.base.settings import Settings
from webhook_receiver import Receiver

KEY = {"x-api-key": DEMO_API_KEY}
SECRET = "s3cr3t-k3y-0f-m1n3"
LEGACY = "/json-rpc/v1.1/"


def entries(client: Any) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = client.get("/_mock/journal").get_json()
    return listed


def last_entry(client: Any) -> dict[str, Any]:
    seq = entries(client)[-1]["seq"]
    response = client.get(f"/_mock/journal/{seq}")
    assert response.status_code == 200, response.get_json()
    found: dict[str, Any] = response.get_json()
    return found


def never_shows(entry: dict[str, Any], *secrets: str) -> None:
    text = json.dumps(entry, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text


def test_an_entry_has_its_request_and_answer_and_the_list_stays_light(client: Any) -> None:
    sent = client.post("/v2.0/sms?to=%2B33612345678", json={"text": "hi"}, headers=KEY)
    assert sent.status_code == 201
    listed = entries(client)[-1]
    assert "request" not in listed and "response" not in listed
    entry = last_entry(client)
    assert {k: entry[k] for k in listed} == listed
    request = entry["request"]
    assert request["kind"] == "json" and request["body"] == {"text": "hi"}
    assert request["content_type"] == "application/json"
    assert request["size"] == len(b'{"text": "hi"}') and request["truncated_bytes"] == 0
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-Api-Key"] == DEMO_API_KEY[:4] + "…" + REDACTED
    answer = entry["response"]
    assert answer["kind"] == "json" and answer["body"] == sent.get_json()
    assert answer["size"] == len(sent.get_data())
    never_shows(entry, DEMO_API_KEY)


def test_secrets_in_headers_and_bodies_are_redacted(client: Any) -> None:
    basic = base64.b64encode(f"{DEMO_ACCOUNT_SID}:{DEMO_API_KEY}".encode()).decode()
    created = client.post(
        "/v2.0/webhooks",
        json={
            "type": "v2.sms.outbound.updated",
            "endpoint": "http://127.0.0.1:9/",
            "secret": SECRET,
        },
        headers={"Authorization": f"Basic {basic}"},
    )
    assert created.status_code == 201
    entry = last_entry(client)
    assert entry["request"]["body"]["secret"] == REDACTED
    # the login is masked like a key (a client may send its key there, issue 26)
    assert entry["request"]["headers"]["Authorization"] == f"Basic {REDACTED}:{REDACTED} (base64)"
    never_shows(entry, SECRET, DEMO_API_KEY, basic)
    key_as_login = base64.b64encode(f"{DEMO_API_KEY}:x".encode()).decode()
    client.get("/v2.0/ping", headers={"Authorization": f"Basic {key_as_login}"})
    shown = last_entry(client)["request"]["headers"]["Authorization"]
    assert DEMO_API_KEY not in shown and shown.startswith("Basic call…")

    # removing the secret (null) says nothing secret and is shown as sent
    sid = created.get_json()["sid"]
    assert (
        client.patch(f"/v2.0/webhooks/{sid}", json={"secret": None}, headers=KEY).status_code == 200
    )
    assert last_entry(client)["request"]["body"] == {"secret": None}

    # a secret in a query string (refused: unknown parameter) is masked in the list and the entry
    client.get(f"/v2.0/sms?api_key={SECRET}&limit=1", headers=KEY)
    assert (
        entries(client)[-1]["query"]
        == f"api_key={REDACTED.replace('[', '%5B').replace(']', '%5D')}&limit=1"
    )
    never_shows(last_entry(client), SECRET)

    # a form body, refused (415): its secret-named fields are masked in the text
    client.post("/v2.0/sms?to=%2B33612345678", data={"api_key": SECRET, "text": "x"}, headers=KEY)
    refused = last_entry(client)
    assert refused["status"] == 415 and refused["request"]["kind"] == "text"
    assert refused["request"]["body"] == f"api_key={REDACTED}&text=x"
    never_shows(refused, SECRET)


def test_legacy_calls_keep_their_error_and_their_credentials_are_masked(client: Any) -> None:
    auth = {"Authorization": f"Api-Key {DEMO_API_KEY}"}
    call = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "webhooks.subscribe",
        "params": ["sms.mt.status_update", "http://127.0.0.1:9/", {"hmac_secret": SECRET}],
    }
    assert client.post(LEGACY, json=call, headers=auth).status_code == 200
    subscribed = last_entry(client)
    assert subscribed["error"] is None
    assert subscribed["request"]["body"]["params"][2] == {"hmac_secret": REDACTED}
    assert subscribed["request"]["headers"]["Authorization"] == f"Api-Key call…{REDACTED}"
    assert subscribed["response"]["body"]["result"]["endpoint"] == "http://127.0.0.1:9/"
    assert subscribed["response"]["content_type"].startswith("application/json-rpc")
    never_shows(subscribed, SECRET, DEMO_API_KEY)

    unknown = {"jsonrpc": "2.0", "id": 8, "method": "sms.nope", "params": []}
    answer = json.loads(client.post(LEGACY, json=unknown, headers=auth).get_data())
    assert answer["error"]["code"] == -32601
    listed = entries(client)[-1]
    assert listed["error"] == {"code": -32601, "message": "method not found: 'sms.nope'"}


def test_a_big_body_is_cut_with_a_marker_and_binary_is_not_shown(client: Any) -> None:
    data = json.dumps({"apiKey": SECRET, "text": "x" * 40_000}).encode()
    client.post(
        "/v2.0/sms?to=%2B33612345678",
        data=data,
        headers={**KEY, "Content-Type": "application/json"},
    )
    request = last_entry(client)["request"]
    cut = len(data) - BODY_LIMIT
    assert request["kind"] == "text" and request["size"] == len(data)
    assert request["truncated_bytes"] == cut
    assert request["body"].endswith(f"…[truncated {cut} bytes]")
    assert request["body"].startswith('{"apiKey": "' + REDACTED + '", "text": "xxx')
    assert SECRET not in request["body"]

    client.post(
        "/v2.0/sms?to=%2B33612345678",
        data=bytes(range(256)),
        headers={**KEY, "Content-Type": "application/octet-stream"},
    )
    binary = last_entry(client)["request"]
    assert binary["kind"] == "binary" and binary["body"] == "256 bytes binary"


def test_bad_or_unknown_seq_is_a_callr_error_never_a_500(client: Any) -> None:
    assert client.get("/v2.0/ping", headers=KEY).status_code == 200
    for seq, status, code in [
        ("abc", 400, "invalid-parameter"),
        ("0", 400, "invalid-parameter"),
        ("1.5", 400, "invalid-parameter"),
        ("999999", 404, "not-found"),
    ]:
        response = client.get(f"/_mock/journal/{seq}")
        assert response.status_code == status and response.get_json()["code"] == code, seq
    assert client.delete("/_mock/journal").status_code == 204
    assert client.get("/_mock/journal/1").status_code == 404


@pytest.fixture
def small_journal() -> Any:
    app = create_app(Settings(clock="frozen", journal_limit=5))
    runtime_of(app).journal.body_budget = 3 * 1024
    return app


def test_the_journal_is_bounded_in_count_and_memory(small_journal: Any) -> None:
    client = small_journal.test_client()
    journal = runtime_of(small_journal).journal
    text = "y" * 1000
    for _ in range(8):
        sent = client.post("/v2.0/sms?to=%2B33612345678", json={"text": text}, headers=KEY)
        assert sent.status_code == 201
        assert journal.kept_bytes() <= journal.body_budget
    listed = entries(client)
    assert len(listed) == 5
    assert client.get("/_mock/journal/1").status_code == 404  # evicted by the count limit
    shown = [client.get(f"/_mock/journal/{e['seq']}").get_json() for e in listed]
    kinds = [entry["request"]["kind"] for entry in shown]
    assert kinds[-1] == "json" and "dropped" in kinds  # the oldest lost their bodies first
    assert kinds == sorted(kinds, key=lambda kind: kind != "dropped")
    dropped = shown[kinds.index("dropped")]["request"]
    assert dropped["headers"] == {} and "dropped" in dropped["body"]
    assert client.delete("/_mock/journal").status_code == 204
    assert journal.kept_bytes() == 0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_a_webhook_attempt_keeps_the_envelope_it_sent(client: Any, receiver: Receiver) -> None:
    target = receiver.url + "?token=" + SECRET
    hook = {"type": "v2.billing.credit.topup", "endpoint": target, "secret": SECRET}
    assert client.post("/v2.0/webhooks", json=hook, headers=KEY).status_code == 201
    assert (
        client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/credit", json={"amount": "5"}).status_code
        == 200
    )
    assert receiver.wait_for(1)
    assert runtime_of(client.application).delivery.drain(5)
    attempt = next(e for e in entries(client) if e["path"].startswith(receiver.url))
    assert attempt["path"] == receiver.url + "?token=%5Bredacted%5D"  # a token in the target URL
    entry = client.get(f"/_mock/journal/{attempt['seq']}").get_json()
    assert entry["request"]["body"] == receiver.received[0].json
    signature = entry["request"]["headers"]["X-CALLR-HmacSignature"]
    assert signature.endswith(REDACTED) and signature != receiver.received[0].headers.get(
        "X-CALLR-HmacSignature"
    )
    assert receiver.received[0].path == "/hook?token=" + SECRET  # sent as given
    assert entry["response"]["kind"] == "text" and entry["response"]["body"] == "ok"  # its answer
    never_shows(entry, SECRET)
    created = next(e for e in entries(client) if e["operation"] == "createWebhook")
    shown = client.get(f"/_mock/journal/{created['seq']}").get_json()
    assert shown["request"]["body"]["endpoint"] == receiver.url + "?token=" + REDACTED
    never_shows(shown, SECRET)


def test_the_inspector_masks_the_same_names_as_the_server() -> None:
    script = (
        Path(__file__).resolve().parents[1]
        / "mockserver/web/surfaces/control/inspector_static/inspector.js"
    )
    found = re.search(r"const SECRET = /(.+?)/i;", script.read_text(encoding="utf-8"))
    assert found is not None and found.group(1) == SECRET_NAME.pattern
