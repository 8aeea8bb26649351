"""A real local HTTP receiver for webhook tests (``ThreadingHTTPServer`` on 127.0.0.1:0).

It records every POST (path, headers, raw body, parsed JSON) and answers 200 with
``reply_body``, except:
the first ``fail_first`` requests answer ``fail_status``; ``redirect_to`` answers 302
with that Location; while ``hold`` is set, requests wait for ``release()`` (or
``hold_timeout`` seconds) before answering.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client closing its keep-alive connection is not news


class Receiver:
    def __init__(self, *, fail_first: int = 0, fail_status: int = 500) -> None:
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.redirect_to: str | None = None
        self.reply_body = b"ok"
        self.hold = False
        self.hold_timeout = 5.0
        self._released = threading.Event()
        self._cond = threading.Condition()
        self.received: list[Received] = []
        self.answered = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._cond:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    number = len(receiver.received)
                    receiver._cond.notify_all()
                if receiver.hold:
                    receiver._released.wait(receiver.hold_timeout)
                if number <= receiver.fail_first:
                    status, headers = receiver.fail_status, {}
                elif receiver.redirect_to:
                    status, headers = 302, {"Location": receiver.redirect_to}
                else:
                    status, headers = 200, {}
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(receiver.reply_body)))
                    self.end_headers()
                    self.wfile.write(receiver.reply_body)
                except OSError:
                    pass  # the sender gave up (timeout)
                with receiver._cond:
                    receiver.answered += 1
                    receiver._cond.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def release(self) -> None:
        self._released.set()

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` requests have arrived."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.received) >= count, timeout)

    def bodies(self) -> list[Any]:
        with self._cond:
            return [r.json for r in self.received]

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
