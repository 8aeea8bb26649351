"""One request through the contract: authenticate, validate, handle, check the response.

This is the only module that turns a request into a :class:`Call` and a :class:`Reply`
into a response. It takes the werkzeug request explicitly (``dispatch.py`` serves the API
without Flask's request context; the legacy endpoint passes Flask's).
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Response
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.wrappers import Request

from ...base.errors import (
    ApiError,
    InvalidInput,
    MethodNotAllowedError,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from ...base.journal import JournalEntry, Message, Violation
from ...contract.compiled import Contract, Operation, Parameter, house_query_defaults
from ...contract.sample import generated_reply
from ...contract.vary import vary_answer
from ...handlers.rest import Call, Reply
from ...state.auth import authenticate
from ...state.disruptions import Injection
from ...state.timefmt import iso
from ..frame import faults as injections

if TYPE_CHECKING:
    from ..frame.runtime import Runtime

log = logging.getLogger("callr_mock")
JSON = "application/json"
API_PREFIX = "/v2.0"
EMPTY_BODIES = (b"", b"{}", b"null")
_HEADER_KEYS = ("HTTP_", "CONTENT_")  # the request headers in a WSGI environ


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_float(literal: str) -> int | float:
    """``5.0`` is an integer to JSON Schema, so it becomes ``5`` for the handlers too."""
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {literal[:40]} is too large")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise InvalidInput(f"request body has the field '{key}' twice", code="duplicate-field")
        seen[key] = value
    return seen


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"request body is not UTF-8 (byte {error.start})", code="malformed-json"
        ) from None
    try:
        parsed = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"request body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}",
            code="malformed-json",
        ) from None
    except RecursionError:
        raise InvalidInput(
            "request body JSON is nested too deeply", code="malformed-json"
        ) from None
    except ValueError as error:
        raise InvalidInput(
            f"request body is not valid JSON: {error}", code="malformed-json"
        ) from None
    if "\\u" in text.lower() and _has_lone_surrogate(parsed):
        raise InvalidInput(
            "request body has a lone UTF-16 surrogate escape (e.g. \\ud800): not valid Unicode",
            code="malformed-json",
        )
    return parsed


def _has_lone_surrogate(value: Any) -> bool:
    """JSON may escape half a surrogate pair; such a string can never be sent back as UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass(frozen=True)
class Surface:
    """What a request is read and checked against: the Callr API or the control API."""

    contract: Contract
    prefix: str
    validate: bool = True
    max_body_bytes: int = 1024 * 1024
    assume_json: bool = False
    """Read a body without a JSON Content-Type as JSON when the operation takes JSON."""


@dataclass
class Inputs:
    """A request's validated path, query and body."""

    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    content_type: str | None
    files: dict[str, Any]


def read_request(
    surface: Surface, op: Operation, request: Request, path_values: dict[str, str]
) -> Inputs:
    """Coerce and check (when ``surface.validate``) path, query and body; ApiError otherwise."""
    path = _path(surface, op, request, path_values)
    query = _query(surface, op, request)
    body, content_type, files = _body(surface, op, request)
    return Inputs(path, query, body, content_type, files)


def _query(surface: Surface, op: Operation, request: Request) -> dict[str, Any]:
    declared = {p.name: p for p in op.parameters.get("query", [])}
    values: dict[str, Any] = {}
    for name in request.args:
        raw_values = request.args.getlist(name)
        param = declared.get(name)
        if param is None:
            if surface.validate:
                known = ", ".join(sorted(declared)) or "none"
                raise InvalidInput(
                    f"unknown query parameter '{name}' (this operation takes: {known})",
                    code="unknown-parameter",
                )
            continue
        if "" in raw_values:
            problem = param.empty_value_problem()
            if problem is None and len(raw_values) == 1:
                values[name] = param.empty_value()
                continue
            if problem is not None and surface.validate:
                raise InvalidInput(problem, code="invalid-parameter")
        if "array" in param.types:
            items = [part for raw in raw_values for part in raw.split(",")]
            item_param = Parameter(name, "query", False, param.schema.get("items", {}))
            values[name] = [item_param.coerce(item) for item in items]
        elif len(raw_values) > 1 and surface.validate:
            raise InvalidInput(
                f"query parameter '{name}' is given {len(raw_values)} times",
                code="duplicate-parameter",
            )
        else:
            values[name] = param.coerce(raw_values[0])
    if surface.validate:
        surface.contract.validate_params(op, "query", values)
    for name, param in declared.items():
        if name not in values and "default" in param.schema:
            values[name] = param.schema["default"]
    if surface.prefix == API_PREFIX:
        for name, value in house_query_defaults().get(op.id, {}).items():
            values.setdefault(name, value)
    return values


def _path(surface: Surface, op: Operation, request: Request, raw: dict[str, str]) -> dict[str, Any]:
    params = {p.name: p for p in op.parameters.get("path", [])}
    values = {
        name: params[name].coerce(value) if name in params else value for name, value in raw.items()
    }
    if surface.validate:
        try:
            surface.contract.validate_params(op, "path", values)
        except InvalidInput:
            # PATCH /webhooks/search matched /webhooks/{sid}; but 'search' is a path of
            # its own, so the truth is that PATCH is not allowed there.
            literal = surface.contract.literal_paths.get(request.path.removeprefix(surface.prefix))
            if literal:
                raise MethodNotAllowedError(
                    f"{request.method} is not allowed on {request.path}; allowed: {', '.join(sorted(literal))}",
                    allowed=literal,
                ) from None
            raise
    return values


def _body(
    surface: Surface, op: Operation, request: Request
) -> tuple[Any, str | None, dict[str, Any]]:
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(
            f"request body is larger than {surface.max_body_bytes} bytes"
        ) from None
    mimetype = request.mimetype or None
    method_path = f"{op.method} {op.path}"
    if op.body is None:
        if raw.strip() not in EMPTY_BODIES and surface.validate:
            raise InvalidInput(
                f"{method_path} takes no request body; its parameters go in the query string or path",
                code="unexpected-body",
            )
        return None, mimetype, {}
    declared = list(op.body.schemas)
    if not raw.strip() and (mimetype is None or not op.body.required):
        # An optional body may be left out, even by clients that still send a Content-Type.
        if op.body.required:
            raise InvalidInput(
                f"{method_path} needs a request body ({', '.join(declared)})", code="missing-body"
            )
        return None, None, {}
    if mimetype not in op.body.schemas and surface.assume_json and JSON in op.body.schemas:
        mimetype = JSON  # the control API reads `curl -d '{...}'` as the JSON it is
    if mimetype not in op.body.schemas:
        raise UnsupportedMediaType(
            f"{method_path} takes {' or '.join(declared)}, not {mimetype or 'a body without Content-Type'}"
        )
    files: dict[str, Any] = {}
    if mimetype == "multipart/form-data":
        body: Any = {}
        for name in request.form:
            form_values = request.form.getlist(name)
            if len(form_values) > 1:
                raise InvalidInput(f"form field '{name}' is given twice", code="duplicate-field")
            body[name] = form_values[0]
        for name in request.files:
            files[name] = request.files[name]
            body[name] = "<binary>"
    elif mimetype and mimetype.endswith("json"):
        if not raw.strip():
            raise InvalidInput(f"{method_path} needs a JSON body", code="missing-body")
        body = parse_json(raw)
    else:
        body = raw
    if surface.validate:
        surface.contract.validate_body(op, mimetype, body)
    return body, mimetype, files


def _encode(reply: Reply) -> bytes | None:
    """The answer's bytes on the wire (None: no body)."""
    if reply.body is None or reply.status == 204:
        return None
    payload = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":"))
    try:
        return payload.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from seed data: escape it instead
        return json.dumps(reply.body, separators=(",", ":")).encode("ascii")


def _respond(reply: Reply, data: bytes | None) -> Response:
    if data is None:
        response = Response(status=reply.status)
    else:
        response = Response(data, status=reply.status, mimetype=JSON)
    for name, value in reply.headers.items():
        response.headers[name] = value
    return response


def answer_message(
    headers: list[tuple[str, str]], content_type: str | None, data: bytes | None
) -> Message:
    """What the journal keeps of an answer."""
    return Message.of(headers, content_type if data else None, data or b"")


def handle_operation(
    rt: Runtime, op: Operation, request: Request, path_values: dict[str, str]
) -> Response:
    started = time.perf_counter()
    account_sid: str | None = None
    violations: list[str] = []
    refused_before_handler = True  # auth, validation: the spec may simply not list that status
    injection: Injection | None = None  # a fault or rate limit (control API) hit this request
    try:
        if request.method == "HEAD":
            raise MethodNotAllowedError(
                f"HEAD is not allowed on {op.path}; use {op.method}", allowed=[op.method]
            )
        account = authenticate(rt.store, request.headers)
        account_sid = account.sid
        injection = injections.before(rt, request, account_sid, op.id)
        if injection is not None and injection.replaces_answer and not injection.after:
            raise injection.error()
        surface = Surface(
            rt.contract,
            API_PREFIX,
            validate=rt.settings.validate_requests,
            max_body_bytes=rt.settings.max_body_bytes,
        )
        given = read_request(surface, op, request, path_values)
        call = Call(
            op.id,
            account,
            rt.store,
            given.path,
            given.query,
            given.body,
            given.content_type,
            given.files,
            base_url_of(request),
        )
        refused_before_handler = False
        with rt.store.lock:
            rt.store.scheduler.run_due(rt.store.clock.now())
            handler = rt.handlers.get(op.id)
            if handler is None:
                status, generated = generated_reply(op, rt.store.clock.now())
                reply = Reply(status, generated)
            else:
                reply = handler(call)
        reply.body = vary_answer(
            rt.store.variation, account_sid, op, reply.status, reply.body, given.query
        )
    except ApiError as error:
        reply = Reply(error.status, error.body())
        if isinstance(error, MethodNotAllowedError):
            reply.headers["Allow"] = ", ".join(sorted(error.allowed))
    except HTTPException as error:
        reply = Reply(
            error.code or 500, {"code": "http-error", "message": error.description or str(error)}
        )
    except Exception as error:  # a bug of ours: report it loudly, never hide it
        log.exception("handler for %s crashed", op.id)
        message = f"{op.id} crashed: {type(error).__name__}: {error}"
        violations.append(message)
        reply = Reply(500, {"code": "internal-error", "message": message})
    injected = injection is not None and injection.replaces_answer
    if injection is not None and injection.after:  # the work is committed; the answer is lost
        injections.after(injection)
        reply = Reply(injection.status or 503, injection.error().body())
    data: bytes | None = None
    encoded = False  # data holds the bytes of the final reply
    if (
        rt.settings.validate_responses
        and request.method != "HEAD"
        and not violations
        and not injected  # deliberately outside the contract
    ):
        content_type = JSON if reply.body is not None and reply.status != 204 else None
        data, encoded = _encode(reply), True
        key = (op.id, reply.status, refused_before_handler, data)
        if not rt.validated.seen(key):  # the same bytes were checked before: they still hold
            problem = rt.contract.check_response(
                op, reply.status, content_type, reply.body, undeclared_ok=refused_before_handler
            )
            if problem:
                violations.append(problem)
                if rt.settings.strict:
                    reply = Reply(500, {"code": "contract-violation", "message": problem})
                    encoded = False
            else:
                rt.validated.add(key)
    if not encoded:
        data = _encode(reply)
    dropped = injection is not None and injection.drop
    record_exchange(
        rt,
        request,
        started=started,
        account=account_sid,
        operation=op.id,
        status=None if dropped else reply.status,
        violations=violations,
        injected=injection.mark() if injection is not None else None,
        code=reply.body.get("code")
        if isinstance(reply.body, dict) and reply.status >= 400
        else None,
        error=reply.body if reply.status >= 400 and isinstance(reply.body, dict) else None,
        response=None if dropped else answer_message(list(reply.headers.items()), JSON, data),
    )
    return injections.send(injection, request, _respond(reply, data))


def http_error(rt: Runtime, request: Request, error: HTTPException) -> Response:
    """404/405/413 and friends outside any operation, in the Callr error shape."""
    code = error.code or 500
    names = {
        404: "not-found",
        405: "method-not-allowed",
        413: "payload-too-large",
        415: "unsupported-media-type",
    }
    if code == 404:
        message = f"no such path: {request.path}"
    allowed: list[str] = []
    if code == 405 and isinstance(error, MethodNotAllowed):
        # /numbers/store is a path of its own even though /numbers/{number} also matches it
        allowed = rt.contract.literal_paths.get(request.path.removeprefix(API_PREFIX)) or [
            m for m in (error.valid_methods or []) if m not in ("HEAD", "OPTIONS")
        ]
        allowed = sorted(allowed)
        message = (
            f"{request.method} is not allowed on {request.path}; allowed: {', '.join(allowed)}"
        )
        search = request.path.removeprefix(API_PREFIX).rstrip("/") + "/search"
        if request.method == "GET" and "GET" in rt.contract.literal_paths.get(search, []):
            message += f". To list or search, use GET {API_PREFIX}{search}"
    elif code != 404:
        message = error.description or error.name
    reply = Reply(code, {"code": names.get(code, "http-error"), "message": message})
    if allowed:
        reply.headers["Allow"] = ", ".join(allowed)
    data = None if request.method == "HEAD" else _encode(reply)
    record_exchange(
        rt,
        request,
        started=None,
        account=None,
        operation=None,
        status=code,
        error=reply.body,
        response=answer_message(list(reply.headers.items()), JSON, data),
    )
    return _respond(reply, data)


_PLAIN_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]+)?$")


def base_url_of(request: Request) -> str:
    """``http://host:port`` of the request: from the environ when the Host is a plain name
    (werkzeug's ``host_url`` re-parsed the whole URL, a tenth of a read's cost)."""
    environ = request.environ
    host = environ.get("HTTP_HOST", "")
    if host and _PLAIN_HOST.match(host):
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
    return request.host_url.rstrip("/")


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
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:  # not read: counted only
        return Message.of(headers, content_type, b"", request.content_length or 0)
    return Message.of(headers, content_type, data)
