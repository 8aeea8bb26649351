"""A real local HTTP endpoint that collects webhook deliveries (the ``callr_webhook_receiver`` fixture).

It listens on 127.0.0.1 with a free port, answers 200 to every POST (or the status
set by :meth:`WebhookReceiver.fail_next`), and keeps every request for assertions::

    def test_delivery(callr_mock, callr_client, callr_webhook_receiver):
        callr_client.post("/webhooks", json={"type": "v2.sms.outbound.updated",
                                             "endpoint": callr_webhook_receiver.url})
        ...
        [delivery] = callr_webhook_receiver.wait_for(1)
        assert delivery.json["type"] == "v2.sms.outbound.updated"
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ReceivedRequest:
    """One request the receiver got (a delivery attempt)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    received_at: float = field(default_factory=time.time)

    @property
    def json(self) -> Any:
        """The body parsed as JSON (``None`` if it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def event_type(self) -> str | None:
        body = self.json
        return body.get("type") if isinstance(body, dict) else None

    def header(self, name: str) -> str | None:
        """A header, case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    def signature_valid(self, secret: str, header: str = "X-CALLR-HmacSignature") -> bool:
        """Does the HMAC-SHA256 signature header match the body for this secret?"""
        sent = self.header(header)
        if sent is None:
            return False
        expected = base64.b64encode(
            hmac.new(secret.encode(), self.body, hashlib.sha256).digest()
        ).decode()
        return hmac.compare_digest(sent, expected)


class WebhookReceiver:
    """Collects POSTs on ``url`` in a background thread; ``close()`` stops it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Condition()
        self._requests: list[ReceivedRequest] = []
        self._failures: list[int] = []
        self._delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = receiver._next_status()
                if receiver._delay:
                    time.sleep(receiver._delay)
                receiver._record(
                    ReceivedRequest(
                        self.command, self.path, dict(self.headers.items()), body, status
                    )
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = _handle
            do_PUT = _handle

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="callr-webhook-receiver", daemon=True
        )
        self._thread.start()

    # -- what the handler uses --------------------------------------------------------
    def _next_status(self) -> int:
        with self._lock:
            return self._failures.pop(0) if self._failures else 200

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()

    # -- public ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}/webhook"

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far (failed attempts included), oldest first."""
        with self._lock:
            return list(self._requests)

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """The JSON envelopes accepted (2XX), optionally of one event type."""
        return [
            r.json
            for r in self.requests
            if 200 <= r.status < 300
            and isinstance(r.json, dict)
            and (type is None or r.event_type == type)
        ]

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` (to exercise retries)."""
        if count < 0 or not 100 <= status <= 599:
            raise ValueError("fail_next needs count >= 0 and an HTTP status")
        with self._lock:
            self._failures.extend([status] * count)

    def slow_down(self, seconds: float) -> None:
        """Wait ``seconds`` before answering (to exercise the sender's timeout)."""
        self._delay = max(0.0, seconds)

    def wait_for(
        self, count: int = 1, timeout: float = 5.0, *, type: str | None = None
    ) -> list[ReceivedRequest]:
        """Block until ``count`` requests (of event ``type``, if given) arrived; return them.

        Raises ``AssertionError`` listing what did arrive if the timeout passes first.
        """
        deadline = time.monotonic() + timeout

        def matching() -> list[ReceivedRequest]:
            return [r for r in self._requests if type is None or r.event_type == type]

        with self._lock:
            while len(matching()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [
                        f"{r.method} {r.path} -> {r.status} {r.event_type}" for r in self._requests
                    ]
                    raise AssertionError(
                        f"webhook receiver got {len(matching())} of {count} expected "
                        f"{'deliveries' if type is None else type + ' deliveries'} in {timeout} s; "
                        f"received: {seen or 'nothing'}"
                    )
                self._lock.wait(left)
            return matching()

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._failures.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
