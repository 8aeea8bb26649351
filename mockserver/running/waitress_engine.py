"""The waitress engine: pure-Python WSGI server (one process, a fixed pool of threads).

What the pytest plugin's in-process server and the proxy run on: it lives in the caller's
process without touching its signals or forking, and it is the one whose per-request cost
``bench/vs_prism.py --wsgi waitress`` measures against granian (``granian_engine.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask

from ..base.settings import Settings
from ..web.frame.injection import DROP_CONNECTION


class _DroppableTask(WSGITask):
    """A waitress task the app can tell to close the connection without answering
    (an injected ``drop`` fault): nothing is written, not even the status line."""

    dropped = False

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[DROP_CONNECTION] = self._find
        return environ

    def _find(self) -> Callable[[], None]:
        return self._drop

    def _drop(self) -> None:
        self.dropped = True

    def finish(self) -> None:
        if self.dropped:
            self.close_on_finish = True
            return
        super().finish()


class _Channel(HTTPChannel):
    task_class = _DroppableTask


class WaitressEngine:
    """``bind`` opens the socket, ``run`` serves until ``shutdown`` (from any thread),
    ``close`` releases the socket."""

    def __init__(self, settings: Settings, app: Any, *, clear_proxy_headers: bool) -> None:
        self.settings = settings
        self.app = app
        self.clear_proxy_headers = clear_proxy_headers
        self._server: Any = None

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def bind(self) -> None:
        settings = self.settings
        self._server = create_server(
            self.app,
            host=settings.host,
            port=settings.port,
            threads=settings.worker_threads,
            connection_limit=settings.connection_limit,
            channel_timeout=settings.channel_timeout,
            ident="callr-mock",
            max_request_body_size=max(settings.max_body_bytes * 4, 1 << 22),
            clear_untrusted_proxy_headers=self.clear_proxy_headers,
            asyncore_loop_timeout=1,  # waitress int()s this: 0.2 became 0, a busy loop; shutdown wakes it at once
        )
        listeners = [self._server, *getattr(self._server, "map", {}).values()]
        for listener in listeners:
            if isinstance(listener, BaseWSGIServer):
                listener.channel_class = _Channel

    def run(self) -> None:
        """Serve until ``shutdown``; that closes the sockets under the select() loop, which
        may end it with OSError or ValueError (the caller knows it asked)."""
        self._server.run()

    def shutdown(self, thread: Any) -> None:
        """Close every socket from inside waitress' own loop (keep-alive ones too), so the
        loop ends at once and cleanly; fall back to closing from outside."""
        server = self._server
        if server is None or thread is None or not thread.is_alive():
            return
        from waitress import wasyncore

        socket_map = server._map
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(socket_map, ignore_all=True))
            thread.join(timeout=5)
        except OSError:  # the wake-up pipe is already gone
            pass
        if thread.is_alive():
            server.close()
            for channel in list(server._map.values()):
                channel.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
