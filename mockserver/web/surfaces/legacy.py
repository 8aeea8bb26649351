"""``POST /json-rpc/v1.1/``: the legacy JSON-RPC 2.0 endpoint (Flask blueprint).

As Callr's legacy docs say: POST only, UTF-8, UTC dates, positional parameters only, no
batch requests and no notifications. Request ``Content-Type`` may be
``application/json-rpc`` (what the SDKs send), ``application/json`` or absent; answers
are ``application/json-rpc; charset=utf-8``.

Every answer is a JSON-RPC response object echoing the request ``id``. HTTP status: 200
for results and for JSON-RPC errors (Callr's SDKs read the error object from a 200),
except authentication failures, answered 401 with a JSON-RPC error body (code -32001),
a body over the size limit (413) and other HTTP methods than POST (405), both with a
-32600 error body. Error codes: see ``core.py``.

Each call is written to the request journal (``/_mock/journal``) with the operation
``jsonrpc:<method>``; a crash of a legacy method is also recorded as a contract violation,
so the test fixtures that fail on violations catch it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge

from ...base.errors import ApiError
from ...base.journal import LEGACY_OPERATION_PREFIX
from ...handlers.legacy import methods
from ...handlers.legacy.auth import authenticate_legacy
from ...handlers.legacy.core import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    Ctx,
    RpcError,
    state_error_code,
)
from ...state.faults import LEGACY_PREFIX
from ...state.injection import Injection
from ..frame.frame import Answer, Exchange
from ..frame.reading import parse_json

log = logging.getLogger("callr_mock")
CONTENT_TYPE = "application/json-rpc; charset=utf-8"
JOURNAL_PREFIX = LEGACY_OPERATION_PREFIX
_NO_BODY = object()


def _reply(request_id: Any, *, result: Any = None, error: RpcError | None = None) -> Any:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if error is not None:
        body["error"] = error.body()
    else:
        body["result"] = result
    return body


def _valid_id(value: Any) -> bool:
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


class LegacyDoor:
    """The legacy endpoint: JSON-RPC 2.0 over POST, on the same state as REST v2.

    read: the body (413 over the limit), its id, and its envelope; a parse or envelope
    problem is told only after authentication. authenticate: the legacy credentials and
    sessions (``handlers/legacy/auth.py``), ``CALLR-Login-As``. inject: the faults aimed at
    ``jsonrpc:<method>``. validate: the method exists. handle: the method, under the store
    lock. check: none (no contract describes the legacy answers)."""

    def read(self, ex: Exchange) -> None:
        request = ex.request
        ex.state["id"] = None
        if request.method != "POST":
            raise RpcError(
                INVALID_REQUEST,
                f"invalid request: only POST is handled, not {request.method}",
                http_status=405,
            )
        try:
            raw = request.get_data(cache=True)
        except RequestEntityTooLarge:
            raise RpcError(
                INVALID_REQUEST,
                f"request body is larger than {ex.rt.settings.max_body_bytes} bytes",
                http_status=413,
            ) from None
        parsed: Any = _NO_BODY
        try:
            parsed = parse_json(raw) if raw.strip() else _NO_BODY
        except ApiError as error:
            ex.deferred = RpcError(PARSE_ERROR, f"parse error: {error.message}")
        if isinstance(parsed, dict) and _valid_id(parsed.get("id")):
            ex.state["id"] = parsed.get("id")
        ex.state["parsed"] = parsed
        if ex.deferred is None:
            try:
                name = _check_envelope(parsed)
            except RpcError as error:
                ex.deferred = error
            else:
                ex.state["name"] = name
                ex.operation = JOURNAL_PREFIX + name
                ex.fault_target = LEGACY_PREFIX + name
        if ex.operation is None:
            ex.operation = JOURNAL_PREFIX + "?"

    def authenticate(self, ex: Exchange) -> None:
        try:
            ex.account, ex.state["session"] = authenticate_legacy(ex.rt.store, ex.request.headers)
        except ApiError as error:
            raise RpcError.from_api_error(error) from None

    def injected(self, ex: Exchange, injection: Injection) -> Exception:
        return _injected_error(injection)

    def validate(self, ex: Exchange) -> None:
        name = ex.state["name"]
        method = methods().get(name)
        if method is None:
            raise RpcError(METHOD_NOT_FOUND, f"method not found: {name!r}")
        ex.state["method"] = method
        ex.refused_early = False

    def handle(self, ex: Exchange) -> None:
        rt = ex.rt
        assert ex.account is not None
        with rt.store.lock:
            rt.store.scheduler.run_due(rt.store.clock.now())
            ctx = Ctx(
                ex.account,
                rt.store,
                method=ex.state["name"],
                contract=rt.contract,
                validate=rt.settings.validate_requests,
                base_url=ex.request.host_url.rstrip("/"),
                session=ex.state.get("session"),
            )
            result = ex.state["method"](ctx, ex.state["parsed"].get("params"))
        ex.answer = self._answer(200, _reply(ex.state["id"], result=result))

    def refuse(self, ex: Exchange, error: Exception) -> None:
        request_id = ex.state.get("id")
        if isinstance(error, RpcError):
            ex.answer = self._answer(error.http_status, _reply(request_id, error=error))
            if error.http_status == 405:
                ex.answer.headers["Allow"] = "POST"
            return
        name = ex.state.get("name")
        log.error("legacy method %s crashed", name, exc_info=error)
        message = f"json-rpc {name} crashed: {type(error).__name__}: {error}"
        ex.violations.append(message)
        ex.answer = self._answer(200, _reply(request_id, error=RpcError(INTERNAL_ERROR, message)))

    def check(self, ex: Exchange) -> None:
        """No contract describes the legacy answers: nothing to check."""

    def encode(self, answer: Answer) -> bytes | None:
        return json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def journaled(self, ex: Exchange) -> bool:
        return ex.request.method == "POST"

    def journal_fields(self, ex: Exchange) -> tuple[Any, dict[str, Any] | None]:
        answer = ex.answer
        error = (
            answer.body.get("error")
            if answer is not None and isinstance(answer.body, dict)
            else None
        )
        return (error or {}).get("code"), error

    @staticmethod
    def _answer(status: int, body: Any) -> Answer:
        return Answer(status, body, content_type=CONTENT_TYPE)


LEGACY = LegacyDoor()


def _injected_error(injection: Injection) -> RpcError:
    """A fault or rate limit, as the HTTP front of the JSON-RPC endpoint would answer it."""
    status = injection.status or 503
    return RpcError(
        state_error_code(status),
        injection.message,
        data={"code": injection.code, "status": status},
        http_status=status,
    )


def _check_envelope(parsed: Any) -> str:
    """The method name of a valid JSON-RPC 2.0 request object; -32600 otherwise."""
    if parsed is _NO_BODY:
        raise RpcError(INVALID_REQUEST, "invalid request: the body is empty")
    if isinstance(parsed, list):
        raise RpcError(INVALID_REQUEST, "invalid request: batch requests are not supported")
    if not isinstance(parsed, dict):
        raise RpcError(INVALID_REQUEST, "invalid request: the body must be a JSON-RPC object")
    if parsed.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, "invalid request: 'jsonrpc' must be \"2.0\"")
    if "id" not in parsed:
        raise RpcError(
            INVALID_REQUEST, "invalid request: notifications (no 'id') are not supported"
        )
    if not _valid_id(parsed["id"]):
        raise RpcError(INVALID_REQUEST, "invalid request: 'id' must be a string, a number or null")
    name = parsed.get("method")
    if not isinstance(name, str) or not name:
        raise RpcError(INVALID_REQUEST, "invalid request: 'method' must be a non-empty string")
    unknown = sorted(set(parsed) - {"jsonrpc", "id", "method", "params"})
    if unknown:
        raise RpcError(INVALID_REQUEST, f"invalid request: unknown member(s) {', '.join(unknown)}")
    return name
