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
import time
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ...base.errors import ApiError
from ...base.journal import LEGACY_OPERATION_PREFIX
from ...handlers.legacy import ENDPOINT_PATH, methods
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
from ...state.disruptions import Injection
from ...state.faults import LEGACY_PREFIX
from ..frame import faults as injections
from ..frame.runtime import runtime_of
from .rest import answer_message, parse_json, record_exchange

log = logging.getLogger("callr_mock")
blueprint = Blueprint("legacy_json_rpc", __name__)
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


@blueprint.route(ENDPOINT_PATH, methods=["POST"], strict_slashes=False)
def json_rpc() -> Response:
    rt = runtime_of(current_app)
    started = time.perf_counter()
    account_sid: str | None = None
    name: str | None = None
    request_id: Any = None
    violations: list[str] = []
    status = 200
    injection: Injection | None = None
    try:
        try:
            raw = request.get_data(cache=True)
        except RequestEntityTooLarge:
            raise RpcError(
                INVALID_REQUEST,
                f"request body is larger than {rt.settings.max_body_bytes} bytes",
                http_status=413,
            ) from None
        parsed: Any = _NO_BODY
        parse_problem: str | None = None
        try:
            parsed = parse_json(raw) if raw.strip() else _NO_BODY
        except ApiError as error:
            parse_problem = error.message
        if isinstance(parsed, dict) and _valid_id(parsed.get("id")):
            request_id = parsed.get("id")
        try:
            account, session = authenticate_legacy(rt.store, request.headers)
        except ApiError as error:
            raise RpcError.from_api_error(error) from None
        account_sid = account.sid
        if parse_problem is not None:
            raise RpcError(PARSE_ERROR, f"parse error: {parse_problem}")
        name = _check_envelope(parsed)
        injection = injections.before(rt, request, account_sid, LEGACY_PREFIX + name)
        if injection is not None and injection.replaces_answer and not injection.after:
            raise _injected_error(injection)
        method = methods().get(name)
        if method is None:
            raise RpcError(METHOD_NOT_FOUND, f"method not found: {name!r}")
        with rt.store.lock:
            rt.store.scheduler.run_due(rt.store.clock.now())
            ctx = Ctx(
                account,
                rt.store,
                method=name,
                contract=rt.contract,
                validate=rt.settings.validate_requests,
                base_url=request.host_url.rstrip("/"),
                session=session,
            )
            body = _reply(request_id, result=method(ctx, parsed.get("params")))
    except RpcError as error:
        status = error.http_status
        body = _reply(request_id, error=error)
    except Exception as error:  # a bug of ours: report it loudly, never hide it
        log.exception("legacy method %s crashed", name)
        message = f"json-rpc {name} crashed: {type(error).__name__}: {error}"
        violations.append(message)
        body = _reply(request_id, error=RpcError(INTERNAL_ERROR, message))
    if injection is not None and injection.after:  # committed, but the answer is lost
        injections.after(injection)
        lost = _injected_error(injection)
        status, body = lost.http_status, _reply(request_id, error=lost)
    operation = JOURNAL_PREFIX + (name or "?")
    error_body = body.get("error") if isinstance(body, dict) else None
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    dropped = injection is not None and injection.drop
    record_exchange(
        rt,
        request,
        started=started,
        account=account_sid,
        operation=operation,
        status=None if dropped else status,
        violations=violations,
        injected=injection.mark() if injection is not None else None,
        code=(error_body or {}).get("code"),
        error=error_body,
        response=None if dropped else answer_message([], CONTENT_TYPE, payload),
    )
    return injections.send(
        injection, request, Response(payload, status=status, content_type=CONTENT_TYPE)
    )


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


@blueprint.route(ENDPOINT_PATH, methods=["GET", "PUT", "PATCH", "DELETE"], strict_slashes=False)
def not_post() -> Response:
    error = RpcError(
        INVALID_REQUEST, f"invalid request: only POST is handled, not {request.method}"
    )
    payload = json.dumps(_reply(None, error=error), separators=(",", ":"))
    response = Response(payload, status=405, content_type=CONTENT_TYPE)
    response.headers["Allow"] = "POST"
    return response
