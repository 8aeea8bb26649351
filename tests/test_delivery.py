"""Webhook delivery for real: a local receiver, signed envelopes, retries on the sandbox
clock, order per subscription, isolation between subscriptions and accounts."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from callr_mock import DEMO_ACCOUNT_SID, MockServer, Settings
from callr_mock.services.delivery import MAX_ATTEMPTS, backoff, sign
from callr_mock.state.events import EVENT_TYPES
from webhook_receiver import Receiver

SECRET = "s3cr3t-k3y-0f-m1n3"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def second_receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def subscribe(api: Any, event_type: str, url: str, secret: str | None = SECRET) -> dict[str, Any]:
    body: dict[str, Any] = {"type": event_type, "endpoint": url}
    if secret:
        body["secret"] = secret
    response = api.post("/webhooks", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def wait_until(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def drain(runtime: Any) -> None:
    assert runtime.delivery.drain(5.0), "deliveries did not settle within 5 s"


def deliveries(api: Any, **params: str) -> list[dict[str, Any]]:
    response = api.client.get("/_mock/deliveries", query_string=params)
    assert response.status_code == 200
    return response.get_json()


def spec_example_payload(runtime: Any, event_type: str) -> dict[str, Any]:
    """The payload of the spec's example envelope for ``event_type`` (valid by construction)."""
    item = runtime.contract.document["webhooks"][event_type]["post"]
    ref = item["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = runtime.contract.document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return dict(schema["examples"][0]["payload"])


def emit(
    runtime: Any, event_type: str, payload: dict[str, Any], account: str = DEMO_ACCOUNT_SID
) -> Any:
    with runtime.store.lock:
        return runtime.store.account(account).emit(event_type, payload)


def wav_bytes(seconds: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(8000)
        writer.writeframes(b"\x80" * 8000 * seconds)
    return buffer.getvalue()


# -- pure helpers -----------------------------------------------------------------


def test_backoff_doubles_from_one_second() -> None:
    assert [backoff(n) for n in range(1, MAX_ATTEMPTS)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert backoff(30) == 300  # capped


def test_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    # RFC 4231 test case 2 ("Jefe"), base64 of the hex digest 5bdcc146...
    assert (
        sign("Jefe", b"what do ya want for nothing?")
        == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    )


# -- the envelope, headers and signature -------------------------------------------


def test_task_event_is_posted_signed_and_matches_the_spec(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    hook = subscribe(api, "v2.task.updated", receiver.url)
    assert hook["signed"] is True and "secret" not in hook
    task = api.delete("/recordings").get_json()  # a bulk delete runs as a task
    drain(runtime)

    assert len(receiver.received) == 1
    got = receiver.received[0]
    envelope = got.json
    assert got.path == "/hook"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-CALLR-EventId"] == envelope["id"]
    assert got.headers["X-CALLR-HmacSignature"] == sign(SECRET, got.body)
    assert list(envelope) == ["id", "at", "sid", "type", "try", "payload"]  # Callr's samples
    assert envelope["type"] == "v2.task.updated"
    assert envelope["sid"] == hook["sid"]  # the subscription
    assert envelope["try"] == 0
    assert envelope["payload"] == task
    assert envelope["at"] == task["created"]
    assert runtime.contract.check_webhook("v2.task.updated", envelope) is None

    [record] = deliveries(api)
    assert record["state"] == "delivered"
    assert record["attempts"] == 1
    assert record["lastStatus"] == 200
    assert record["eventId"] == envelope["id"]
    assert record["subscription"] == hook["sid"]
    assert record["target"] == receiver.url

    journal = api.client.get("/_mock/journal").get_json()
    posts = [e for e in journal if e["path"] == receiver.url]
    assert [(p["method"], p["status"], p["operation"]) for p in posts] == [
        ("POST", 200, "onTaskUpdated")
    ]


def test_unsigned_subscription_sends_no_signature_header(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    hook = subscribe(api, "v2.recording.updated", receiver.url, secret=None)
    assert hook["signed"] is False
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert len(receiver.received) == 1
    assert "X-CALLR-HmacSignature" not in receiver.received[0].headers


def test_removing_the_secret_stops_signing(api: Any, runtime: Any, receiver: Receiver) -> None:
    hook = subscribe(api, "v2.recording.updated", receiver.url)
    api.patch(f"/webhooks/{hook['sid']}", json={"secret": None})
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert "X-CALLR-HmacSignature" not in receiver.received[0].headers


# -- events from each resource -----------------------------------------------------


def test_events_from_each_resource_reach_their_subscribers(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    for event_type in (
        "v2.task.updated",
        "v2.audio-file.updated",
        "v2.recording.updated",
        "v2.billing.credit.topup",
    ):
        subscribe(api, event_type, receiver.url)
    api.delete("/recordings")  # task
    api.post(
        "/audio-files",
        data={"name": "greeting", "file": (io.BytesIO(wav_bytes()), "greeting.wav")},
        content_type="multipart/form-data",
    )
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"duration": 5})
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/credit", json={"amount": "10"})
    api.advance(5)  # task done, audio file ready, recording ready
    drain(runtime)

    bodies = receiver.bodies()
    for body in bodies:
        assert runtime.contract.check_webhook(body["type"], body) is None, body
    by_type: dict[str, list[Any]] = {}
    for body in bodies:
        by_type.setdefault(body["type"], []).append(body["payload"])
    task_statuses = [p["status"] for p in by_type["v2.task.updated"]]
    assert list(dict.fromkeys(task_statuses)) == ["pending", "running", "done"]
    assert [p["status"] for p in by_type["v2.audio-file.updated"]] == [
        "pending-conversion",
        "processing",
        "ready",
    ]
    assert [p["status"] for p in by_type["v2.recording.updated"]] == ["processing", "ready"]
    assert len(by_type["v2.billing.credit.topup"]) == 1
    assert all(d["state"] == "delivered" for d in deliveries(api))


def test_events_of_sms_numbers_and_calls_reach_their_subscribers(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    wanted = (
        "v2.sms.outbound.updated",
        "v2.sms.inbound.received",
        "v2.number.assigned",
        "v2.number.unassigned",
        "v2.call.inbound.started",
        "v2.call.inbound.ended",
    )
    for event_type in wanted:
        subscribe(api, event_type, receiver.url)
    sent = api.post("/sms", query_string={"to": "+33639980000"}, json={"text": "Hello"})
    assert sent.status_code in (200, 201), sent.get_json()
    reservation = api.post("/numbers/store", json={"country": "FR", "area": "paris"}).get_json()
    [number] = api.post(f"/numbers/store/{reservation['token']}").get_json()["numbers"]
    script = "branches:\n  inbound-call:\n    actions: []\n"
    scenario = api.post("/actions", json={"name": "Forward", "script": script}).get_json()
    path = f"/numbers/{number['e164']}"
    assert api.patch(path, json={"scenario": scenario["sid"]}).status_code == 200
    assert api.patch(path, json={"scenario": None}).status_code == 200
    inbound = {"from": "+33639980000", "to": number["e164"], "text": "Hi"}
    assert (
        api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/sms/inbound", json=inbound).status_code
        == 201
    )
    call = {
        "direction": "inbound",
        "callerNumber": "+33639980000",
        "callee": number["e164"],
        "durationTotal": 20,
        "durationAnswered": 15,
    }
    assert (
        api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/calls", json=call).status_code == 201
    )
    api.advance(120)
    drain(runtime)

    bodies = receiver.bodies()
    assert {b["type"] for b in bodies} == set(wanted)
    for body in bodies:
        assert runtime.contract.check_webhook(body["type"], body) is None, body
    assert all(d["state"] == "delivered" for d in deliveries(api))
    assigned = [b["payload"] for b in bodies if b["type"] == "v2.number.assigned"]
    assert assigned[0]["e164"] == number["e164"]


def test_every_event_type_is_delivered_with_a_valid_envelope(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    for event_type in EVENT_TYPES:
        subscribe(api, event_type, receiver.url)
    for event_type in EVENT_TYPES:
        emit(runtime, event_type, spec_example_payload(runtime, event_type))
    drain(runtime)
    bodies = receiver.bodies()
    assert sorted(b["type"] for b in bodies) == sorted(EVENT_TYPES)
    for body in bodies:
        assert runtime.contract.check_webhook(body["type"], body) is None, body["type"]


# -- retries, order, giving up -----------------------------------------------------


def test_receiver_failing_three_times_gets_every_event_in_order(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    receiver.fail_first = 3
    hook = subscribe(api, "v2.recording.updated", receiver.url)
    first = api.client.post(
        f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready", "duration": 1}
    ).get_json()
    second = api.client.post(
        f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready", "duration": 2}
    ).get_json()
    drain(runtime)
    # The head failed once and blocks the second event; nothing moves on a frozen clock.
    assert len(receiver.received) == 1
    head = deliveries(api)[0]
    assert head["state"] == "pending" and head["attempts"] == 1 and head["lastStatus"] == 500
    assert head["nextAttemptAt"] == "2026-01-01T12:00:01.000Z"
    api.advance(0.5)
    drain(runtime)
    assert len(receiver.received) == 1

    for wait in (0.5, 2, 4):  # retries at +1, +2, +4 seconds
        api.advance(wait)
        drain(runtime)
    bodies = receiver.bodies()
    assert [(b["payload"]["sid"], b["try"]) for b in bodies] == [
        (first["sid"], 0),
        (first["sid"], 1),
        (first["sid"], 2),
        (first["sid"], 3),
        (second["sid"], 0),
    ]
    assert len({b["id"] for b in bodies[:4]}) == 1  # the same event, retried
    assert all(
        r.headers["X-CALLR-HmacSignature"] == sign(SECRET, r.body) for r in receiver.received
    )
    records = deliveries(api, subscription=hook["sid"])
    assert [(d["state"], d["attempts"]) for d in records] == [("delivered", 4), ("delivered", 1)]


def test_delivery_fails_for_good_after_eleven_sends_then_the_next_event_goes(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    receiver.fail_first = MAX_ATTEMPTS
    receiver.fail_status = 503
    subscribe(api, "v2.recording.updated", receiver.url)
    for _ in range(2):
        api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    for failed in range(1, MAX_ATTEMPTS):
        api.advance(backoff(failed))
        drain(runtime)
    bodies = receiver.bodies()
    assert [b["try"] for b in bodies] == [*range(MAX_ATTEMPTS), 0]
    assert bodies[MAX_ATTEMPTS - 1]["try"] == 10  # the spec's maximum
    first, second = deliveries(api)
    assert first["state"] == "failed"
    assert first["attempts"] == MAX_ATTEMPTS
    assert first["lastStatus"] == 503 and first["lastError"] == "HTTP 503"
    assert second["state"] == "delivered"


def test_a_timeout_is_a_failed_attempt(api: Any, runtime: Any, receiver: Receiver) -> None:
    runtime.settings.webhook_timeout = 0.2
    receiver.hold = True
    receiver.hold_timeout = 2.0
    subscribe(api, "v2.recording.updated", receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    [record] = deliveries(api)
    assert record["state"] == "pending"
    assert record["lastStatus"] is None
    assert "timeout" in record["lastError"]
    receiver.release()


def test_redirects_are_not_followed(
    api: Any, runtime: Any, receiver: Receiver, second_receiver: Receiver
) -> None:
    receiver.redirect_to = second_receiver.url
    subscribe(api, "v2.recording.updated", receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert len(receiver.received) == 1
    assert second_receiver.received == []
    [record] = deliveries(api)
    assert record["state"] == "pending" and record["lastStatus"] == 302
    assert "redirect" in record["lastError"]


def test_an_unreachable_endpoint_is_retried(api: Any, runtime: Any) -> None:
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens on that port any more
    subscribe(api, "v2.recording.updated", url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    [record] = deliveries(api)
    assert record["state"] == "pending" and record["attempts"] == 1
    assert record["lastStatus"] is None and "ConnectionError" in record["lastError"]


def test_a_retry_goes_to_the_endpoint_as_it_is_now(
    api: Any, runtime: Any, receiver: Receiver, second_receiver: Receiver
) -> None:
    receiver.fail_first = 1
    hook = subscribe(api, "v2.recording.updated", receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    api.patch(f"/webhooks/{hook['sid']}", json={"endpoint": second_receiver.url})
    api.advance(1)
    drain(runtime)
    assert [b["try"] for b in second_receiver.bodies()] == [1]
    assert deliveries(api)[0]["target"] == second_receiver.url


# -- independence ------------------------------------------------------------------


def test_a_stuck_receiver_does_not_delay_another_subscription(
    api: Any, runtime: Any, receiver: Receiver, second_receiver: Receiver
) -> None:
    receiver.hold = True  # answers only when released
    subscribe(api, "v2.recording.updated", receiver.url)
    subscribe(api, "v2.recording.updated", second_receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    assert receiver.wait_for(1, timeout=1.5)

    def states() -> dict[str, str]:
        return {d["target"]: d["state"] for d in deliveries(api)}

    assert wait_until(lambda: states()[second_receiver.url] == "delivered", timeout=1.5)
    assert states()[receiver.url] == "pending"  # still in flight
    receiver.release()
    drain(runtime)
    assert all(d["state"] == "delivered" for d in deliveries(api))


def test_disabled_subscriptions_get_nothing(api: Any, runtime: Any, receiver: Receiver) -> None:
    hook = subscribe(api, "v2.recording.updated", receiver.url)
    assert api.patch(f"/webhooks/{hook['sid']}", json={"enabled": False}).status_code == 200
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert receiver.received == []
    assert deliveries(api) == []

    api.patch(f"/webhooks/{hook['sid']}", json={"enabled": True})
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert len(receiver.received) == 1


def test_only_subscriptions_of_the_event_type_receive_it(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    subscribe(api, "v2.audio-file.updated", receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert receiver.received == []


def test_deliveries_are_isolated_per_account(
    api: Any, other_api: Any, runtime: Any, receiver: Receiver, second_receiver: Receiver
) -> None:
    subscribe(api, "v2.recording.updated", receiver.url)
    other_hook = subscribe(other_api, "v2.recording.updated", second_receiver.url)
    other_sid = next(
        a.sid for a in runtime.store.accounts() if other_hook["sid"] in a.webhooks.items
    )
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert len(receiver.received) == 1
    assert second_receiver.received == []
    assert deliveries(api, account=other_sid) == []
    assert len(deliveries(api, account=DEMO_ACCOUNT_SID)) == 1

    api.client.post(f"/_mock/accounts/{other_sid}/recordings", json={"status": "ready"})
    drain(runtime)
    [body] = second_receiver.bodies()
    assert body["sid"] == other_hook["sid"]
    assert len(receiver.received) == 1


# -- lifecycle of the queues ----------------------------------------------------------


def test_deleting_a_subscription_ends_its_pending_deliveries(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    receiver.fail_first = 1
    hook = subscribe(api, "v2.recording.updated", receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert api.delete(f"/webhooks/{hook['sid']}").status_code == 204
    [record] = deliveries(api)
    assert record["state"] == "failed" and "deleted" in record["lastError"]
    api.advance(10)
    drain(runtime)
    assert len(receiver.received) == 1


def test_reset_drops_queued_deliveries(api: Any, runtime: Any, receiver: Receiver) -> None:
    receiver.fail_first = 1
    subscribe(api, "v2.recording.updated", receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    drain(runtime)
    assert api.client.post("/_mock/reset").status_code == 204
    assert deliveries(api) == []
    assert runtime.delivery.pending() == 0
    api.advance(10)
    drain(runtime)
    assert len(receiver.received) == 1


def test_flush_endpoint_waits_for_in_flight_deliveries(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    subscribe(api, "v2.recording.updated", receiver.url)
    api.client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json={"status": "ready"})
    response = api.client.post("/_mock/deliveries/flush", json={"timeout": 5})
    assert response.status_code == 200
    assert response.get_json() == {"idle": True, "pending": 0}
    assert len(receiver.received) == 1
    bad = api.client.post("/_mock/deliveries/flush", json={"timeout": "soon"})
    assert bad.status_code == 400


def test_drain_refuses_to_run_under_the_store_lock(runtime: Any) -> None:
    with runtime.store.lock, pytest.raises(RuntimeError, match="deadlock"):
        runtime.delivery.drain(0.1)


def test_an_envelope_that_breaks_the_spec_is_recorded_as_a_violation(
    api: Any, runtime: Any, receiver: Receiver
) -> None:
    subscribe(api, "v2.task.updated", receiver.url)
    emit(runtime, "v2.task.updated", {"not": "a task"})
    drain(runtime)
    assert len(receiver.received) == 1  # still sent: the receiver sees what the mock did
    [violation] = api.violations()
    assert violation["operation"] == "onTaskUpdated"
    assert violation["path"] == receiver.url
    assert "webhook v2.task.updated" in violation["message"]
    assert api.client.delete("/_mock/journal").status_code == 204  # expected: clear it


# -- over a real server --------------------------------------------------------------


def test_live_server_delivers_without_any_flush(receiver: Receiver) -> None:
    server = MockServer(Settings(port=0, clock="real", id_seed=7)).start()
    try:
        with requests.Session() as http:
            http.headers["x-api-key"] = server.settings.initial_accounts()[0][1]
            http.headers["Connection"] = "close"  # lets the server stop at once
            created = http.post(
                f"{server.url}/v2.0/webhooks",
                json={"type": "v2.recording.updated", "endpoint": receiver.url, "secret": SECRET},
                timeout=5,
            )
            assert created.status_code == 201, created.text
            receiver.fail_first = 1  # the retry comes from the real-clock ticker, 1 s later
            http.post(
                f"{server.url}/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings",
                json={"status": "ready"},
                timeout=5,
            )
            assert receiver.wait_for(2, timeout=5)
            first, second = receiver.received
            assert (first.json["try"], second.json["try"]) == (0, 1)
            assert second.headers["X-CALLR-HmacSignature"] == sign(SECRET, second.body)
            recording_url = second.json["payload"]["url"]
            assert recording_url.startswith(server.url + "/_mock/media/")
            media = http.get(recording_url, timeout=5)
            assert media.status_code == 200 and media.content[:4] == b"RIFF"
    finally:
        server.stop()
