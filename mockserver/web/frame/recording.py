"""The journal record of one exchange (the frame's last step): the one writer of the
request journal and of the coverage tally, for every door, HTTP errors and webhooks aside."""

from __future__ import annotations

import logging
import time
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from ...base.journal import JournalEntry, Message, Violation
from ...state.timefmt import iso
from .reading import request_bytes
from .runtime import Runtime

log = logging.getLogger("callr_mock")
_HEADER_KEYS = ("HTTP_", "CONTENT_")  # the request headers in a WSGI environ


def answer_message(
    headers: list[tuple[str, str]], content_type: str | None, data: bytes | None
) -> Message:
    """What the journal keeps of an answer."""
    return Message.of(headers, content_type if data else None, data or b"")


def record_exchange(
    rt: Runtime,
    request: Request,
    *,
    started: float | None,
    account: str | None,
    operation: str | None,
    status: int | None,
    violations: list[str] | None = None,
    injected: dict[str, Any] | None = None,
    code: Any = None,
    error: dict[str, Any] | None = None,
    response: Message | None = None,
) -> None:
    """Write the current request to the journal, and each violation it committed; count it
    for the coverage report (``code``: the error code of the answer, if any; ``response``:
    what the journal keeps of the answer, see ``journal.Message``)."""
    rt.coverage.exchange(account, operation, status, code)
    found = [
        Violation(
            account=account,
            operation=operation,
            method=request.method,
            path=request.path,
            status=status,
            message=message,
        )
        for message in violations or []
    ]
    for message in violations or []:
        log.error("contract violation: %s", message)
    rt.journal.record(
        JournalEntry(
            time=iso(rt.store.clock.now()),
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            status=status,
            account=account,
            operation=operation,
            duration_ms=round((time.perf_counter() - started) * 1000, 3) if started else 0.0,
            violations=list(violations or []),
            injected=injected,
            error=error,
            request=request_message(request),
            response=response,
        ),
        found,
    )


def request_message(request: Request) -> Message:
    """What the journal keeps of a request: its headers and body (read here if no one did)."""
    # the WSGI environ's header keys (HTTP_*, CONTENT_TYPE/LENGTH), as they are: a third
    # of the cost of request.headers; redaction.header_name names them when shown
    headers = [(k, v) for k, v in request.environ.items() if k.startswith(_HEADER_KEYS)]
    content_type = request.mimetype or None
    try:
        data = request_bytes(request)
    except RequestEntityTooLarge:  # not read: counted only
        return Message.of(headers, content_type, b"", request.content_length or 0)
    return Message.of(headers, content_type, data)
