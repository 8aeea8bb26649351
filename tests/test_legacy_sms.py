"""Legacy ``sms.*`` on the same SMS as REST v2: hash case, dates, status names, both ways."""

from __future__ import annotations

from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.plugin.parity import LegacyClient, assert_parity
from legacy_support import NOW, NOW_REST, legacy_client, ok, rpc_error

TO = "+33612345678"


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


def test_sent_by_json_rpc_read_by_rest(rpc: LegacyClient, api: Any) -> None:
    sms_hash = rpc.call("sms.send", "SMS", TO, "Hello, world", {"nature": "ALERTING"})
    assert len(sms_hash) == 8 and sms_hash == sms_hash.upper()
    rest = ok(api.get(f"/sms/{sms_hash.lower()}"))
    assert rest["sid"] == sms_hash.lower()
    assert (rest["from"], rest["to"], rest["body"]["text"]) == ("SMS", TO, "Hello, world")
    assert (rest["direction"], rest["status"], rest["trafficType"]) == (
        "outbound",
        "created",
        "alerting",
    )
    assert rest["created"] == NOW_REST
    assert api.get(f"/sms/{sms_hash}").status_code == 400  # REST sids are lower case only


def test_every_field_of_the_legacy_object(rpc: LegacyClient, api: Any) -> None:
    sms_hash = rpc.call("sms.send", None, TO, "Un été «chaud»", {"force_encoding": "UNICODE"})
    rest = ok(api.get(f"/sms/{sms_hash.lower()}"))
    assert rpc.call("sms.get", sms_hash) == {
        "hash": sms_hash,
        "type": "OUT",
        "from": rest["from"],
        "to": TO,
        "text": "Un été «chaud»",
        "options": {"force_encoding": "UNICODE", "nature": "MARKETING"},
        "status": "CREATED",
        "status_error": None,
        "parts": 1,
        "b_customer_mode": "PREPAID",
        "b_customer_debit": rest["cost"],
        "date_creation": NOW,
        "date_update": NOW,
        "date_sent": None,
        "date_received": None,
    }
    assert rest["encoding"] == "unicode" and rest["from"] == "+33199000000"


@pytest.mark.parametrize(
    ("seconds", "legacy", "rest"),
    [
        (0, "CREATED", "created"),
        (1, "PENDING", "pending"),
        (2, "SENT", "sent"),
        (3, "REMOTE_QUEUED", "remote-queued"),
        (5, "RECEIVED", "delivered"),
    ],
)
def test_lifecycle_status_names(
    rpc: LegacyClient, api: Any, seconds: int, legacy: str, rest: str
) -> None:
    sms_hash = rpc.call("sms.send", "SMS", TO, "Hi", None)
    api.advance(seconds)
    legacy_sms = rpc.call("sms.get", sms_hash)
    rest_sms = ok(api.get(f"/sms/{sms_hash.lower()}"))
    assert (legacy_sms["status"], rest_sms["status"]) == (legacy, rest)
    assert_parity("sms", legacy_sms, rest_sms)
    if seconds >= 5:
        assert legacy_sms["date_sent"] == "2026-01-01 12:00:02"
        assert legacy_sms["date_received"] == "2026-01-01 12:00:05"
        assert rest_sms["delivered"] == "2026-01-01T12:00:05.000Z"


def test_failed_and_error_outcomes(rpc: LegacyClient, api: Any) -> None:
    failed = rpc.call("sms.send", "SMS", "+33199000001", "x", None)
    refused = rpc.call("sms.send", "SMS", "+33199000003", "x", None)
    api.advance(3)
    assert rpc.call("sms.get", failed)["status"] == "FAILED"
    assert rpc.call("sms.get", failed)["status_error"] == "rejected by the carrier"
    assert rpc.call("sms.get", refused)["status"] == "ERROR"
    assert ok(api.get(f"/sms/{refused.lower()}"))["status"] == "error"


def test_sent_by_rest_read_by_json_rpc(rpc: LegacyClient, api: Any) -> None:
    rest = ok(
        api.post("/sms", query_string={"to": TO, "from": "CALLR"}, json={"text": "From REST"}), 201
    )
    legacy = rpc.call("sms.get", rest["sid"].upper())
    assert legacy["hash"] == rest["sid"].upper() and legacy["text"] == "From REST"
    assert_parity("sms", legacy, rest)
    assert rpc.call("sms.get", rest["sid"])["hash"] == rest["sid"].upper()  # any case is accepted


def test_inbound_sms_is_type_in(rpc: LegacyClient, client: Any, api: Any) -> None:
    created = client.post(
        f"/_mock/accounts/{DEMO_ACCOUNT_SID}/sms/inbound",
        json={"from": "+33639980042", "to": "+33199001234", "text": "Hi there"},
    ).get_json()
    legacy = rpc.call("sms.get", created["sid"].upper())
    assert (legacy["type"], legacy["status"], legacy["date_received"]) == ("IN", "RECEIVED", NOW)
    assert_parity("sms", legacy, ok(api.get(f"/sms/{created['sid']}")))


def test_search_filters_and_pages(rpc: LegacyClient, api: Any) -> None:
    first = rpc.call("sms.send", "SMS", "+33612345678", "alpha", None)
    api.advance(10)
    second = rpc.call("sms.send", "SMS", "+33699999999", "beta", {"nature": "ALERTING"})
    everything = rpc.call("sms.search", {}, {})
    assert [h["hash"] for h in everything["hits"]] == [second, first]  # newest first
    assert (everything["total"], everything["offset"], everything["has_more"]) == (2, 0, False)
    assert rpc.call("sms.search", None, {"order": "ASC"})["hits"][0]["hash"] == first
    page = rpc.call("sms.search", {}, {"limit": 1, "offset": 1})
    assert ([h["hash"] for h in page["hits"]], page["has_more"]) == ([first], False)
    assert rpc.call("sms.search", {}, {"limit": 1})["has_more"] is True

    def found(filters: dict[str, Any]) -> list[str]:
        return [h["hash"] for h in rpc.call("sms.search", filters, None)["hits"]]

    assert found({"status": "RECEIVED"}) == [first]
    assert found({"status": "CREATED", "type": "OUT"}) == [second]
    assert found({"type": "IN"}) == []
    assert found({"to": "+33699"}) == [second]
    assert found({"text": "ALP"}) == [first]
    assert found({"nature": "ALERTING"}) == [second]
    assert found({"date_from": "2026-01-01 12:00:05"}) == [second]
    assert found({"date_to": "2026-01-01 12:00:00"}) == [first]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (["SMS", "0612345678", "x", None], "to"),
        (["SMS", TO, "", None], "text"),
        (["SMS", TO, "x" * 3201, None], "3200"),
        (["MUCH-TOO-LONG-SENDER", TO, "x", None], "from"),
        (["SMS", TO, "x", {"force_encoding": "gsm"}], "force_encoding"),
        (["SMS", TO, "x", {"nature": "PROMO"}], "nature"),
        (["SMS", TO, "x", {"validity": 3}], "unknown option"),
    ],
)
def test_send_refuses_what_rest_refuses(
    rpc: LegacyClient, api: Any, params: list[Any], words: str
) -> None:
    error = rpc_error(rpc, "sms.send", *params)
    assert error.code == -32602 and words in error.message
    assert ok(api.get("/sms"))["total"] == 0


def test_legacy_only_options_are_accepted_and_ignored(rpc: LegacyClient, api: Any) -> None:
    sms_hash = rpc.call("sms.send", "SMS", TO, "x", {"user_data": "42", "flash_message": False})
    assert ok(api.get(f"/sms/{sms_hash.lower()}"))["status"] == "created"


@pytest.mark.parametrize(
    ("filters", "options", "words"),
    [
        ({"colour": "red"}, None, "unknown filter"),
        ({"status": "DELIVERED"}, None, "RECEIVED"),
        ({"type": "inbound"}, None, "IN, OUT"),
        ({"date_from": "2026-01-01T12:00:00Z"}, None, "YYYY-MM-DD HH:MM:SS"),
        (None, {"limit": 101}, "limit"),
        (None, {"order": "asc"}, "ASC or DESC"),
        (None, {"sort": "x"}, "unknown option"),
    ],
)
def test_search_errors(rpc: LegacyClient, filters: Any, options: Any, words: str) -> None:
    error = rpc_error(rpc, "sms.search", filters, options)
    assert error.code == -32602 and words in error.message
