"""The parity helper: it agrees with a correct mapping and catches a wrong one."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.handlers.legacy import mapping
from callr_mock.plugin.parity import (
    MISSING,
    LegacyClient,
    Parity,
    ParityError,
    assert_parity,
    diff_parity,
    legacy_to_rest,
)
from legacy_support import ACTIONS, buy_number, legacy_client, ok


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


@pytest.fixture
def pair(rpc: LegacyClient, api: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A delivered SMS read both ways."""
    sms_hash = rpc.call("sms.send", "SMS", "+33612345678", "Hello", None)
    api.advance(5)
    return rpc.call("sms.get", sms_hash), ok(api.get(f"/sms/{sms_hash.lower()}"))


def test_a_correct_mapping_has_no_difference(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    legacy, rest = pair
    assert diff_parity("sms", legacy, rest) == []
    assert_parity("sms", legacy, rest)
    mapped = legacy_to_rest("sms", legacy)
    assert mapped["sid"] == rest["sid"] and mapped["status"] == "delivered"
    assert mapped["delivered"] == "2026-01-01T12:00:05Z"


@pytest.mark.parametrize(
    ("field", "wrong", "expected"),
    [
        ("status", "DELIVERED", "sms.status: legacy says 'DELIVERED (not a legacy SMS status)'"),
        ("status", "received", "sms.status: legacy says 'received (not a legacy SMS status)'"),
        ("hash", "lower", "(a legacy hash is upper case)"),
        (
            "type",
            "OUTBOUND",
            "sms.direction: legacy says 'OUTBOUND (not a legacy SMS type (IN, OUT))'",
        ),
        ("date_creation", "2026-01-01T12:00:00.000Z", "(not a legacy date YYYY-MM-DD HH:MM:SS)"),
        (
            "date_received",
            "2026-01-01 13:00:05",
            "sms.delivered: legacy says '2026-01-01T13:00:05Z'",
        ),
        ("b_customer_mode", "prepaid", "(a legacy constant is upper case)"),
        ("to", "0612345678", "sms.to: legacy says '0612345678', REST says '+33612345678'"),
        ("text", None, "sms.body.text: the legacy object has no field for it"),
    ],
)
def test_a_wrong_mapping_is_caught(
    pair: tuple[dict[str, Any], dict[str, Any]], field: str, wrong: Any, expected: str
) -> None:
    legacy, rest = pair
    broken = copy.deepcopy(legacy)
    if wrong is None:
        del broken[field]
    elif wrong == "lower":
        broken[field] = broken[field].lower()
    else:
        broken[field] = wrong
    differences = diff_parity("sms", broken, rest)
    assert len(differences) == 1 and expected in differences[0], differences
    with pytest.raises(AssertionError) as error:
        assert_parity("sms", broken, rest)
    assert "1 difference(s)" in str(error.value) and expected in str(error.value)


def test_a_wrong_mapping_inside_the_server_is_caught(
    rpc: LegacyClient, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Break the sandbox's own mapping: the parity helper, written from the guide, notices."""
    parity = Parity(rpc, api)
    sms_hash = rpc.call("sms.send", "SMS", "+33612345678", "Hello", None)
    api.advance(5)
    parity.check("sms", sms_hash)  # correct: no error
    monkeypatch.delitem(mapping.SMS_STATUS_OUT, "delivered")  # would answer DELIVERED
    with pytest.raises(ParityError, match="DELIVERED"):
        parity.check("sms", sms_hash)
    monkeypatch.undo()
    monkeypatch.setattr(mapping, "LEGACY_DATE", "%Y-%m-%dT%H:%M:%S")  # ISO dates on JSON-RPC
    with pytest.raises(ParityError, match="not a legacy date"):
        parity.check("sms", sms_hash)


def test_every_kind_through_parity_check(rpc: LegacyClient, api: Any, client: Any) -> None:
    parity = Parity(rpc, api)
    app = rpc.call("apps.create", "ACTIONS10", "Forwarding", ACTIONS)
    item = buy_number(rpc)
    rpc.call("apps.assign_did", app["hash"], item["hash"])
    parity.check("app", app["hash"])
    parity.check("did", item["hash"])
    parity.check("did", item["intl_number"])
    parity.check("job", rpc.call("actions.start", app["hash"], None))
    parity.check("media", mapping.media_sid(rpc.call("media/library.create", "Hello")))
    client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"duration": 3})
    recording = rpc.call("media/recording.search", {}, {})["hits"][0]
    parity.check("recording", recording["hash"])
    hook = rpc.call("webhooks.subscribe", "sms.mo", "https://example.com/hook", None)
    parity.check("webhook", hook["hash"])
    with pytest.raises(LookupError):
        parity.check("webhook", "ZZZZZZZZ")


def test_app_numbers_and_legacy_only_apps() -> None:
    legacy: dict[str, Any] = {
        "hash": "ABCDEF12",
        "name": "x",
        "package": {"name": "ACTIONS10", "has_did": True},
        "p": {"format": "YAML", "script": "s"},
        "did": [
            {
                "intl_number": "+33199001234",
                "country_code": "FR",
                "class": "CLASSIC",
                "type": "GEOGRAPHIC",
                "assigned_at": "2026-01-01 12:00:00",
            }
        ],
        "date_creation": "2026-01-01 12:00:00",
        "date_update": "2026-01-01 12:00:00",
    }
    rest = {
        "sid": "abcdef12",
        "name": "x",
        "script": "s",
        "format": "yaml",
        "numbers": [
            {
                "e164": "+33199001234",
                "class": "classic",
                "type": "geographic",
                "assigned": "2026-01-01T12:00:00.000Z",
                "country": "FR",
            }
        ],
        "created": "2026-01-01T12:00:00.000Z",
        "updated": "2026-01-01T12:00:00.999Z",  # same second
    }
    assert diff_parity("app", legacy, rest) == []
    rest["numbers"] = []
    assert diff_parity("app", legacy, rest) == ["app.numbers: legacy lists 1, REST 0"]
    legacy["package"]["name"] = "REALTIME10"
    assert diff_parity("app", legacy, rest) == [
        "app ABCDEF12 is a REALTIME10 app: REST v2 has only Callr Actions"
    ]


def test_media_duration_is_compared_rounded() -> None:
    legacy = {"hash": "ABCDEF12", "name": "n", "status": "READY", "duration": 2}
    rest = {"sid": "abcdef12", "name": "n", "status": "ready", "duration": 2.4}
    assert [d for d in diff_parity("media", legacy, rest) if "duration" in d] == []
    rest["duration"] = 2.6
    assert [d for d in diff_parity("media", legacy, rest) if "duration" in d] == [
        "media.duration: legacy says 2, REST says 2.6 (rounded)"
    ]


def test_unknown_kind_and_missing_rest_fields() -> None:
    with pytest.raises(ValueError, match="kinds"):
        legacy_to_rest("fax", {})
    assert legacy_to_rest("job", {})["sid"] is MISSING
    differences = diff_parity(
        "webhook", {"hash": "ABCDEF12", "type": "sms.mo"}, {"sid": "abcdef12"}
    )
    assert (
        "webhook.type: REST has no such field (legacy maps to 'v2.sms.inbound.received')"
        in differences
    )


def test_the_fixtures_as_a_user_would_use_them(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "from callr_mock.plugin.parity import callr_legacy_client, callr_parity  # noqa: F401\n"
    )
    pytester.makepyfile(
        test_migration="""
        from callr_mock.plugin.parity import assert_parity

        def test_same_sms_both_ways(callr_mock, callr_legacy_client, callr_client, callr_parity):
            sms_hash = callr_legacy_client.call("sms.send", "SMS", "+33612345678", "Hello", None)
            callr_mock.clock.advance(5)
            legacy = callr_legacy_client.call("sms.get", sms_hash)
            rest = callr_client.get(f"/sms/{sms_hash.lower()}").json()
            assert legacy["status"] == "RECEIVED" and rest["status"] == "delivered"
            assert_parity("sms", legacy, rest)
            callr_parity.check("sms", sms_hash)

        def test_api_key_auth(callr_mock):
            from callr_mock.plugin.parity import LegacyClient
            client = LegacyClient(callr_mock.url + "/json-rpc/v1.1/", api_key=callr_mock.api_key)
            assert client.call("billing.get_prepaid_credit") == 10000.0
            client.close()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
