"""Run the mock on waitress (production WSGI server: one process, threaded).

``MockServer`` starts on a background thread (the pytest plugin) or in the
foreground (``callr-mock serve``), on 127.0.0.1 by default; port 0 picks a free port.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from dataclasses import replace
from types import FrameType
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask

from ..base.settings import Settings
from ..services.state_file import StateFile, read_state_file
from ..web.app import create_app
from ..web.frame.injection import DROP_CONNECTION
from ..web.frame.runtime import Runtime, runtime_of

log = logging.getLogger("callr_mock")


class _DroppableTask(WSGITask):
    """A waitress task the app can tell to close the connection without answering
    (an injected ``drop`` fault): nothing is written, not even the status line."""

    dropped = False

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[DROP_CONNECTION] = self._drop
        return environ

    def _drop(self) -> None:
        self.dropped = True

    def finish(self) -> None:
        if self.dropped:
            self.close_on_finish = True
            return
        super().finish()


class _Channel(HTTPChannel):
    task_class = _DroppableTask


class WsgiServer:
    """Any WSGI app on waitress: on a background thread or in the foreground.

    Subclasses hook ``_start_background`` / ``_stop_background`` (the sandbox's clock
    ticker and webhook delivery; nothing for the proxy).
    """

    clear_untrusted_proxy_headers = True

    def __init__(self, settings: Settings, app: Any) -> None:
        self.settings = settings
        self.app = app
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._closed = False  # the socket of _server was closed: bind() makes a new one

    def _start_background(self) -> None:
        pass

    def _stop_background(self) -> None:
        pass

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        """Root URL; the Callr API is under ``url + '/v2.0'``, the control API under ``/_mock``."""
        return f"http://{self.settings.host}:{self.port}"

    def bind(self) -> WsgiServer:
        """Open the listening socket (OSError if the port is taken, OSError or ValueError if
        the host is not ours); ``start``/``serve_forever`` do it when not done yet."""
        if self._server is None or self._closed:
            self._create()
            self._closed = False
        return self

    def _create(self) -> None:
        self._server = create_server(
            self.app,
            host=self.settings.host,
            port=self.settings.port,
            threads=self.settings.threads,
            connection_limit=self.settings.connection_limit,
            channel_timeout=self.settings.channel_timeout,
            ident="callr-mock",
            max_request_body_size=max(self.settings.max_body_bytes * 4, 1 << 22),
            clear_untrusted_proxy_headers=self.clear_untrusted_proxy_headers,
            asyncore_loop_timeout=1,  # waitress int()s this: 0.2 became 0, a busy loop; stop() wakes it at once
        )
        listeners = [self._server, *getattr(self._server, "map", {}).values()]
        for listener in listeners:
            if isinstance(listener, BaseWSGIServer):
                listener.channel_class = _Channel

    def start(self) -> WsgiServer:
        """Serve on a daemon thread and return at once (the plugin's way)."""
        self.bind()
        self._start_background()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="callr-mock-http", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._server.run()
        except (OSError, ValueError):
            # stop() closed the sockets under the select() loop: that is how it ends
            if not self._stopping.is_set():
                raise

    def stop(self) -> None:
        """Close every socket from inside waitress' own loop (keep-alive ones too), so the
        loop ends at once and cleanly; fall back to closing from outside."""
        self._stopping.set()
        thread, server = self._thread, self._server
        if server is not None and thread is not None and thread.is_alive():
            from waitress import wasyncore

            socket_map = server._map
            try:
                server.trigger.pull_trigger(
                    lambda: wasyncore.close_all(socket_map, ignore_all=True)
                )
                thread.join(timeout=5)
            except OSError:  # the wake-up pipe is already gone
                pass
        if server is not None and thread is not None and thread.is_alive():
            server.close()
            for channel in list(server._map.values()):
                channel.close()
            thread.join(timeout=5)
        self._thread = None
        self._closed = True
        self._stop_background()

    def serve_forever(self, on_ready: Any = None) -> None:
        """Serve in the foreground until Ctrl-C or SIGTERM, then stop cleanly."""
        self.bind()
        self._start_background()
        _freeze_the_heap()

        def _terminate(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            if on_ready is not None:
                on_ready(self)
            self._server.run()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self._server.close()
            self._closed = True
            self._stop_background()

    def __enter__(self) -> WsgiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _freeze_the_heap() -> None:
    """Take what start-up built out of the cyclic garbage collector's rounds.

    A process that serves in the foreground keeps what it built before serving (the compiled
    contract, the catalogues, the seed) until it exits; left in the collector's oldest
    generation, all of it is walked again on every full collection, which the allocations of
    requests trigger (in-process, 2,000 calls: a write 0.174 -> 0.152 ms, a read 0.101 ->
    0.081 ms with the heap frozen). ``gc.freeze`` (CPython's advice for servers) moves it to
    a permanent generation; objects made later are collected as before. Not done for the
    plugin's in-process server: that heap is the user's test process.
    """
    gc.collect()
    gc.freeze()


class MockServer(WsgiServer):
    """The sandbox: ``create_app(settings)`` on waitress, with its background services.

    With ``settings.state_file`` the sandbox continues from that file when it exists (its
    state replaces the seed), else starts as usual and creates it; it is saved about a second
    after each change and when the server stops (``statefile.py``). ``StateFileError`` when
    the file cannot be read, restored or written; an unusable file is left untouched."""

    def __init__(self, settings: Settings | None = None, *, app: Flask | None = None) -> None:
        settings = settings or Settings()
        document = read_state_file(settings.state_file) if settings.state_file else None
        if document is not None:
            settings = replace(settings, seed_path=None)  # the file is the sandbox now
        super().__init__(settings, app or create_app(settings))
        self.runtime: Runtime = runtime_of(self.app)
        self.state_file: StateFile | None = None
        if settings.state_file:
            self.state_file = StateFile(settings.state_file, self.runtime)
            self.state_file.open(document)
            self.runtime.persistence = self.state_file

    def _start_background(self) -> None:
        self.runtime.start_background()
        if self.state_file is not None:
            self.state_file.start()

    def _stop_background(self) -> None:
        self.runtime.stop_background()
        if self.state_file is not None:
            self.state_file.close()

    def start(self) -> MockServer:
        super().start()
        return self

    def __enter__(self) -> MockServer:
        return self.start()
