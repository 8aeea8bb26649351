"""The Callr API door (``/v2.0``): what each step of the request frame means for it.

read: HEAD is refused (405); authenticate: an API key or Basic credentials
(``state/auth.py``); inject: the operation's faults and rate limits; validate: path,
query and body against the served spec (``frame/reading.py``); handle: the operation's
handler under the store lock, with the jobs due first, or the spec's example when there
is none, then ``--vary``; check: the answer against the spec (bytes already checked for
the operation and status are not checked again, ``Runtime.validated``).
"""

from __future__ import annotations

import logging
from typing import Any

from werkzeug.exceptions import HTTPException

from ...base.errors import ApiError, MethodNotAllowedError
from ...base.wire import API_PREFIX
from ...contract.compiled import Operation
from ...contract.sample import generated_reply
from ...contract.vary import vary_answer
from ...handlers.rest import Call, Reply
from ...state.auth import authenticate
from ...state.injection import Injection
from ..frame.answers import encode_json
from ..frame.frame import Answer, Exchange
from ..frame.reading import Surface, base_url_of, read_request

log = logging.getLogger("callr_mock")


class RestDoor:
    """The Callr API: one per app (``Runtime``-wide settings are read per request)."""

    def route(self, ex: Exchange) -> tuple[Operation, dict[str, str]]:
        op, values = ex.route
        return op, values

    def read(self, ex: Exchange) -> None:
        op, _ = self.route(ex)
        ex.operation = op.id
        if ex.request.method == "HEAD":
            raise MethodNotAllowedError(
                f"HEAD is not allowed on {op.path}; use {op.method}", allowed=[op.method]
            )

    def authenticate(self, ex: Exchange) -> None:
        ex.account = authenticate(ex.rt.store, ex.request.headers)
        ex.fault_target = ex.operation

    def injected(self, ex: Exchange, injection: Injection) -> Exception:
        return injection.error()

    def validate(self, ex: Exchange) -> None:
        rt = ex.rt
        op, values = self.route(ex)
        surface = Surface(
            rt.contract,
            API_PREFIX,
            validate=rt.settings.validate_requests,
            max_body_bytes=rt.settings.max_body_bytes,
            house_defaults=True,
        )
        ex.state["inputs"] = read_request(surface, op, ex.request, values)
        ex.refused_early = False

    def handle(self, ex: Exchange) -> None:
        rt, request = ex.rt, ex.request
        op, _ = self.route(ex)
        given = ex.state["inputs"]
        assert ex.account is not None
        call = Call(
            op.id,
            ex.account,
            rt.store,
            given.path,
            given.query,
            given.body,
            given.content_type,
            given.files,
            base_url_of(request),
        )
        with rt.store.lock:
            rt.store.scheduler.run_due(rt.store.clock.now())
            handler = rt.handlers.get(op.id)
            if handler is None:
                status, generated = generated_reply(op, rt.store.clock.now())
                reply = Reply(status, generated)
            else:
                reply = handler(call)
        reply.body = vary_answer(
            rt.store.variation, ex.account.sid, op, reply.status, reply.body, given.query
        )
        ex.answer = Answer(reply.status, reply.body, reply.headers)

    def refuse(self, ex: Exchange, error: Exception) -> None:
        if isinstance(error, ApiError):
            ex.answer = Answer(error.status, error.body())
            if isinstance(error, MethodNotAllowedError):
                ex.answer.headers["Allow"] = ", ".join(sorted(error.allowed))
        elif isinstance(error, HTTPException):
            ex.answer = Answer(
                error.code or 500,
                {"code": "http-error", "message": error.description or str(error)},
            )
        else:  # a bug of ours: report it loudly, never hide it
            log.error("handler for %s crashed", ex.operation, exc_info=error)
            message = f"{ex.operation} crashed: {type(error).__name__}: {error}"
            ex.violations.append(message)
            ex.answer = Answer(500, {"code": "internal-error", "message": message})

    def check(self, ex: Exchange) -> None:
        rt, answer = ex.rt, ex.answer
        assert answer is not None
        injected = ex.injection is not None and ex.injection.replaces_answer
        if (
            not rt.settings.validate_responses
            or ex.request.method == "HEAD"
            or ex.violations
            or injected  # deliberately outside the contract
        ):
            return
        op, _ = self.route(ex)
        content_type = (
            "application/json" if answer.body is not None and answer.status != 204 else None
        )
        ex.data = self.encode(answer)
        key = (op.id, answer.status, ex.refused_early, ex.data)
        if rt.validated.seen(key):  # the same bytes were checked before: they still hold
            return
        problem = rt.contract.check_response(
            op, answer.status, content_type, answer.body, undeclared_ok=ex.refused_early
        )
        if not problem:
            rt.validated.add(key)
            return
        ex.violations.append(problem)
        if rt.settings.strict:
            ex.answer = Answer(500, {"code": "contract-violation", "message": problem})
            ex.data = None

    def encode(self, answer: Answer) -> bytes | None:
        return encode_json(answer.body, answer.status)

    def journaled(self, ex: Exchange) -> bool:
        return True

    def journal_fields(self, ex: Exchange) -> tuple[Any, dict[str, Any] | None]:
        answer = ex.answer
        assert answer is not None
        if answer.status >= 400 and isinstance(answer.body, dict):
            return answer.body.get("code"), answer.body
        return None, None


REST = RestDoor()
