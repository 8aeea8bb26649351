"""Faults and rate limits applied to a request (the rules are in ``state/injection.py``).

Used by the REST pipeline and the legacy endpoint, right after authentication: ``before()``
decides; ``send()`` delays the answer by the injection's latency, then sends it, or drops the
connection. A latency delays the answer, whatever it is (the work, when there is any, is done
when the request arrives). An engine that can hold an answer without holding a thread puts a
callable under ``ANSWER_LATER`` in the WSGI environ (granian's, ``running/granian_engine.py``):
``send()`` hands it the delay instead of sleeping, so a latency fault blocks no other request
whatever the number of threads. Anywhere else the request's thread sleeps.

Dropping needs the server's help: each engine (``running/*_engine.py``) puts a callable under
``DROP_CONNECTION`` in the WSGI environ that finds the request's connection, as soon as the
fault is decided, and returns what closes it later without writing a byte, or a sentence
saying why it could not be found. Anywhere else (Flask's test client), or when it could not be
found, the request gets the fault's status (503 by default), a message saying why the
connection was not dropped, and a journal entry with that status.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from ...state.injection import Injection, decide
from .answers import WireResponse
from .runtime import Runtime

DROP_CONNECTION = "callr_mock.drop_connection"
ANSWER_LATER = "callr_mock.answer_later"
_DROPPER = "callr_mock.dropper"
_NO_DROP = "this server cannot drop connections; callr-mock serve and the pytest plugin can"


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
    if injection.drop:
        found = _find_connection(request)
        if isinstance(found, str):
            injection.message = (
                f"{injection.message} (the connection should have been dropped, but {found})"
            )
        else:
            request.environ[_DROPPER] = found
    return injection


def _find_connection(request: Request) -> Callable[[], None] | str:
    find = request.environ.get(DROP_CONNECTION)
    if not callable(find):
        return _NO_DROP
    found: Callable[[], None] | str = find()
    return found


def drops(injection: Injection | None, request: Request) -> bool:
    """Whether this request's connection is closed without an answer."""
    return injection is not None and injection.drop and _DROPPER in request.environ


def send(
    injection: Injection | None, request: Request, response: Response | WireResponse
) -> Response | WireResponse:
    """The response, or nothing at all on the wire when the injection drops the connection."""
    if injection is not None:
        for name, value in injection.headers.items():
            response.headers[name] = value
        if injection.latency_ms:
            _delay(injection.latency_ms / 1000, request, dropping=drops(injection, request))
        if drops(injection, request):
            request.environ[_DROPPER]()
            return Response(b"", status=response.status_code)
    return response


def _delay(seconds: float, request: Request, *, dropping: bool) -> None:
    later = request.environ.get(ANSWER_LATER)
    if callable(later) and not dropping:
        later(seconds)
    else:
        time.sleep(seconds)
