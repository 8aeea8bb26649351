"""Faults and rate limits applied to a request (the rules are in ``state/injection.py``).

Used by the REST pipeline and the legacy endpoint, right after authentication:
``before()`` decides and sleeps the latency of an immediate injection; ``after()`` sleeps the
latency of an ``after`` fault once the operation has committed; ``send()`` drops the
connection when asked to.

Dropping needs the server's help: each engine (``running/*_engine.py``) puts a callable under
``DROP_CONNECTION`` in the WSGI environ that closes the request's connection without writing a
byte, and returns False when it could not. Anywhere else (Flask's test client), or when it
could not, the request gets the fault's status (503 by default) and a message saying the
connection could not be dropped.
"""

from __future__ import annotations

import time

from werkzeug.wrappers import Request, Response

from ...state.injection import Injection, decide
from .runtime import Runtime

DROP_CONNECTION = "callr_mock.drop_connection"


def before(rt: Runtime, request: Request, account: str, operation: str) -> Injection | None:
    injection = decide(
        rt.store.faults,
        rt.store.rate_limits,
        account=account,
        operation=operation,
        method_path=f"{request.method} {request.path}",
        now=rt.store.clock.now(),
    )
    if injection is None:
        return None
    if injection.drop and not can_drop(request):
        injection.message = (
            f"{injection.message} (the connection should have been dropped, but this server "
            "cannot drop connections; callr-mock serve on waitress and the pytest plugin can)"
        )
    if not injection.after:
        _sleep(injection)
    return injection


def after(injection: Injection) -> None:
    _sleep(injection)


def _sleep(injection: Injection) -> None:
    if injection.latency_ms:
        time.sleep(injection.latency_ms / 1000)


def can_drop(request: Request) -> bool:
    return callable(request.environ.get(DROP_CONNECTION))


def send(injection: Injection | None, request: Request, response: Response) -> Response:
    """The response, or nothing at all on the wire when the injection drops the connection."""
    if injection is not None:
        for name, value in injection.headers.items():
            response.headers[name] = value
        if injection.drop and can_drop(request) and request.environ[DROP_CONNECTION]() is not False:
            return Response(b"", status=response.status_code)
    return response
