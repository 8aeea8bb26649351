"""The one request frame: every door (REST v2, the legacy endpoint, the control API) runs
its requests through the same ordered steps, declared once in ``FRAME``.

    read → authenticate → inject → validate → handle      (a step may refuse the request)
    lose the answer → check the answer → record            (always run)

A door (``Door``) says what each step means for it: how a request is read and
authenticated, which fault target it is, what validating and handling are, how an error
becomes its answer, what its contract is. The frame owns the order, the fault rules, the
journal record and the dropped connection; no door re-implements them.

``run(door, exchange)`` gives the WSGI response. A step that raises ends the refusable
part: the door turns the error into its answer (``Door.refuse``), then the closing steps
run. A problem found while reading that must not be told before authentication (the
legacy endpoint's parse errors) is kept in ``Exchange.deferred`` and raised right after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from ...base.journal import Message
from ...state.injection import Injection
from ...state.store import AccountState
from . import injection as injections
from .answers import WireResponse
from .recording import answer_message, record_exchange
from .runtime import Runtime


@dataclass
class Answer:
    """What a door answers: a status, a JSON-able body (None: no body) and headers; or a
    ready ``raw`` response (a file, a stream) passed on as it is."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    raw: Response | None = None


@dataclass
class Exchange:
    """One request on its way through the frame."""

    rt: Runtime
    request: Request
    route: Any = None
    """What the dispatcher matched (the operation and its path values), per door."""
    started: float = field(default_factory=time.perf_counter)
    account: AccountState | None = None
    operation: str | None = None
    """The journal's name for it: ``getSms``, ``jsonrpc:sms.send``, ``control:reset``."""
    fault_target: str | None = None
    """What faults and rate limits match (None: none apply, as on the control API)."""
    state: dict[str, Any] = field(default_factory=dict)
    """What a door keeps between its steps (inputs, the JSON-RPC id, the method)."""
    deferred: Exception | None = None
    injection: Injection | None = None
    answer: Answer | None = None
    data: bytes | None = None
    """The answer's bytes, once encoded (by the check step, or at the end)."""
    violations: list[str] = field(default_factory=list)
    refused_early: bool = True
    """Refused before any handler ran (auth, validation): a status the spec does not list
    is then not blamed on the handler."""


class Door(Protocol):
    """What one surface means by each step of the frame."""

    def read(self, ex: Exchange) -> None: ...
    def authenticate(self, ex: Exchange) -> None: ...
    def injected(self, ex: Exchange, injection: Injection) -> Exception:
        """The error an immediate fault answers with (also the answer an ``after`` fault
        leaves in place of the committed one)."""
        ...

    def validate(self, ex: Exchange) -> None: ...
    def handle(self, ex: Exchange) -> None: ...
    def refuse(self, ex: Exchange, error: Exception) -> None:
        """Set ``ex.answer`` from an error raised by a step (a crash of ours included)."""
        ...

    def check(self, ex: Exchange) -> None:
        """Check ``ex.answer`` against the door's contract (may set ``ex.data``)."""
        ...

    def encode(self, answer: Answer) -> bytes | None: ...
    def journaled(self, ex: Exchange) -> bool:
        """Whether the journal keeps this exchange (the control API: only its violations)."""
        ...

    def journal_fields(self, ex: Exchange) -> tuple[Any, dict[str, Any] | None]:
        """The error code and error body the journal and the coverage report keep."""
        ...


def _read(door: Door, ex: Exchange) -> None:
    door.read(ex)


def _authenticate(door: Door, ex: Exchange) -> None:
    door.authenticate(ex)
    if ex.deferred is not None:
        raise ex.deferred


def _inject(door: Door, ex: Exchange) -> None:
    if ex.fault_target is None or ex.account is None:
        return
    ex.injection = injections.before(ex.rt, ex.request, ex.account.sid, ex.fault_target)
    if ex.injection is not None and ex.injection.replaces_answer and not ex.injection.after:
        raise door.injected(ex, ex.injection)


def _validate(door: Door, ex: Exchange) -> None:
    door.validate(ex)


def _handle(door: Door, ex: Exchange) -> None:
    door.handle(ex)


def _lose_the_answer(door: Door, ex: Exchange) -> None:
    """An ``after`` fault: the work is committed, the answer is lost."""
    if ex.injection is not None and ex.injection.after:
        door.refuse(ex, door.injected(ex, ex.injection))
        ex.data = None


def _check(door: Door, ex: Exchange) -> None:
    door.check(ex)


def _record(door: Door, ex: Exchange) -> None:
    if not door.journaled(ex):
        return
    answer = ex.answer
    assert answer is not None
    if ex.data is None and answer.raw is None:
        ex.data = door.encode(answer)
    dropped = injections.drops(ex.injection, ex.request)
    code, error = door.journal_fields(ex)
    record_exchange(
        ex.rt,
        ex.request,
        started=ex.started,
        account=ex.account.sid if ex.account is not None else None,
        operation=ex.operation,
        status=None if dropped else answer.status,
        violations=ex.violations,
        injected=ex.injection.mark() if ex.injection is not None else None,
        code=code,
        error=error,
        response=None
        if dropped
        else _kept_answer(answer, ex.data if answer.raw is None else _raw_bytes(answer.raw)),
    )


def _raw_bytes(response: Response) -> bytes:
    """A ready response's body, unless it is a stream (reading it would spend it)."""
    return b"" if response.is_streamed else response.get_data()


def _kept_answer(answer: Answer, data: bytes | None) -> Message:
    headers = list((answer.raw.headers if answer.raw is not None else answer.headers).items())
    content_type = answer.raw.mimetype if answer.raw is not None else answer.content_type
    return answer_message(headers, content_type, data)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Door, Exchange], None]
    always: bool = False
    """Run even when an earlier step refused the request."""


FRAME: tuple[Step, ...] = (
    Step("read", _read),
    Step("authenticate", _authenticate),
    Step("inject", _inject),
    Step("validate", _validate),
    Step("handle", _handle),
    Step("lose the answer", _lose_the_answer, always=True),
    Step("check the answer", _check, always=True),
    Step("record", _record, always=True),
)
"""The request frame, in order: the one list every door goes through."""


def run(door: Door, ex: Exchange) -> Response | WireResponse:
    refused = False
    for step in FRAME:
        if refused and not step.always:
            continue
        try:
            step.run(door, ex)
        except Exception as error:
            if step.always:
                raise
            door.refuse(ex, error)
            refused = True
    return _send(door, ex)


def _send(door: Door, ex: Exchange) -> Response | WireResponse:
    answer = ex.answer
    assert answer is not None
    response: Response | WireResponse
    if answer.raw is not None:
        response = answer.raw
    else:
        data = ex.data if ex.data is not None else door.encode(answer)
        if data is None:
            response = Response(status=answer.status)
        else:
            response = WireResponse(data, answer.status, answer.content_type)
        for name, value in answer.headers.items():
            response.headers[name] = value
    return injections.send(ex.injection, ex.request, response)
