"""Every attempt of a webhook delivery, and redelivery, over real HTTP: a live sandbox on a
frozen clock, real receivers (``http.server`` threads on 127.0.0.1), asserts in this thread
on what they received and on ``GET /_mock/deliveries``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY, MockServer, Settings, create_app, runtime_of
from callr_mock.services.delivery import RESPONSE_SNIPPET, TRUNCATED, sign
from callr_mock.services.state_document import restore_state, snapshot_state
from webhook_receiver import Receiver

from tests.conftest import running

SECRET = "history-s3cr3t"
T0 = "2026-01-01T12:00:"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with running() as server:
        yield server


class Sandbox:
    def __init__(self, server: MockServer) -> None:
        self.url = server.url
        self.http = requests.Session()
        self.http.headers["x-api-key"] = DEMO_API_KEY

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.url}/_mock{path}", timeout=10, **kwargs)

    def subscribe(self, url: str, secret: str | None = SECRET) -> dict[str, Any]:
        body = {"type": "v2.recording.updated", "endpoint": url}
        if secret:
            body["secret"] = secret
        created = self.http.post(f"{self.url}/v2.0/webhooks", json=body, timeout=10)
        assert created.status_code == 201, created.text
        return dict(created.json())

    def fire(self) -> None:
        path = f"/accounts/{DEMO_ACCOUNT_SID}/recordings"
        assert self.control("POST", path, json={"status": "ready"}).status_code == 201

    def flush(self) -> None:
        flushed = self.control("POST", "/deliveries/flush", json={"timeout": 5})
        assert flushed.json()["idle"] is True

    def advance(self, seconds: float) -> None:
        assert self.control("POST", "/clock/advance", json={"seconds": seconds}).ok
        self.flush()

    def deliveries(self) -> list[dict[str, Any]]:
        listed = self.control("GET", "/deliveries")
        assert listed.status_code == 200
        return list(listed.json())

    def redeliver(self, delivery_id: str, **kwargs: Any) -> requests.Response:
        return self.control("POST", f"/deliveries/{delivery_id}/redeliver", **kwargs)


@pytest.fixture
def sandbox(server: MockServer) -> Iterator[Sandbox]:
    sandbox = Sandbox(server)
    assert sandbox.control("POST", "/reset").status_code == 204
    assert sandbox.control("POST", "/clock/freeze", json={"at": T0 + "00.000Z"}).ok
    yield sandbox
    assert sandbox.control("GET", "/violations").json() == []
    sandbox.http.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def dead_url() -> str:
    closed = Receiver()
    url = closed.url
    closed.close()  # nothing listens there any more
    return url


def test_history_keeps_every_attempt_refused_then_failed_then_delivered(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    dead = dead_url()
    hook = sandbox.subscribe(dead)
    sandbox.fire()
    sandbox.flush()
    [pending] = sandbox.deliveries()
    assert pending["state"] == "pending" and pending["attempts"] == 1
    assert pending["nextAttemptAt"] == T0 + "01.000Z"  # backoff 1 s on the sandbox clock
    assert pending["history"][0]["error"] == "ConnectionError: connection refused"

    sandbox.advance(1)  # attempt 2 at +1 s, refused; the next is due 2 s later
    assert sandbox.deliveries()[0]["nextAttemptAt"] == T0 + "03.000Z"
    sandbox.advance(2)  # attempt 3 at +3 s, refused
    receiver.fail_first, receiver.fail_status = 1, 503
    receiver.reply_body = b'{"error": "busy"}'
    moved = sandbox.http.patch(
        f"{sandbox.url}/v2.0/webhooks/{hook['sid']}", json={"endpoint": receiver.url}, timeout=5
    )
    assert moved.status_code == 200
    sandbox.advance(3.5)  # not due yet (+7 s)
    assert receiver.received == []
    sandbox.advance(0.5)  # attempt 4 at +7 s: 503
    sandbox.advance(8)  # attempt 5 at +15 s: 200
    [record] = sandbox.deliveries()
    history = record["history"]
    assert [(a["number"], a["at"], a["target"], a["status"]) for a in history] == [
        (1, T0 + "00.000Z", dead, None),
        (2, T0 + "01.000Z", dead, None),
        (3, T0 + "03.000Z", dead, None),
        (4, T0 + "07.000Z", receiver.url, 503),
        (5, T0 + "15.000Z", receiver.url, 200),
    ]
    assert [a["error"] for a in history] == [
        *["ConnectionError: connection refused"] * 3,
        "HTTP 503",
        None,
    ]
    busy = '{"error": "busy"}'
    assert [a["response"] for a in history] == [None, None, None, busy, busy]
    assert all(isinstance(a["durationMs"], float | int) and a["durationMs"] >= 0 for a in history)
    assert record["state"] == "delivered" and record["attempts"] == 5
    assert (record["lastStatus"], record["lastAttemptAt"]) == (200, T0 + "15.000Z")
    assert record["finishedAt"] == T0 + "15.000Z" and record["nextAttemptAt"] is None
    # the receiver saw attempts 4 and 5 of the same event, each signed
    assert [r.json["try"] for r in receiver.received] == [3, 4]
    assert all(
        r.headers["X-CALLR-HmacSignature"] == sign(SECRET, r.body) for r in receiver.received
    )
    one = sandbox.control("GET", f"/deliveries/{record['id']}")
    assert one.status_code == 200 and one.json() == record


def test_history_keeps_a_bounded_start_of_the_answer_and_the_redirect_it_did_not_follow(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    receiver.reply_body = b"x" * 10_000
    sandbox.subscribe(receiver.url)
    sandbox.fire()
    sandbox.flush()
    [attempt] = sandbox.deliveries()[0]["history"]
    assert attempt["response"] == "x" * RESPONSE_SNIPPET + TRUNCATED

    receiver.redirect_to = "http://127.0.0.1:9/elsewhere"
    sandbox.fire()
    sandbox.flush()
    [attempt] = sandbox.deliveries()[1]["history"]
    assert attempt["status"] == 302
    assert attempt["error"] == (
        "HTTP 302: redirect to http://127.0.0.1:9/elsewhere not followed (redirects never are)"
    )


def test_redeliver_sends_the_same_event_again_signed_as_a_new_delivery(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    hook = sandbox.subscribe(receiver.url)
    sandbox.fire()
    sandbox.flush()
    [original] = sandbox.deliveries()
    assert original["state"] == "delivered"

    answer = sandbox.redeliver(original["id"])
    assert answer.status_code == 202
    queued = answer.json()
    assert queued["id"] != original["id"]
    assert (queued["redeliveryOf"], queued["eventId"]) == (original["id"], original["eventId"])
    assert (queued["subscription"], queued["state"]) == (hook["sid"], "pending")
    sandbox.flush()

    first, again = receiver.received
    assert again.body == first.body  # the same event, byte for byte (attempts 0)
    assert again.json["id"] == original["eventId"]
    assert again.headers["X-CALLR-EventId"] == original["eventId"]
    assert again.headers["X-CALLR-HmacSignature"] == sign(SECRET, again.body)
    before, after = sandbox.deliveries()
    assert before == original  # the original's history is left as it was
    assert after["id"] == queued["id"] and after["state"] == "delivered"
    assert [(a["number"], a["status"]) for a in after["history"]] == [(1, 200)]

    # signed with the subscription's secret as it is now
    rotated = sandbox.http.patch(
        f"{sandbox.url}/v2.0/webhooks/{hook['sid']}", json={"secret": "rotated-s3cr3t"}, timeout=5
    )
    assert rotated.status_code == 200
    assert sandbox.redeliver(original["id"]).status_code == 202
    sandbox.flush()
    third = receiver.received[2]
    assert third.body == first.body
    assert third.headers["X-CALLR-HmacSignature"] == sign("rotated-s3cr3t", third.body)
    journal = sandbox.control("GET", "/journal").json()
    assert [e["status"] for e in journal if e["path"] == receiver.url] == [200, 200, 200]


def test_a_redelivery_is_tried_once_and_waits_behind_the_lane(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.subscribe(receiver.url)
    sandbox.fire()
    sandbox.flush()
    [first] = sandbox.deliveries()
    receiver.fail_first, receiver.fail_status = 3, 500  # the 2nd event's first try, and more
    sandbox.fire()  # its first attempt fails: it heads the lane, waiting 1 s for a retry
    sandbox.flush()
    assert sandbox.redeliver(first["id"]).status_code == 202
    sandbox.flush()
    assert len(receiver.received) == 2  # the redelivery waits behind the lane's head
    sandbox.advance(1)  # the head's retry fails again (3rd request)
    _, second, redelivery = sandbox.deliveries()
    assert redelivery["redeliveryOf"] == first["id"]
    assert [r.json["id"] for r in receiver.received] == [
        first["eventId"],
        second["eventId"],
        second["eventId"],
    ]
    assert second["state"] == "pending" and second["attempts"] == 2
    assert redelivery["state"] == "pending"  # still behind the head
    sandbox.advance(2)  # the head is delivered; then the redelivery goes (and is the 5th)
    _, second, redelivery = sandbox.deliveries()
    assert second["state"] == "delivered"
    assert redelivery["state"] == "delivered" and redelivery["attempts"] == 1
    assert receiver.received[-1].json["id"] == first["eventId"]

    # a redelivery that fails is failed for good: no retry on the sandbox clock
    receiver.fail_first = len(receiver.received) + 1
    assert sandbox.redeliver(first["id"]).status_code == 202
    sandbox.flush()
    failed = sandbox.deliveries()[-1]
    assert (failed["state"], failed["attempts"], failed["lastStatus"]) == ("failed", 1, 500)
    assert failed["nextAttemptAt"] is None
    count = len(receiver.received)
    sandbox.advance(600)
    assert len(receiver.received) == count


def test_redeliver_refuses_unknown_ids_gone_or_disabled_subscriptions_and_bodies(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    unknown = sandbox.redeliver("nope")
    assert unknown.status_code == 404
    assert unknown.json() == {"code": "not-found", "message": "no webhook delivery with id 'nope'"}
    assert sandbox.control("GET", "/deliveries/nope").status_code == 404

    hook = sandbox.subscribe(receiver.url)
    sandbox.fire()
    sandbox.flush()
    [original] = sandbox.deliveries()
    junk = sandbox.redeliver(original["id"], json={"to": "elsewhere"})
    assert junk.status_code == 400 and junk.json()["code"] == "unexpected-body"

    hooks = f"{sandbox.url}/v2.0/webhooks/{hook['sid']}"
    assert sandbox.http.patch(hooks, json={"enabled": False}, timeout=5).status_code == 200
    disabled = sandbox.redeliver(original["id"])
    assert disabled.status_code == 409 and disabled.json()["code"] == "subscription-disabled"
    assert hook["sid"] in disabled.json()["message"]

    assert sandbox.http.delete(hooks, timeout=5).status_code == 204
    deleted = sandbox.redeliver(original["id"])
    assert deleted.status_code == 409 and deleted.json()["code"] == "subscription-deleted"
    assert len(sandbox.deliveries()) == 1  # nothing was recorded
    sandbox.flush()
    assert len(receiver.received) == 1


def test_a_pending_redelivery_keeps_its_place_and_single_try_across_a_state_document(
    receiver: Receiver,
) -> None:
    def app_and_client(doc: dict[str, Any] | None = None) -> tuple[Any, Any]:
        app = create_app(Settings(clock="frozen", id_seed=3))
        if doc is not None:
            restore_state(runtime_of(app), doc)
        return app, app.test_client()

    app, client = app_and_client()
    key = {"x-api-key": DEMO_API_KEY}
    hook = {"type": "v2.recording.updated", "endpoint": receiver.url, "secret": SECRET}
    assert client.post("/v2.0/webhooks", json=hook, headers=key).status_code == 201
    fire = f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings"
    assert client.post(fire, json={"status": "ready"}).status_code == 201  # delivered
    assert runtime_of(app).delivery.drain(5)
    receiver.fail_first = 2  # the next event's first attempt fails: it heads the lane
    assert client.post(fire, json={"status": "ready"}).status_code == 201
    assert runtime_of(app).delivery.drain(5)
    [first, _] = client.get("/_mock/deliveries").get_json()
    assert client.post(f"/_mock/deliveries/{first['id']}/redeliver").status_code == 202
    assert runtime_of(app).delivery.drain(5) and len(receiver.received) == 2

    copy, copy_client = app_and_client(snapshot_state(runtime_of(app).store))
    runtime_of(app).reset()  # the original sends nothing more
    # the head's retry (3rd request) succeeds, then the redelivery goes
    assert copy_client.post("/_mock/clock/advance", json={"seconds": 1}).status_code == 200
    assert runtime_of(copy).delivery.drain(5)
    _, second, again = copy_client.get("/_mock/deliveries").get_json()
    assert (second["state"], again["state"], again["attempts"]) == ("delivered",) * 2 + (1,)
    assert again["redeliveryOf"] == first["id"]
    assert receiver.received[3].body == receiver.received[0].body

    # and a redelivery that fails in the restored sandbox is not retried
    receiver.fail_first = 10
    assert copy_client.post(f"/_mock/deliveries/{first['id']}/redeliver").status_code == 202
    assert runtime_of(copy).delivery.drain(5)
    failed = copy_client.get("/_mock/deliveries").get_json()[-1]
    assert (failed["state"], failed["attempts"]) == ("failed", 1)
