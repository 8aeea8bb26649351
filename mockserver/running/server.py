"""Run the mock on a production WSGI server: one process, threaded, the state in it.

``MockServer`` starts on a background thread (the pytest plugin) or in the foreground
(``callr-mock serve``), on 127.0.0.1 by default; port 0 picks a free port. Two engines:
granian (``granian_engine.py``: Rust I/O; the default, for ``serve`` and the plugin's
in-process server) and waitress (``waitress_engine.py``: pure Python; ``serve --server
waitress``, and always the proxy's).
"""

from __future__ import annotations

import faulthandler
import gc
import logging
import signal
import threading
from dataclasses import replace
from types import FrameType
from typing import Any, Protocol

from flask import Flask

from ..base.settings import SERVERS, Settings
from ..services.state_file import StateFile, read_state_file
from ..web.app import create_app
from ..web.frame.runtime import Runtime, runtime_of

log = logging.getLogger("callr_mock")


class Engine(Protocol):
    """What a WSGI server engine does for ``WsgiServer`` (``waitress_engine.py``,
    ``granian_engine.py``)."""

    @property
    def port(self) -> int: ...

    def bind(self) -> None: ...

    def run(self) -> None: ...

    def shutdown(self, thread: threading.Thread | None) -> None: ...

    def close(self) -> None: ...


def new_engine(name: str, settings: Settings, app: Any, *, clear_proxy_headers: bool) -> Engine:
    if name == "granian":
        from .granian_engine import GranianEngine

        return GranianEngine(settings, app, clear_proxy_headers=clear_proxy_headers)
    if name == "waitress":
        from .waitress_engine import WaitressEngine

        return WaitressEngine(settings, app, clear_proxy_headers=clear_proxy_headers)
    raise ValueError(f"unknown server {name!r}: one of {', '.join(SERVERS)}")


class WsgiServer:
    """Any WSGI app on the engine ``settings.server`` names: on a background thread or in the
    foreground.

    Subclasses hook ``_start_background`` / ``_stop_background`` (the sandbox's clock
    ticker and webhook delivery; nothing for the proxy).
    """

    clear_untrusted_proxy_headers = True

    def __init__(self, settings: Settings, app: Any) -> None:
        self.settings = settings
        self.app = app
        self.engine = new_engine(
            settings.server, settings, app, clear_proxy_headers=self.clear_untrusted_proxy_headers
        )
        self._bound = False
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def _start_background(self) -> None:
        pass

    def _stop_background(self) -> None:
        pass

    @property
    def port(self) -> int:
        if not self._bound:
            raise RuntimeError("server not started")
        return self.engine.port

    @property
    def url(self) -> str:
        """Root URL; the Callr API is under ``url + '/v2.0'``, the control API under ``/_mock``."""
        return f"http://{self.settings.host}:{self.port}"

    def bind(self) -> WsgiServer:
        """Open the listening socket (OSError if the port is taken, OSError or ValueError if
        the host is not ours); ``start``/``serve_forever`` do it when not done yet."""
        if not self._bound:
            self.engine.bind()
            self._bound = True
        return self

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
            self.engine.run()
        except (OSError, ValueError):
            # stop() closed the sockets under the engine's loop: that is how it ends
            if not self._stopping.is_set():
                raise

    def stop(self) -> None:
        self._stopping.set()
        self.engine.shutdown(self._thread)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None
        self.engine.close()
        self._bound = False
        self._stop_background()

    def serve_forever(self, on_ready: Any = None) -> None:
        """Serve in the foreground until Ctrl-C or SIGTERM, then stop cleanly."""
        self.bind()
        self._start_background()
        _freeze_the_heap()

        def _terminate(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, _terminate)
        dumps = _stacks_on_request()
        try:
            if on_ready is not None:
                on_ready(self)
            self.engine.run()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if dumps is not None:
                faulthandler.unregister(dumps)
            self._stopping.set()
            self.engine.shutdown(None)
            self.engine.close()
            self._bound = False
            self._stop_background()

    def __enter__(self) -> WsgiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _stacks_on_request() -> int | None:
    """``kill -USR1 <pid>`` prints what every thread of the serving process is doing to
    stderr (``faulthandler``: it works even while a thread holds the GIL), for a sandbox that
    seems stuck; the signal number, or None where there is no SIGUSR1 (Windows)."""
    number = getattr(signal, "SIGUSR1", None)
    if number is None:
        return None
    faulthandler.register(number, all_threads=True)
    return int(number)


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
    """The sandbox: ``create_app(settings)`` on the engine ``settings.server`` names, with
    its background services.

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
