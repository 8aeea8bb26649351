"""Legacy ``cdr.export_async``, ``billing.get_prepaid_credit``, ``list.destinations`` and
``webhooks.*`` on the REST calls, credit, price list and webhook subscriptions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.handlers.legacy.mapping import LEGACY_WEBHOOK_TYPES, WEBHOOK_TYPES
from callr_mock.plugin.parity import LegacyClient, assert_parity
from callr_mock.state.events import EVENT_TYPES
from legacy_support import NOW, add_call, legacy_client, ok, rpc_error

ENDPOINT = "https://example.com/callr/webhooks"
SECRET = "s3cr3t-k3y-0f-m1n3"


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


# -- CDR export ------------------------------------------------------------------------------------
def test_cdr_export_is_a_job(rpc: LegacyClient, client: Any, api: Any) -> None:
    add_call(client, "inbound", "2026-01-01T10:00:00Z")
    add_call(client, "outbound", "2026-01-01T10:30:00Z")
    add_call(client, "inbound", "2026-01-01T11:30:00Z")
    job_hash = rpc.call(
        "cdr.export_async", "IN", "2026-01-01 09:00:00", "2026-01-01 11:00:00", {"format": "JSON"}
    )
    task = ok(api.get(f"/tasks/{job_hash.lower()}"))
    assert (task["type"], task["status"]) == ("calls-export", "pending")
    api.advance(3)
    job = rpc.call("jobs.get", job_hash)
    assert job["status"] == "DONE" and job["result"]["records"] == 1
    assert job["result"]["format"] == "json"
    assert_parity("job", job, ok(api.get(f"/tasks/{job_hash.lower()}")))
    exported = client.get(job["result"]["url"].split("localhost", 1)[-1]).get_json()
    assert [r["direction"] for r in exported] == ["inbound"]
    both = rpc.call("cdr.export_async", None, None, None)
    api.advance(3)
    assert rpc.call("jobs.get", both)["result"]["records"] == 3
    assert rpc.call("jobs.get", both)["result"]["format"] == "csv"


def test_rest_export_is_a_legacy_job(rpc: LegacyClient, api: Any) -> None:
    task = ok(api.post("/calls/export", query_string={"direction": "outbound"}), 202)
    assert_parity("job", rpc.call("jobs.get", task["sid"].upper()), task)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (["INBOUND", None, None], "IN, OUT"),
        (["IN", "2026-01-01T09:00:00Z", None], "YYYY-MM-DD"),
        (["IN", None, None, {"format": "XML"}], "CSV or JSON"),
        (["IN", None, None, {"zip": True}], "unknown option"),
    ],
)
def test_cdr_export_errors(rpc: LegacyClient, params: list[Any], words: str) -> None:
    error = rpc_error(rpc, "cdr.export_async", *params)
    assert error.code == -32602 and words in error.message


def test_cdr_export_range(rpc: LegacyClient) -> None:
    error = rpc_error(rpc, "cdr.export_async", None, "2026-01-02 00:00:00", "2026-01-01 00:00:00")
    assert error.code == -32000 and error.data["code"] == "invalid-range"


# -- billing and destinations ---------------------------------------------------------------------
def test_prepaid_credit_follows_the_rest_balance(rpc: LegacyClient, client: Any, api: Any) -> None:
    assert rpc.call("billing.get_prepaid_credit") == 10000.0
    rpc.call("sms.send", "SMS", "+33612345678", "Hi", None)
    balance = ok(api.get("/billing/credit"))["balance"]
    assert Decimal(str(rpc.call("billing.get_prepaid_credit"))) == Decimal(balance) < 10000
    client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/credit", json={"amount": "1000"})
    assert Decimal(str(rpc.call("billing.get_prepaid_credit"))) == Decimal(balance) + 1000


def test_destinations_are_the_rest_price_list(rpc: LegacyClient, api: Any) -> None:
    rest = ok(api.get("/billing/destinations", query_string={"limit": 100}))
    legacy = rpc.call("list.destinations")
    assert len(legacy) == rest["total"]
    first = rest["hits"][0]
    assert legacy[0] == {
        "label": first["label"],
        "country_code": first["country"],
        "type": first["type"].upper(),
        "class": first["class"].upper() if first["class"] else None,
        "price": first["price"],
        "unit": first["unit"].upper(),
        "currency": first["currency"],
    }
    french = rpc.call("list.destinations", "FR")
    assert french and {d["country_code"] for d in french} == {"FR"}
    assert {"FR-SMS"} <= {d["label"] for d in french}
    assert rpc_error(rpc, "list.destinations", "France").code == -32602


# -- webhooks ----------------------------------------------------------------------------------------
def test_subscribe_with_a_legacy_type(rpc: LegacyClient, api: Any) -> None:
    hook = rpc.call("webhooks.subscribe", "sms.mt.status_update", ENDPOINT, {"hmac_secret": SECRET})
    assert hook == {
        "hash": hook["hash"],
        "type": "sms.mt.status_update",
        "endpoint": ENDPOINT,
        "options": {"hmac_algo": "SHA256", "format": "JSON"},
        "active": True,
        "date_creation": NOW,
        "date_update": NOW,
    }
    rest = ok(api.get(f"/webhooks/{hook['hash'].lower()}"))
    assert (rest["type"], rest["signed"], rest["enabled"]) == (
        "v2.sms.outbound.updated",
        True,
        True,
    )
    assert_parity("webhook", hook, rest)


def test_enable_disable_list_unsubscribe(rpc: LegacyClient, api: Any) -> None:
    first = rpc.call("webhooks.subscribe", "job.status_update", ENDPOINT, None)
    api.advance(1)
    second = rpc.call("webhooks.subscribe", "v2.number.assigned", ENDPOINT)
    assert second["type"] == "v2.number.assigned"  # no legacy name: the v2 name is kept
    assert rpc.call("webhooks.disable", first["hash"]) is True
    assert ok(api.get(f"/webhooks/{first['hash'].lower()}"))["enabled"] is False
    listed = rpc.call("webhooks.get_list")
    assert [(h["hash"], h["active"]) for h in listed] == [
        (second["hash"], True),
        (first["hash"], False),
    ]
    for hook in listed:
        assert_parity("webhook", hook, ok(api.get(f"/webhooks/{hook['hash'].lower()}")))
    assert rpc.call("webhooks.enable", first["hash"]) is True
    assert ok(api.get(f"/webhooks/{first['hash'].lower()}"))["enabled"] is True
    assert rpc.call("webhooks.unsubscribe", first["hash"]) is True
    assert api.get(f"/webhooks/{first['hash'].lower()}").status_code == 404
    assert rpc_error(rpc, "webhooks.unsubscribe", first["hash"]).code == -32004


def test_rest_subscriptions_are_listed_with_legacy_names(rpc: LegacyClient, api: Any) -> None:
    ok(api.post("/webhooks", json={"type": "v2.sms.inbound.received", "endpoint": ENDPOINT}), 201)
    [hook] = rpc.call("webhooks.get_list")
    assert (hook["type"], hook["options"]["hmac_algo"]) == ("sms.mo", None)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (["did.assigned", ENDPOINT], "no REST v2 equivalent"),
        (["media.recording.new", ENDPOINT], "no REST v2 equivalent"),
        (["sms.nope", ENDPOINT], "must be one of"),
        (["sms.mo", "ftp://example.com"], "endpoint"),
        (["sms.mo", ENDPOINT, {"hmac_algo": "MD5", "hmac_secret": SECRET}], "SHA256"),
        (["sms.mo", ENDPOINT, {"hmac_secret": "short"}], "secret"),
        (["sms.mo", ENDPOINT, {"format": "XML"}], "JSON"),
        (["sms.mo", ENDPOINT, {"retries": 3}], "unknown option"),
    ],
)
def test_subscribe_errors(rpc: LegacyClient, api: Any, params: list[Any], words: str) -> None:
    error = rpc_error(rpc, "webhooks.subscribe", *params)
    assert error.code == -32602 and words in error.message, error.message
    assert ok(api.get("/webhooks/search"))["total"] == 0


def test_the_webhook_type_table() -> None:
    assert set(WEBHOOK_TYPES.values()) <= set(EVENT_TYPES)
    assert len(LEGACY_WEBHOOK_TYPES) == len(WEBHOOK_TYPES)  # one legacy name per v2 type
