"""Reading a request against a contract: path, query and body coerced and checked.

Every door that has an OpenAPI contract (the Callr API, the control API) reads its
requests here, with the validators compiled at start-up (``contract/compiled.py``); the
legacy endpoint uses ``parse_json`` for its JSON-RPC bodies. Errors are ``ApiError``s in
the Callr error form.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from ...base.errors import (
    InvalidInput,
    MethodNotAllowedError,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from ...base.wire import JSON
from ...contract.compiled import Contract, Operation, Parameter, house_query_defaults

EMPTY_BODIES = (b"", b"{}", b"null")


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


_decoders = threading.local()


def _decoder() -> json.JSONDecoder:
    """This thread's decoder with the house rules (``json.loads`` with hooks builds a new
    one on every call: a twentieth of a write's cost)."""
    decoder: json.JSONDecoder | None = getattr(_decoders, "decoder", None)
    if decoder is None:
        decoder = _decoders.decoder = json.JSONDecoder(
            object_pairs_hook=_unique_keys,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
    return decoder


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"request body is not UTF-8 (byte {error.start})", code="malformed-json"
        ) from None
    try:
        if text.startswith("\ufeff"):  # as json.loads says it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        parsed = _decoder().decode(text)
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
    house_defaults: bool = False
    """Fill in the packaged spec's query defaults a user's spec leaves out (the Callr API)."""


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


def request_bytes(request: Request) -> bytes:
    """The request's body: nothing without ``Content-Length`` or ``Transfer-Encoding``
    (RFC 9112 6.3: then there is none), without asking werkzeug to read the stream to its
    end (~10 µs on a GET under a server that marks its input terminated); else the bytes,
    read once. ``RequestEntityTooLarge`` past the body limit."""
    environ = request.environ
    if environ.get("CONTENT_LENGTH") in (None, "", "0") and "HTTP_TRANSFER_ENCODING" not in environ:
        return b""
    return request.get_data(cache=True)


def _query(surface: Surface, op: Operation, request: Request) -> dict[str, Any]:
    declared = {p.name: p for p in op.parameters.get("query", [])}
    values: dict[str, Any] = {}
    for name in request.args if request.environ.get("QUERY_STRING") else ():
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
    if surface.house_defaults:
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
        raw = request_bytes(request)
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


_PLAIN_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]+)?$")


def base_url_of(request: Request) -> str:
    """``http://host:port`` of the request: from the environ when the Host is a plain name
    (werkzeug's ``host_url`` re-parsed the whole URL, a tenth of a read's cost)."""
    environ = request.environ
    host = environ.get("HTTP_HOST", "")
    if host and _PLAIN_HOST.match(host):
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
    return request.host_url.rstrip("/")
