"""A fake "real Callr API" on loopback that deliberately disagrees with our spec.

Each route answers canned bytes; every request it receives is kept (raw path, query,
headers, body) so tests can check that the proxy forwarded it unchanged.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from callr_mock.contract.spec import load_spec


@functools.cache
def _examples() -> str:
    return json.dumps(load_spec()["components"]["examples"])


def _spec_example(name: str) -> Any:
    return json.loads(_examples())[name]["value"]


@dataclass
class Canned:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0


def _json(status: int, value: Any, *extra: tuple[str, str]) -> Canned:
    # compact, key order kept: what a real server might send, not what we would
    body = json.dumps(value, separators=(", ", ": ")).encode()
    return Canned(status, body, [("Content-Type", "application/json; charset=utf-8"), *extra])


def disagreeing_routes() -> dict[tuple[str, str], Canned]:
    """One disagreement each, as the issue lists them."""
    sms = _spec_example("Sms")
    sms["carrierId"] = 7  # an extra field (Sms is strict)
    sms["status"] = "throttled"  # an enum value the (confirmed) SmsStatus does not have
    sms["parts"] = "1"  # a string where the spec says integer
    scenario = _spec_example("Scenario")
    page = {"offset": 0, "total": 0, "hasMore": False}  # "hits" missing (confirmed schema)
    return {
        # a date with a non-UTC offset (DateTime: inferred, UTC is what the docs show)
        ("GET", "/v2.0/ping"): _json(
            200, {"pong": "pong", "time": "2024-04-24T14:00:42+02:00"}, ("X-Upstream", "fake")
        ),
        ("GET", "/v2.0/sms/8242d945"): _json(200, sms),
        ("POST", "/v2.0/actions"): _json(200, scenario),  # 200 where we say 201
        ("GET", "/v2.0/actions"): _json(200, page),
        ("GET", "/v2.0/numbers"): _json(  # an undocumented 429
            429, {"code": "rate-limited", "message": "slow down"}, ("Retry-After", "1")
        ),
        ("GET", "/v2.0/voicemails"): _json(404, {"code": "not-found"}),  # a path we lack
        ("PATCH", "/v2.0/ping"): _json(405, {"code": "method-not-allowed"}),  # a method we lack
        ("GET", "/v2.0/billing/credit"): Canned(  # another content type
            200, b"<html>credit: 12.00</html>", [("Content-Type", "text/html")]
        ),
        ("GET", "/v2.0/slow"): Canned(200, b"{}", [("Content-Type", "application/json")], 3.0),
        ("POST", "/v2.0/webhooks"): _json(201, _spec_example("Webhook")),
    }


@dataclass
class Received:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


LEGACY_PATH = "/json-rpc/v1.1/"


class FakeUpstream:
    """``jsonrpc``: the legacy endpoint's answer per method (``{"result": ...}`` or
    ``{"error": ...}``; ``"raw"`` for bytes sent as they are), echoing the request id."""

    def __init__(
        self,
        routes: dict[tuple[str, str], Canned] | None = None,
        jsonrpc: dict[str, Any] | None = None,
    ) -> None:
        self.routes = routes if routes is not None else disagreeing_routes()
        self.jsonrpc = jsonrpc or {}
        self.received: list[Received] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.received.append(
                    Received(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                canned = fake.routes.get((self.command, self.path.split("?")[0]))
                if self.path == LEGACY_PATH and self.command == "POST":
                    canned = fake.legacy(body)
                if canned is None:
                    canned = Canned(404, b'{"code":"not-found","message":"fake"}')
                if canned.delay:
                    time.sleep(canned.delay)
                self.send_response(canned.status)
                for name, value in canned.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(canned.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def legacy(self, body: bytes) -> Canned:
        request = json.loads(body)
        answer = self.jsonrpc.get(request["method"])
        if answer is None:
            answer = {"error": {"code": -32601, "message": "Method not found"}}
        if "raw" in answer:
            return Canned(200, answer["raw"], [("Content-Type", "application/json-rpc")])
        return _json(200, {"jsonrpc": "2.0", "id": request["id"], **answer})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeUpstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
