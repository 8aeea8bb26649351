"""The commonest mistakes get a message in words that says how to fix them."""

from __future__ import annotations

from typing import Any

import pytest
from callr_mock.state.events import EVENT_TYPES

URL = "https://example.com/hook"


def error(response: Any, status: int = 400) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "message"}
    return str(body["message"])


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/sms?to=+33612345678"), ("GET", "/sms?to=+3361")],
    ids=["send", "search"],
)
def test_a_plus_sent_as_a_space_is_explained_in_words(api: Any, method: str, path: str) -> None:
    message = error(api.request(method, path, json={"text": "Hi"} if method == "POST" else None))
    assert "E.164" in message and "'to'" in message
    assert "send it as %2B" in message
    assert "^" not in message and "[0-9]" not in message  # words, not the regex


def test_a_number_prefix_sent_with_2b_still_searches(api: Any) -> None:
    assert api.post("/sms?to=%2B33612345678", json={"text": "Hi"}).status_code == 201
    found = api.get("/sms?to=%2B3361").get_json()
    assert found["total"] == 1


def test_an_e164_mistake_without_a_plus_says_what_e164_is(api: Any) -> None:
    message = error(api.post("/sms?to=0612345678", json={"text": "Hi"}))
    assert "is not an E.164 phone number" in message and "+33612345678" in message
    assert "%2B" not in message  # no space was sent: the hint would mislead


def test_a_date_offset_sent_with_a_bare_plus_gets_the_same_hint(api: Any) -> None:
    message = error(
        api.post("/calls/export?from=2025-03-01T00:00:00+01:00&to=2025-04-01T00:00:00Z")
    )
    assert "RFC 3339" in message and "send it as %2B" in message


def test_an_enum_error_lists_every_valid_value(api: Any) -> None:
    message = error(api.post("/webhooks", json={"type": "v2.sms.sent", "endpoint": URL}))
    assert "other candidates" not in message
    for event_type in EVENT_TYPES:
        assert event_type in message


def test_a_legacy_webhook_type_suggests_its_v2_name(api: Any) -> None:
    message = error(api.post("/webhooks", json={"type": "sms.mt.status_update", "endpoint": URL}))
    assert "legacy" in message and message.endswith(
        "(sms.mt.status_update is the legacy JSON-RPC name of v2.sms.outbound.updated)"
    )


def test_a_legacy_webhook_type_without_v2_equivalent_says_so(api: Any) -> None:
    message = error(api.post("/webhooks", json={"type": "did.assigned", "endpoint": URL}))
    assert "no v2 equivalent" in message


def test_listing_webhooks_with_get_points_to_the_search_path(api: Any) -> None:
    message = error(api.get("/webhooks"), 405)
    assert "GET /v2.0/webhooks/search" in message


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/sms?status=" + "x" * 5000, None),
        ("GET", "/sms/" + "a" * 5000, None),
        ("POST", "/sms?to=%2B33612345678", {"text": "Hi", "y" * 5000: 1}),
        ("POST", "/sms?to=%2B" + "3" * 5000, {"text": "Hi"}),
        ("POST", "/webhooks", {"type": "v2.sms.outbound.updated", "endpoint": "x" * 5000}),
    ],
    ids=["enum", "path-sid", "unknown-field", "e164", "uri"],
)
def test_long_values_are_cut_in_messages(api: Any, method: str, path: str, body: Any) -> None:
    message = error(api.request(method, path, json=body))
    assert len(message) < 400, message
    assert "5000 characters" in message or "5001 characters" in message
