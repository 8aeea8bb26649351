"""The compiled contract: every operation of the spec with validators built once.

Nothing here runs per request except the ``validate_*`` calls, which use
validators compiled at start-up (jsonschema-rs). Request problems raise
``ApiError``; response problems are returned as messages for the caller to record.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from ..base.errors import InvalidInput
from ..base.wire import HTTP_METHODS
from .formats import FORMAT_CHECKERS
from .rule_messages import explain
from .spec import inline_refs

_PATH_PARAM = re.compile(r"{([^}/]+)}")


def compile_schema(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=True, formats=FORMAT_CHECKERS)


def first_error(validator: Any, instance: Any) -> Any | None:
    for error in validator.iter_errors(instance):
        return error
    return None


def describe_error(error: Any) -> tuple[str, str]:
    """(json pointer of the failing value, the rule broken) for a jsonschema-rs error."""
    pointer = "/" + "/".join(str(part) for part in error.instance_path)
    return pointer, explain(error)


# Python refuses to read longer integer strings (sys.get_int_max_str_digits); far beyond
# any bound of the spec, so such a value is kept as text and refused by the schema
MAX_NUMBER_DIGITS = 4000


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    allow_empty: bool = False
    """OpenAPI ``allowEmptyValue`` (query parameters only; false unless the spec says true)."""

    @property
    def types(self) -> set[str]:
        declared = self.schema.get("type")
        if isinstance(declared, list):
            return set(declared)
        if isinstance(declared, str):
            return {declared}
        for combinator in ("allOf", "anyOf", "oneOf"):
            for sub in self.schema.get(combinator, []):
                if isinstance(sub, dict) and isinstance(sub.get("type"), str):
                    return {sub["type"]}
        return set()

    def coerce(self, raw: str) -> Any:
        """Turn a query or path string into the schema's type when it parses; else keep it."""
        types = self.types
        if len(raw) > MAX_NUMBER_DIGITS:
            return raw  # no integer of the spec has 4,300 digits: the schema refuses the text
        if "integer" in types and re.fullmatch(r"[+-]?[0-9]+", raw):
            return int(raw)
        if "number" in types:
            try:
                return float(raw) if not re.fullmatch(r"[+-]?[0-9]+", raw) else int(raw)
            except ValueError:
                return raw
        if "boolean" in types and raw in ("true", "false"):
            return raw == "true"
        if "null" in types and raw == "" and "string" not in types:
            return None
        return raw

    def empty_value_problem(self) -> str | None:
        """Why ``?name=`` (an empty value) is refused, or None when this parameter takes it.

        OpenAPI's rule, which the house decision follows for every query parameter whatever
        its type: an empty value is refused unless the parameter says ``allowEmptyValue:
        true`` (spec/README.md, "Empty query values"). Leaving the parameter out is always
        the way to mean "no filter" or "the default".
        """
        if self.location != "query" or self.allow_empty:
            return None
        if "default" in self.schema:
            absent = f"leave it out to get the default ({_wire(self.schema['default'])})"
        elif self.required:
            absent = "it is required"
        else:
            absent = "leave it out for no filter"
        return f"query parameter '{self.name}' is empty: give it a value, or {absent}"

    def empty_value(self) -> Any:
        """What an empty value means where it is allowed: no items, or the empty string."""
        return [] if "array" in self.types else self.coerce("")


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class BodySpec:
    required: bool
    validators: dict[str, Any] = field(default_factory=dict)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ResponseSpec:
    status: str
    validators: dict[str, Any] = field(default_factory=dict)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    examples: dict[str, Any] = field(default_factory=dict)


@dataclass
class Operation:
    id: str
    method: str
    path: str
    tags: list[str]
    parameters: dict[str, list[Parameter]]
    param_validators: dict[str, Any]
    body: BodySpec | None
    responses: dict[str, ResponseSpec]

    @property
    def rule(self) -> str:
        """The werkzeug rule of this path (``/numbers/{number}`` → ``/numbers/<number>``)."""
        return _PATH_PARAM.sub(lambda m: f"<{m.group(1)}>", self.path)

    def response_for(self, status: int) -> ResponseSpec | None:
        code = str(status)
        return (
            self.responses.get(code)
            or self.responses.get(f"{code[0]}XX")
            or self.responses.get("default")
        )


def _param_group_schema(params: list[Parameter]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {p.name: p.schema for p in params},
        "required": [p.name for p in params if p.required],
    }


def _operation(
    doc: dict[str, Any], path: str, method: str, raw: dict[str, Any], shared: list[Any]
) -> Operation:
    op_id = raw.get("operationId") or f"{method}_{path}"
    declared: dict[tuple[str, str], Parameter] = {}
    for item in [*shared, *raw.get("parameters", [])]:
        item = inline_refs(item, doc)
        param = Parameter(
            name=item["name"],
            location=item["in"],
            required=bool(item.get("required", item["in"] == "path")),
            schema=item.get("schema", {}),
            allow_empty=item["in"] == "query" and item.get("allowEmptyValue") is True,
        )
        declared[(param.location, param.name)] = param
    grouped: dict[str, list[Parameter]] = {"path": [], "query": [], "header": [], "cookie": []}
    for param in declared.values():
        grouped.setdefault(param.location, []).append(param)
    validators = {
        location: compile_schema(_param_group_schema(params))
        for location, params in grouped.items()
        if params
    }
    body = None
    if "requestBody" in raw:
        request_body = inline_refs(raw["requestBody"], doc)
        body = BodySpec(required=bool(request_body.get("required", False)))
        for content_type, media in request_body.get("content", {}).items():
            schema = media.get("schema", {})
            body.schemas[content_type] = schema
            body.validators[content_type] = compile_schema(schema)
    responses: dict[str, ResponseSpec] = {}
    for status, response in raw.get("responses", {}).items():
        response = inline_refs(response, doc)
        spec = ResponseSpec(status=str(status))
        for content_type, media in (response.get("content") or {}).items():
            schema = media.get("schema", {})
            spec.schemas[content_type] = schema
            spec.validators[content_type] = compile_schema(schema)
            if "example" in media:
                spec.examples[content_type] = media["example"]
            elif media.get("examples"):
                first = next(iter(media["examples"].values()))
                if isinstance(first, dict) and "value" in first:
                    spec.examples[content_type] = first["value"]
        responses[str(status)] = spec
    return Operation(
        id=op_id,
        method=method.upper(),
        path=path,
        tags=list(raw.get("tags", [])),
        parameters=grouped,
        param_validators=validators,
        body=body,
        responses=responses,
    )


_CACHE: dict[tuple[str, float], Contract] = {}
_CACHE_LOCK = threading.Lock()


def contract_for(spec_path: str | None) -> Contract:
    """The compiled contract of a spec file, built once per process (per file version).

    A ``Contract`` is read-only after construction, so apps can share it.
    """
    from .spec import load_spec

    path = Path(spec_path) if spec_path else None
    key = (str(path.resolve()) if path else "<packaged>", path.stat().st_mtime if path else 0.0)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = Contract(load_spec(spec_path))
        return _CACHE[key]


class Contract:
    """All operations of one OpenAPI document, compiled."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.operations: dict[str, Operation] = {}
        for path, item in document.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    op = _operation(document, path, method, item[method], shared)
                    if op.id in self.operations:
                        raise ValueError(f"duplicate operationId {op.id!r} in the spec")
                    self.operations[op.id] = op
        self.literal_paths: dict[str, list[str]] = {}
        for op in self.operations.values():
            if "{" not in op.path:
                self.literal_paths.setdefault(op.path, []).append(op.method)
        self.webhook_validators: dict[str, Any] = {}
        for name, item in (document.get("webhooks") or {}).items():
            post = item.get("post", {})
            content = inline_refs(post.get("requestBody", {}), document).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is not None:
                self.webhook_validators[name] = compile_schema(schema)

    @property
    def title(self) -> str:
        info = self.document.get("info", {})
        return f"{info.get('title', 'API')} {info.get('version', '')}".strip()

    # -- requests -----------------------------------------------------------
    def validate_params(self, op: Operation, location: str, values: dict[str, Any]) -> None:
        validator = op.param_validators.get(location)
        if validator is None:
            return
        error = first_error(validator, values)
        if error is None:
            return
        pointer, rule = describe_error(error)
        name = pointer.strip("/").split("/")[0]
        if not name:
            missing = [
                p.name for p in op.parameters[location] if p.required and p.name not in values
            ]
            if missing:
                raise InvalidInput(
                    f"{location} parameter '{missing[0]}' is required",
                    code="missing-parameter",
                )
            raise InvalidInput(f"{location} parameters: {rule}", code="invalid-parameter")
        raise InvalidInput(f"{location} parameter '{name}': {rule}", code="invalid-parameter")

    def validate_body(self, op: Operation, content_type: str, body: Any) -> None:
        assert op.body is not None
        validator = op.body.validators.get(content_type)
        if validator is None:
            return
        error = first_error(validator, body)
        if error is None:
            return
        pointer, rule = describe_error(error)
        where = "request body" if pointer == "/" else f"request body field '{pointer.lstrip('/')}'"
        raise InvalidInput(f"{where}: {rule}", code="invalid-body")

    # -- responses ----------------------------------------------------------
    def check_response(
        self,
        op: Operation,
        status: int,
        content_type: str | None,
        body: Any,
        *,
        undeclared_ok: bool = False,
    ) -> str | None:
        """A message describing how this response breaks the spec, or ``None``.

        ``undeclared_ok``: the request was refused before any handler ran (bad
        credentials, invalid input); a spec that lists no such status for the
        operation (e.g. one without 400s) is incomplete rather than broken.
        """
        spec = op.response_for(status)
        if spec is None and undeclared_ok:
            return None
        if spec is None:
            declared = ", ".join(sorted(op.responses)) or "none"
            return f"{op.id} answered status {status}, which the spec does not declare (declared: {declared})"
        if not spec.validators:
            if body is not None:
                return f"{op.id} {status}: the spec declares no body but the mock sent one"
            return None
        if content_type not in spec.validators:
            return (
                f"{op.id} {status}: content type {content_type!r} is not declared "
                f"(declared: {', '.join(spec.validators)})"
            )
        error = first_error(spec.validators[content_type], body)
        if error is None:
            return None
        pointer, rule = describe_error(error)
        return f"{op.id} {status} response body at '{pointer}': {rule}"

    def check_webhook(self, event_type: str, envelope: dict[str, Any]) -> str | None:
        validator = self.webhook_validators.get(event_type)
        if validator is None:
            return None
        error = first_error(validator, envelope)
        if error is None:
            return None
        pointer, rule = describe_error(error)
        return f"webhook {event_type} body at '{pointer}': {rule}"


@functools.cache
def house_query_defaults() -> dict[str, dict[str, Any]]:
    """operationId → the query defaults our packaged spec declares (house decisions).

    Handlers read a parameter with a default one way, ``call.query[name]``: the pipeline
    fills in the served spec's default, else this one, so a user's spec that leaves a
    default out (Callr's official one may) still gives the handler a value.
    """
    return {
        op.id: {
            p.name: p.schema["default"]
            for p in op.parameters.get("query", [])
            if "default" in p.schema
        }
        for op in contract_for(None).operations.values()
    }


class ValidatedAnswers:
    """The answers already checked against the contract, by (operation, status, how, bytes):
    an unchanged object read again is not validated again (its bytes are the same), while
    any change (a new status, ``--vary``) is checked as usual. Bounded: the oldest go first."""

    LIMIT = 4096
    MAX_BYTES = 64 * 1024  # a bigger answer (a long list) is checked each time

    def __init__(self) -> None:
        self._keys: dict[tuple[Any, ...], None] = {}

    def seen(self, key: tuple[Any, ...]) -> bool:
        return key in self._keys

    def add(self, key: tuple[Any, ...]) -> None:
        data = key[-1]
        if data is not None and len(data) > self.MAX_BYTES:
            return
        if len(self._keys) >= self.LIMIT:
            self._keys.pop(next(iter(self._keys)), None)  # dicts keep insertion order
        self._keys[key] = None
