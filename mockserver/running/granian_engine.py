"""The granian engine: Rust HTTP I/O, the WSGI app on Python threads, in this process.

``callr-mock serve`` runs on it (``--server waitress`` is the fallback): the per-request cost
of the server itself is a fraction of waitress' (``bench/vs_prism.py --wsgi``), and the state
stays in the one process that serves it, with its background services.

granian's own ``Server`` runs WSGI apps only in worker processes it spawns (and its threaded
mode only on free-threaded Python), which would split the sandbox from the process that
prints the banner, saves the state file on SIGTERM and holds the port for ``--port 0``. So
this engine drives granian's worker directly, as granian's threaded mode does: the socket is
ours (bound here, its port known at once), the worker serves it from its own Rust threads and
calls the app on a pool of ``settings.threads`` Python threads that grows on demand, and
``shutdown`` signals it. granian gives the app no handle on a connection, so a ``drop``
fault cannot close one here (no ``DROP_CONNECTION`` in the environ): it is answered with the
fault's status and says so. Those are granian's internal classes (``granian._granian``), so the
dependency is pinned to the minor version this was written and tested against.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import sys
import threading
from typing import Any

from ..base.settings import Settings

# granian's internal modules (their type stubs lag the compiled code): typed as Any
_native: Any = importlib.import_module("granian._granian")
_futures: Any = importlib.import_module("granian._futures")
_http: Any = importlib.import_module("granian.http")

BACKLOG = 1024


class GranianEngine:
    """``bind`` opens the socket, ``run`` serves until ``shutdown`` (from any thread, or a
    signal handler raising in the thread that runs it), ``close`` releases the socket."""

    def __init__(self, settings: Settings, app: Any, *, clear_proxy_headers: bool) -> None:
        self.settings = settings
        self.app = app
        self.clear_proxy_headers = clear_proxy_headers
        self._socket: socket.socket | None = None
        self._signal: Any = None
        self._done = threading.Event()

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("server not started")
        return int(self._socket.getsockname()[1])

    def bind(self) -> None:
        """The listening socket, as waitress makes it (``SO_REUSEADDR``; IPv6 for an IPv6
        host); ``socket.gaierror`` for a name that does not resolve, OSError otherwise."""
        settings = self.settings
        family, kind, proto, _, address = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
        except BaseException:
            sock.close()
            raise
        self._socket = sock

    def run(self) -> None:
        """Serve until ``shutdown``: granian's worker answers from its own threads; this
        thread waits (a Ctrl-C or SIGTERM handler can raise in it)."""
        if self._socket is None:
            raise RuntimeError("bind() first")
        settings = self.settings
        self._done.clear()
        self._signal = _native.WorkerSignal()
        holder = _native.SocketHolder(os.dup(self._socket.fileno()), False, BACKLOG)
        http1 = _http1_settings(settings)
        worker = _native.WSGIWorker(
            1,  # worker id
            (None, holder),
            None,  # no IPC: no metrics
            1,  # Rust runtime threads: the I/O of 2 cores is not where the time goes
            16,  # Rust blocking threads (file reads; none here)
            settings.threads,  # Python threads calling the app, at most; started on demand
            30,  # seconds an idle Python thread is kept
            settings.connection_limit,  # requests in flight at most, the rest wait
            "1",  # HTTP/1.1 only, as waitress
            http1,
            None,
            None,  # no static files
            False, None, None, None, "tls1.3", None, [], False,  # no TLS
            (None, None),  # no metrics
        )  # fmt: skip
        scheduler = _futures._new_cbscheduler(
            asyncio.new_event_loop(), _wsgi_callback(self.app, self.clear_proxy_headers)
        )
        worker.serve_str(scheduler, None, self._signal)
        self._done.wait()

    def shutdown(self, thread: threading.Thread | None) -> None:
        if self._signal is not None:
            self._signal.set()
        self._done.set()
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=5)

    def close(self) -> None:
        if self._signal is not None:
            self._signal.set()
            self._signal = None
        self._done.set()
        if self._socket is not None:
            self._socket.close()


def _http1_settings(settings: Settings) -> Any:
    return _http.HTTP1Settings(header_read_timeout=int(settings.channel_timeout * 1000))


def _wsgi_callback(app: Any, clear_proxy_headers: bool) -> Any:
    """The app as granian's worker calls it: ``(protocol, environ) -> status``."""
    base = {
        "SCRIPT_NAME": "",
        "SERVER_SOFTWARE": "callr-mock",
        "wsgi.errors": sys.stderr,
        "wsgi.input_terminated": True,
        "wsgi.multiprocess": False,
        "wsgi.multithread": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }

    def call(protocol: Any, scope: dict[str, Any]) -> int:
        environ = base | scope
        if clear_proxy_headers:
            for name in [name for name in environ if name.startswith("HTTP_X_FORWARDED_")]:
                del environ[name]
        answer: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            answer[:] = [int(status.split(" ", 1)[0]), headers]

        body = app(environ, start_response)
        try:
            data = body[0] if isinstance(body, list) and len(body) == 1 else b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        protocol.response_bytes(answer[0], answer[1], data)
        return int(answer[0])

    return call
