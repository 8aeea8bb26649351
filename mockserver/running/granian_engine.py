"""The granian engine: Rust HTTP I/O, the WSGI app on Python threads, in this process.

``callr-mock serve`` and the plugin run on it (``--server waitress`` is the fallback): the
per-request cost of the server itself is a fraction of waitress' (``bench/vs_prism.py
--wsgi``), and the state stays in the one process that serves it, with its background
services.

granian's own ``Server`` runs WSGI apps only in worker processes it spawns (and its threaded
mode only on free-threaded Python), which would split the sandbox from the process that
prints the banner, saves the state file on SIGTERM and holds the port for ``--port 0``. So
this engine drives granian's worker directly, as granian's threaded mode does: the socket is
ours (bound here, its port known at once), the worker serves it from its own Rust threads and
calls the app on a pool of ``settings.worker_threads`` Python threads (1 by default), and
``shutdown`` signals it. A latency fault holds no thread: the app hands the delay to
``ANSWER_LATER`` and returns, and the answer is given from one timer thread when it is due
(granian takes an answer from any thread). granian gives the app no handle on a connection:
a ``drop`` fault finds its connection among the process' sockets (``waiting_connection.py``).
Those are granian's internal classes (``granian._granian``), so the dependency is pinned to
the minor version this was written and tested against.
"""

from __future__ import annotations

import asyncio
import asyncio.tasks as _aio_tasks
import contextlib
import functools
import heapq
import itertools
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import granian._futures
import granian._granian
import granian.http

from ..base.settings import Settings
from ..web.frame.injection import ANSWER_LATER, DROP_CONNECTION
from .waiting_connection import find_waiting_connection

# granian's internal modules (their type stubs lag the compiled code): typed as Any
_native: Any = granian._granian
_futures: Any = granian._futures
_http: Any = granian.http

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
        self._closing = False  # shutdown or close came: run must not (or no longer) serve
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._later = _Later()
        self._loop: asyncio.AbstractEventLoop | None = None

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
        with self._lock:
            self._closing = False
            self._done.clear()
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
        with self._lock:
            if self._closing:  # stopped before this thread got here
                return
            stop = self._signal = _native.WorkerSignal()
        holder = _native.SocketHolder(os.dup(self._socket.fileno()), False, BACKLOG)
        # SIGINT/SIGTERM blocked while granian's native code starts its threads: they inherit
        # the mask (a signal then never lands in a Rust thread), and a Ctrl-C that comes
        # meanwhile waits until the mask is lifted, then raises here, in Python, instead
        # of being swallowed inside the native call (it was lost right after the banner)
        with _signals_held():
            http1 = _http1_settings(settings)
            worker = _native.WSGIWorker(
                1,  # worker id
                (None, holder),
                None,  # no IPC: no metrics
                1,  # Rust runtime threads: the I/O of 2 cores is not where the time goes
                16,  # Rust blocking threads (file reads; none here)
                settings.worker_threads,  # Python threads calling the app, at most; on demand
                30,  # seconds an idle Python thread is kept
                settings.connection_limit,  # requests in flight at most, the rest wait
                "1",  # HTTP/1.1 only, as waitress
                http1,
                None,
                None,  # no static files
                False, None, None, None, "tls1.3", None, [], False,  # no TLS
                (None, None),  # no metrics
            )  # fmt: skip
            self._later = _Later()
            logging.getLogger("_granian").setLevel(logging.WARNING)  # its start/stop chatter
            callback = _wsgi_callback(self.app, self.port, self.clear_proxy_headers, self._later)
            self._loop = (
                asyncio.new_event_loop()
            )  # granian's scheduler wants one; WSGI never runs it
            scheduler = _scheduler(self._loop, callback)
            worker.serve_str(scheduler, None, stop)
        self._done.wait()

    def shutdown(self, thread: threading.Thread | None) -> None:
        self._stop_worker()
        self._done.set()
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=5)

    def close(self) -> None:
        self._later.stop()
        self._stop_worker()
        self._done.set()
        if self._loop is not None:
            self._loop.close()
            self._loop = None
        if self._socket is not None:
            self._socket.close()

    def _stop_worker(self) -> None:
        """Signal the worker to stop, once (a second ``set`` can block for good), and keep
        ``run`` from starting one if it has not yet."""
        with self._lock:
            self._closing = True
            stop, self._signal = self._signal, None
        if stop is not None:
            stop.set()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back from this thread (and the threads it starts) for the
    block; where threads have no signal mask (Windows), nothing."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _UnlistedTask(_futures._CBSchedulerTask):
    """granian's placeholder task, kept out of asyncio's task list: ``asyncio.all_tasks()``
    (pytest-asyncio, Playwright) fails on it, and a WSGI worker never runs it."""

    def __init__(self) -> None:
        pass


def _scheduler(loop: asyncio.AbstractEventLoop, callback: Any) -> Any:
    """What ``_futures._new_cbscheduler`` makes, without listing its task in asyncio's."""
    return _futures._CBScheduler(
        loop,
        callback,
        _UnlistedTask(),
        functools.partial(_aio_tasks._enter_task, loop),
        functools.partial(_aio_tasks._leave_task, loop),
    )


def _http1_settings(settings: Settings) -> Any:
    return _http.HTTP1Settings(header_read_timeout=int(settings.channel_timeout * 1000))


def _wsgi_callback(app: Any, port: int, clear_proxy_headers: bool, later: _Later) -> Any:
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
        client = str(environ.get("REMOTE_ADDR", ""))
        environ[DROP_CONNECTION] = lambda: find_waiting_connection(port, client)
        delay: list[float] = []
        environ[ANSWER_LATER] = delay.append
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
        status, headers = answer
        if delay:
            later.at(delay[0], lambda: protocol.response_bytes(status, headers, data))
        else:
            protocol.response_bytes(status, headers, data)
        return int(status)

    return call


class _Later:
    """Calls due at a time to come, made one after the other on one thread (started with
    the first call)."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def at(self, seconds: float, call: Callable[[], None]) -> None:
        with self._cond:
            if self._stopping:
                return
            heapq.heappush(self._due, (time.monotonic() + seconds, next(self._order), call))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="callr-mock-answer-later", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def stop(self) -> None:
        """Drop what is pending (the server is closing, and its connections with it)."""
        with self._cond:
            self._stopping = True
            self._due.clear()
            self._cond.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    self._cond.wait(self._due[0][0] - time.monotonic() if self._due else None)
                if self._stopping:
                    return
                _, _, call = heapq.heappop(self._due)
            with contextlib.suppress(Exception):  # the client is gone: nothing to answer
                call()
