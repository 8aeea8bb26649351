"""Serve callr-mock's app (as ``callr-mock serve`` builds it) under a given WSGI server.

    python bench/_serve.py waitress|cheroot|granian PORT [THREADS]

Used by ``bench/vs_prism.py --wsgi`` to compare servers on the same load. Every variant
keeps the model the sandbox needs: one process, threads, the state in memory.
``waitress`` here is exactly ``callr-mock serve`` (``MockServer``).
"""

from __future__ import annotations

import gc
import sys

from callr_mock import MockServer, Settings, create_app


def main() -> None:
    name, port = sys.argv[1], int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else Settings().threads
    settings = Settings(port=port, threads=threads, id_seed=1)
    if name == "waitress":
        MockServer(settings).serve_forever()
    elif name == "cheroot":
        from cheroot import wsgi

        server = wsgi.Server(("127.0.0.1", port), create_app(settings), numthreads=threads)
        try:
            server.start()
        finally:
            server.stop()
    elif name == "granian":
        from granian.constants import Interfaces
        from granian.server import Server

        Server(
            "bench._serve:granian_app",
            address="127.0.0.1",
            port=port,
            interface=Interfaces.WSGI,
            workers=1,  # one process: the state lives in it
            blocking_threads=threads,
            factory=True,
        ).serve()
    else:
        raise SystemExit(f"unknown server {name!r}: waitress, cheroot or granian")


def granian_app() -> object:
    app = create_app(Settings(id_seed=1))
    gc.collect()
    gc.freeze()  # as `callr-mock serve` does before serving (running/server.py)
    return app


if __name__ == "__main__":
    main()
