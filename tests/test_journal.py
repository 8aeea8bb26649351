"""The request journal as a client reads it: a ``since`` cursor never skips an entry."""

from __future__ import annotations

import io
import threading
from typing import Any

from callr_mock import DEMO_API_KEY

KEY = {"x-api-key": DEMO_API_KEY}


class _SlowBody(io.BytesIO):
    """A request body that arrives only when the test says so."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reading = threading.Event()
        self.go = threading.Event()

    def _gate(self) -> None:
        self.reading.set()
        if not self.go.wait(10):
            raise TimeoutError("the test never released the body")

    def read(self, size: int | None = -1) -> bytes:
        self._gate()
        return super().read(size)

    def readinto(self, buffer: Any) -> int:
        self._gate()
        return super().readinto(buffer)


def test_a_since_cursor_sees_a_request_that_started_earlier_but_finished_later(app: Any) -> None:
    client = app.test_client()
    data = b'{"text": "slow"}'
    slow = _SlowBody(data)
    outcome: dict[str, Any] = {}

    def send_slow() -> None:
        outcome["response"] = app.test_client().post(
            "/v2.0/sms?to=%2B33612345678",
            headers={**KEY, "Content-Type": "application/json"},
            input_stream=slow,
        )

    worker = threading.Thread(target=send_slow)
    worker.start()
    try:
        assert slow.reading.wait(10), "the slow request never started reading its body"
        assert client.get("/v2.0/ping", headers=KEY).status_code == 200
        entries = client.get("/_mock/journal").get_json()
        assert [e["operation"] for e in entries] == ["ping"]
        cursor = entries[-1]["seq"]
    finally:
        slow.go.set()
        worker.join(10)
    assert not worker.is_alive()
    assert outcome["response"].status_code == 201
    later = client.get(f"/_mock/journal?since={cursor}").get_json()
    assert [e["operation"] for e in later] == ["sendSms"]


def test_journal_entries_are_listed_in_seq_order_and_violations_name_their_request(
    app: Any, monkeypatch: Any
) -> None:
    client = app.test_client()
    runtime = app.extensions["callr_mock"]
    monkeypatch.setitem(runtime.handlers, "ping", lambda call: (_ for _ in ()).throw(KeyError("x")))
    client.get("/v2.0/ping", headers=KEY)
    client.get("/v2.0/nowhere", headers=KEY)
    entries = client.get("/_mock/journal").get_json()
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    (violation,) = client.get("/_mock/violations").get_json()
    assert violation["request_seq"] == entries[0]["seq"]
