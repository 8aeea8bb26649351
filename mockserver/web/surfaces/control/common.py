"""The control API door and what every control route module shares.

Every control request goes through the same request frame as the Callr API
(``frame/frame.py``): read and checked against ``spec/control.yaml`` with the same
compiled contract and reader (bad input is a 400 in the Callr error form before any route
runs), handled by its route, and its answer checked against that spec too; a mismatch is
a recorded violation (a 500 in strict mode), as on the Callr API. There is no
authentication step (the Host/Origin guard and the control token are in front of every
door, ``frame/guard.py``) and no fault applies. The journal keeps a control exchange only
when it broke the control spec.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from types import ModuleType
from typing import Any

from werkzeug.wrappers import Response

from ....base.errors import ApiError
from ....base.marks import Marks
from ....base.wire import CONTROL_PREFIX, JSON
from ....contract.compiled import Contract, Operation, contract_for
from ....state.injection import Injection
from ...frame.answers import encode_json
from ...frame.frame import Answer, Exchange
from ...frame.reading import Surface, base_url_of, read_request
from ...frame.runtime import Runtime

log = logging.getLogger("callr_mock")
CONTROL_SPEC_NAME = "control.yaml"
JOURNAL_PREFIX = "control:"


def control_contract() -> Contract:
    """spec/control.yaml, compiled once per process like the Callr spec."""
    return contract_for(str(resources.files("callr_mock.spec").joinpath(CONTROL_SPEC_NAME)))


def sandbox_operations() -> dict[str, Operation]:
    """The operations of control.yaml the sandbox serves (not those ``x-served-by: proxy``)."""
    contract = control_contract()
    paths = contract.document.get("paths", {})
    return {
        op.id: op
        for op in contract.operations.values()
        if paths.get(op.path, {}).get("x-served-by", "sandbox") == "sandbox"
    }


@dataclass
class ControlCall:
    """One checked control request, as a route sees it."""

    rt: Runtime
    path: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any]
    base_url: str

    @property
    def account_param(self) -> str | None:
        """``?account=SID``, or None."""
        return self.query.get("account") or None


Route = Callable[[ControlCall], "Answer | Response"]


ROUTE_MARKS = Marks("control route")


def route(operation_id: str) -> Callable[[Route], Route]:
    """Mark a function as the route of one operation of control.yaml."""
    return ROUTE_MARKS(operation_id)


def routes_of(modules: Iterable[ModuleType]) -> dict[str, Route]:
    return ROUTE_MARKS.table(modules)


def reply(body: Any = None, status: int = 200) -> Answer:
    """A JSON answer (no body: 204, or ``status``)."""
    if body is None:
        return Answer(204 if status == 200 else status)
    return Answer(status, body)


class ControlDoor:
    """The control API: ``ex.route`` is (operation, path values, route function)."""

    def read(self, ex: Exchange) -> None:
        op, _, _ = ex.route
        ex.operation = JOURNAL_PREFIX + op.id

    def authenticate(self, ex: Exchange) -> None:
        """None here: the guard in front of every door checks the control token."""

    def injected(self, ex: Exchange, injection: Injection) -> Exception:
        raise AssertionError("no fault applies to the control API")

    def validate(self, ex: Exchange) -> None:
        op, values, _ = ex.route
        surface = Surface(
            control_contract(), CONTROL_PREFIX, max_body_bytes=ex.rt.settings.max_body_bytes
        )
        ex.state["inputs"] = read_request(surface, op, ex.request, values)
        ex.refused_early = False

    def handle(self, ex: Exchange) -> None:
        _, _, function = ex.route
        given = ex.state["inputs"]
        call = ControlCall(
            ex.rt,
            given.path,
            given.query,
            given.body if isinstance(given.body, dict) else {},
            base_url_of(ex.request),
        )
        answer = function(call)
        ex.answer = answer if isinstance(answer, Answer) else Answer(answer.status_code, raw=answer)

    def refuse(self, ex: Exchange, error: Exception) -> None:
        if isinstance(error, ApiError):
            ex.answer = Answer(error.status, error.body())
            allowed = getattr(error, "allowed", None)
            if allowed:
                ex.answer.headers["Allow"] = ", ".join(sorted(allowed))
            return
        log.error("control route %s crashed", ex.operation, exc_info=error)
        message = f"{ex.operation} crashed: {type(error).__name__}: {error}"
        ex.violations.append(message)
        ex.answer = Answer(500, {"code": "internal-error", "message": message})

    def check(self, ex: Exchange) -> None:
        answer = ex.answer
        assert answer is not None
        if not ex.rt.settings.validate_responses or ex.violations:
            return
        op, _, _ = ex.route
        if answer.raw is not None:
            content_type = answer.raw.mimetype or None
            body: Any = None
            if content_type == JSON and not answer.raw.is_streamed:
                body = json.loads(answer.raw.get_data())
        else:
            content_type = answer.content_type if answer.body is not None else None
            if answer.status == 204:
                content_type = None
            body = answer.body
        problem = control_contract().check_response(
            op, answer.status, content_type, body, undeclared_ok=ex.refused_early
        )
        if problem is None:
            return
        message = f"control API {problem}"
        ex.violations.append(message)
        if ex.rt.settings.strict:
            ex.answer = Answer(500, {"code": "contract-violation", "message": message})

    def encode(self, answer: Answer) -> bytes | None:
        return encode_json(answer.body, answer.status)

    def journaled(self, ex: Exchange) -> bool:
        return bool(ex.violations)

    def journal_fields(self, ex: Exchange) -> tuple[Any, dict[str, Any] | None]:
        return None, None


CONTROL = ControlDoor()
