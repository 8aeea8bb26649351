"""How a project that calls Callr tests itself with callr-mock (runs in callr-mock's CI too).

Nothing to configure: installing callr-mock registers the pytest plugin. There is no
conftest here; every fixture comes from the plugin. Each test gets a fresh, isolated
account on a real HTTP server (any client works), a frozen sandbox clock, and fails if
the mock ever answers something its OpenAPI contract does not allow.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from callr_mock.plugin import CallrClient, CallrMock, WebhookReceiver
from callr_mock.plugin import strategies as cst
from hypothesis import HealthCheck, given, settings

# Function-scoped fixtures are fine here: each example reuses the test's account.
PROPERTY = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# -- the code under test: a tiny notification service that talks to Callr --------------------
class Notifier:
    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["x-api-key"] = api_key

    def send(self, to: str, text: str) -> dict[str, Any]:
        response = self.session.post(
            f"{self.base_url}/sms", params={"to": to}, json={"text": text}, timeout=10
        )
        response.raise_for_status()
        return dict(response.json())

    def status(self, sid: str) -> str:
        response = self.session.get(f"{self.base_url}/sms/{sid}", timeout=10)
        response.raise_for_status()
        return str(response.json()["status"])


@pytest.fixture
def notifier(callr_mock: CallrMock) -> Notifier:
    # The code under test only needs a base URL and a key: point it at the sandbox.
    return Notifier(callr_mock.base_url, callr_mock.api_key)


# -- the fixture ----------------------------------------------------------------------------------
def test_send_an_sms(notifier: Notifier, callr_mock: CallrMock) -> None:
    sms = notifier.send("+33612345678", "Your code is 482913")
    assert sms["status"] == "created" and sms["encoding"] == "gsm" and sms["parts"] == 1
    assert [entry["operation"] for entry in callr_mock.journal()] == ["sendSms"]


def test_any_client_works_with_basic_auth(callr_mock: CallrMock) -> None:
    response = requests.get(f"{callr_mock.base_url}/ping", auth=callr_mock.auth, timeout=10)
    assert response.json()["pong"] == "pong"


# -- clock control: lifecycles move only when the test says so ------------------------------------------
def test_sms_lifecycle_on_the_sandbox_clock(notifier: Notifier, callr_mock: CallrMock) -> None:
    sms = notifier.send("+33612345678", "Hello")
    assert notifier.status(sms["sid"]) == "created"  # frozen: nothing moves by itself
    callr_mock.clock.advance(2)
    assert notifier.status(sms["sid"]) == "sent"
    callr_mock.clock.advance(3)
    assert notifier.status(sms["sid"]) == "delivered"
    statuses = [e["payload"]["status"] for e in callr_mock.events("v2.sms.outbound.updated")]
    assert statuses == ["pending", "sent", "remote-queued", "delivered"]


# -- magic numbers: deterministic non-happy paths -----------------------------------------------------
@pytest.mark.parametrize(
    ("to", "final"),
    [("+33199000001", "failed"), ("+33199000002", "expired"), ("+33199000003", "error")],
)
def test_magic_numbers_force_each_failure(
    notifier: Notifier, callr_mock: CallrMock, to: str, final: str
) -> None:
    sms = notifier.send(to, "This one will not arrive")
    callr_mock.clock.advance(10)
    assert notifier.status(sms["sid"]) == final


@pytest.mark.callr_mock(credit="1.00")
def test_not_enough_credit(callr_client: CallrClient) -> None:
    refused = callr_client.post("/sms", params={"to": "+33612345678"}, json={"text": "Hi"})
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient-credit"


# -- webhooks: real HTTP deliveries to a local receiver ------------------------------------------------
def test_status_webhooks_reach_our_endpoint(
    notifier: Notifier,
    callr_mock: CallrMock,
    callr_client: CallrClient,
    callr_webhook_receiver: WebhookReceiver,
) -> None:
    subscribed = callr_client.post(
        "/webhooks",
        json={
            "type": "v2.sms.outbound.updated",
            "endpoint": callr_webhook_receiver.url,
            "secret": "s3cret-key",
        },
    )
    assert subscribed.status_code == 201, subscribed.text
    sms = notifier.send("+33612345678", "Track me")
    callr_mock.clock.advance(5)
    received = callr_webhook_receiver.wait_for(4, timeout=10)
    assert [r.json["payload"]["status"] for r in received] == [
        "pending",
        "sent",
        "remote-queued",
        "delivered",
    ]
    assert all(r.json["payload"]["sid"] == sms["sid"] for r in received)
    assert all(r.signature_valid("s3cret-key") for r in received)


def test_a_failing_endpoint_is_retried(
    callr_mock: CallrMock, callr_client: CallrClient, callr_webhook_receiver: WebhookReceiver
) -> None:
    callr_client.post(
        "/webhooks",
        json={"type": "v2.billing.credit.topup", "endpoint": callr_webhook_receiver.url},
    )
    callr_webhook_receiver.fail_next(1, status=503)
    callr_mock.top_up("1000.00")
    callr_webhook_receiver.wait_for(1, timeout=10)  # the first attempt got a 503
    callr_mock.flush_deliveries()
    callr_mock.clock.advance(60)  # retries wait on the sandbox clock
    callr_webhook_receiver.wait_for(2, timeout=10)
    [accepted] = callr_webhook_receiver.events("v2.billing.credit.topup")
    assert accepted["try"] == 1  # sends of this event before this one
    callr_mock.flush_deliveries()
    [delivery] = callr_mock.deliveries()
    assert delivery["state"] == "delivered" and delivery["attempts"] == 2
    assert [attempt["status"] for attempt in delivery["history"]] == [503, 200]

    again = callr_mock.redeliver(delivery["id"])  # the same event, sent once more
    assert again["state"] == "delivered" and again["redeliveryOf"] == delivery["id"]
    assert callr_webhook_receiver.wait_for(3, timeout=10)[-1].json["id"] == delivery["eventId"]


# -- property tests with the strategies ------------------------------------------------------------------
@PROPERTY
@given(
    to=cst.e164_numbers(countries=["FR", "GB", "DE"], types=["mobile"]),
    text=cst.sms_texts(max_size=400),
)
def test_any_valid_sms_is_accepted(callr_client: CallrClient, to: str, text: str) -> None:
    response = callr_client.post("/sms", params={"to": to}, json={"text": text})
    assert response.status_code == 201, response.text
    sms = response.json()
    assert sms["to"] == to and sms["parts"] >= 1
    # any contract violation in these answers would fail the test by itself


@PROPERTY
@given(request=cst.requests_for("searchSms"))
def test_every_valid_search_gets_a_contract_answer(
    callr_client: CallrClient, request: dict[str, Any]
) -> None:
    response = callr_client.call("searchSms", **request)
    assert response.status_code in (200, 400), response.text
    if (
        response.status_code == 400
    ):  # a rule the schema cannot express (e.g. dates in the wrong order)
        assert set(response.json()) == {"code", "message"}


# -- seeds ------------------------------------------------------------------------------------------
@pytest.mark.callr_mock(seed="demo")
def test_start_from_the_demo_data(callr_client: CallrClient) -> None:
    numbers = callr_client.get("/numbers").json()
    assert numbers["total"] >= 3
    inbox = callr_client.get("/sms", params={"direction": "inbound"}).json()
    assert inbox["hits"][0]["body"]["text"] == "Thanks, see you tomorrow!"
