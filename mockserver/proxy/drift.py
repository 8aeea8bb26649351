"""Drift: where an exchange with the real API disagrees with our spec, and how often.

``classify(contract, exchange)`` checks one request and its upstream response with the
compiled contract of the sandbox (``callr_mock.contract.compiled``: the same validators, run to
the end instead of stopping at the first error) and returns findings. Each finding names
the operation, where (request or response; status, header or JSON pointer), what the
spec says, what was observed (redacted) and the **provenance** of the spec element
involved, so a user sees which of our guesses reality contradicts. ``DriftReport``
counts findings over many exchanges (one entry per distinct disagreement).

No Flask here: the proxy's HTTP layer, ``callr-mock drift DIR`` and the tests use it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

from ..base.wire import API_PREFIX, LEGACY_ENDPOINT_PATH
from ..contract.compiled import Contract, Operation, Parameter
from ..contract.provenance import (
    ABSENT,
    HOUSE_EMPTY,
    HOUSE_REQUIRED,
    HOUSE_STRICT,
    Provenance,
    house_decision,
    provenance_along,
)
from .encodings import why_unchecked
from .scrubber import (
    REDACTED,
    pointer_is_secret,
    redact_json,
    redact_path,
    redact_text,
)

EXAMPLE_LIMIT = 200

# jsonschema-rs error kinds → finding kinds (the vocabulary)
_KINDS = {
    "Required": "missing-required",
    "AdditionalProperties": "extra-field",
    "UnevaluatedProperties": "extra-field",
    "Type": "wrong-type",
    "Enum": "not-in-enum",
    "Constant": "not-in-enum",
    "Format": "format",
    "Pattern": "pattern",
    "Minimum": "out-of-bounds",
    "Maximum": "out-of-bounds",
    "ExclusiveMinimum": "out-of-bounds",
    "ExclusiveMaximum": "out-of-bounds",
    "MinLength": "out-of-bounds",
    "MaxLength": "out-of-bounds",
    "MinItems": "out-of-bounds",
    "MaxItems": "out-of-bounds",
    "MultipleOf": "out-of-bounds",
}
# kinds that judge a value: meaningless on a value that was redacted before we saw it
_VALUE_KINDS = {"wrong-type", "not-in-enum", "format", "pattern", "out-of-bounds", "schema"}


@dataclass
class Exchange:
    """One request as the caller sent it and the upstream's answer (``status`` None: failed)."""

    method: str
    path: str  # as sent, percent-encoded, with the /v2.0 prefix
    query: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    request_body: bytes = b""
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    response_body: bytes = b""  # content-decoded
    upstream_error: str | None = None
    response_encoding: str | None = None  # a Content-Encoding still on response_body


@dataclass
class Finding:
    operation: str
    method: str
    path: str  # the spec's path template (or the observed path when unknown)
    location: str  # "request" | "response"
    status: int | None  # the response status (response findings)
    pointer: str  # "status", "header/content-type", "query/limit", "body/hits/*/status", ...
    kind: str
    expected: str
    observed: Any
    provenance: Provenance
    message: str = ""

    def key(self) -> tuple[Any, ...]:
        status = self.status if self.location == "response" else None
        return (self.operation, self.location, status, self.pointer, self.kind, self.expected)

    def to_json(self, count: int = 1) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "location": self.location,
            "status": self.status,
            "pointer": self.pointer,
            "kind": self.kind,
            "expected": self.expected,
            "observed": self.observed,
            "count": count,
            "provenance": self.provenance.to_json(),
            "message": self.message,
        }


# -- routing without a web framework -------------------------------------------------------
class Router:
    """Which operation of the spec a method and raw path are (literal segments win)."""

    def __init__(self, contract: Contract) -> None:
        routes: list[tuple[int, re.Pattern[str], Operation]] = []
        for op in contract.operations.values():
            literal = 0
            parts = []
            for segment in op.path.strip("/").split("/"):
                if segment.startswith("{") and segment.endswith("}"):
                    parts.append(f"(?P<{_group(segment[1:-1])}>[^/]+)")
                else:
                    literal += 1
                    parts.append(re.escape(segment))
            pattern = re.compile("/" + "/".join(parts) + "/?" if parts != [""] else "/?")
            routes.append((literal, pattern, op))
        routes.sort(key=lambda item: -item[0])
        self.routes = routes

    def match(
        self, method: str, raw_path: str
    ) -> tuple[Operation | None, dict[str, str], list[str]]:
        """(operation, path values, methods the path allows) for an unprefixed path."""
        allowed: list[str] = []
        for _, pattern, op in self.routes:
            matched = pattern.fullmatch(raw_path)
            if matched is None:
                continue
            if op.method != method:
                allowed.append(op.method)
                continue
            names = {_group(p.name): p.name for p in op.parameters.get("path", [])}
            values = {names.get(k, k): unquote(v) for k, v in matched.groupdict().items()}
            return op, values, allowed
        return None, {}, sorted(set(allowed))


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)


# -- classification -------------------------------------------------------------------------
def mimetype(headers: Mapping[str, str]) -> str | None:
    value = headers.get("content-type", "")
    return value.split(";", 1)[0].strip().lower() or None


def _example(value: Any, parts: Sequence[str | int]) -> Any:
    if pointer_is_secret(parts):
        return REDACTED
    value = redact_json(value)
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > EXAMPLE_LIMIT:
        return text[: EXAMPLE_LIMIT - 1] + "…"
    return value


def _pointer(prefix: str, parts: Sequence[str | int]) -> str:
    shown = [
        "*" if isinstance(p, int) else str(p).replace("~", "~0").replace("/", "~1") for p in parts
    ]
    return "/".join([prefix, *shown]) if shown else prefix


def _walk(node: Any, segments: Sequence[str | int]) -> Any:
    for segment in segments:
        if isinstance(node, dict):
            node = node.get(str(segment))
        elif isinstance(node, list) and isinstance(segment, int) and segment < len(node):
            node = node[segment]
        else:
            return None
    return node


def _brief(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


class Classifier:
    """Checks exchanges against one compiled contract (built once, used by many threads)."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.document = contract.document
        self.router = Router(contract)

    def operation_provenance(self, op: Operation) -> Provenance:
        return provenance_along(self.document, ["paths", op.path, op.method.lower()])

    def classify(self, exchange: Exchange) -> list[Finding]:
        if exchange.status is None:
            return []  # the upstream failed: nothing was observed
        path = exchange.path.split("?", 1)[0]
        unprefixed = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
        op, path_values, allowed = self.router.match(exchange.method, unprefixed or "/")
        if op is None:
            return [self._unknown(exchange, unprefixed, allowed)]
        findings = list(self._request(op, exchange, path_values))
        findings.extend(self._response(op, exchange))
        return findings

    def _finding(self, op: Operation, location: str, status: int | None, **fields: Any) -> Finding:
        fields.setdefault("provenance", self.operation_provenance(op))
        return Finding(
            operation=op.id,
            method=op.method,
            path=op.path,
            location=location,
            status=status,
            **fields,
        )

    def _unknown(self, exchange: Exchange, path: str, allowed: list[str]) -> Finding:
        path = redact_path(path)  # an unknown path may carry a token
        if allowed:
            return Finding(
                operation=f"{exchange.method} {path}",
                method=exchange.method,
                path=path,
                location="request",
                status=exchange.status,
                pointer="method",
                kind="unknown-method",
                expected=f"one of {', '.join(allowed)}",
                observed=exchange.method,
                provenance=ABSENT,
                message=f"the spec has no {exchange.method} on this path; upstream answered {exchange.status}",
            )
        return Finding(
            operation=f"{exchange.method} {path}",
            method=exchange.method,
            path=path,
            location="request",
            status=exchange.status,
            pointer="path",
            kind="unknown-path",
            expected="a path of the spec",
            observed=path,
            provenance=ABSENT,
            message=f"the spec has no such path; upstream answered {exchange.status}",
        )

    # -- request --------------------------------------------------------------
    def _request(
        self, op: Operation, ex: Exchange, path_values: dict[str, str]
    ) -> Iterator[Finding]:
        yield from self._params(op, ex, "path", path_values)
        query: dict[str, Any] = {}
        declared = {p.name: p for p in op.parameters.get("query", [])}
        pairs = parse_qsl(ex.query, keep_blank_values=True)
        for name in dict.fromkeys(n for n, _ in pairs):
            raw_values = [v for n, v in pairs if n == name]
            param = declared.get(name)
            if param is None:
                yield self._finding(
                    op,
                    "request",
                    ex.status,
                    pointer=f"query/{name}",
                    kind="unknown-parameter",
                    expected=f"parameters: {', '.join(sorted(declared)) or 'none'}",
                    observed=_example(raw_values[0], [name]),
                    message=f"query parameter '{name}' is not in the spec",
                )
                continue
            problem = param.empty_value_problem() if "" in raw_values else None
            if problem is not None:
                yield self._finding(
                    op,
                    "request",
                    ex.status,
                    pointer=f"query/{name}",
                    kind="empty-value",
                    expected="a value (allowEmptyValue is not true)",
                    observed="",
                    provenance=Provenance(
                        "inferred",
                        HOUSE_EMPTY,
                        self._param_provenance(op, "query", name, []).source,
                    ),
                    message=f"{problem}; upstream answered {ex.status}",
                )
                continue
            query[name] = _coerce(param, raw_values)
        yield from self._params(op, ex, "query", query)
        headers = {
            p.name: _coerce(p, [ex.request_headers[p.name.lower()]])
            for p in op.parameters.get("header", [])
            if p.name.lower() in ex.request_headers
        }
        yield from self._params(op, ex, "header", headers)
        yield from self._request_body(op, ex)

    def _params(
        self, op: Operation, ex: Exchange, location: str, values: dict[str, Any]
    ) -> Iterator[Finding]:
        validator = op.param_validators.get(location)
        if validator is None or validator.is_valid(values):
            return
        params = {p.name: p for p in op.parameters[location]}
        for error in validator.iter_errors(values):
            schema_path = list(error.schema_path)
            instance_path = list(error.instance_path)
            kind = _KINDS.get(type(error.kind).__name__, "schema")
            if kind == "missing-required":
                name = str(error.kind.property)
                rest: list[str | int] = []
                expected, observed = "required", "absent"
            else:
                name = str(instance_path[0]) if instance_path else ""
                rest = schema_path[2:] if schema_path[:1] == ["properties"] else []
                keyword = rest[-1] if rest else ""
                param = params.get(name)
                expected = f"{keyword}: {_brief(_walk(param.schema, rest) if param else None)}"
                observed = _example(error.instance, instance_path)
            if kind in _VALUE_KINDS and observed == REDACTED:
                continue
            yield self._finding(
                op,
                "request",
                ex.status,
                pointer=f"{location}/{name}",
                kind=kind,
                expected=expected,
                observed=observed,
                provenance=self._param_provenance(op, location, name, rest),
                message=error.message,
            )

    def _param_provenance(
        self, op: Operation, location: str, name: str, rest: list[str | int]
    ) -> Provenance:
        item = self.document["paths"].get(op.path, {})
        for prefix in ([op.method.lower(), "parameters"], ["parameters"]):
            declared = _walk(item, prefix)
            for index, raw in enumerate(declared or []):
                resolved = raw
                if isinstance(raw, dict) and "$ref" in raw:
                    resolved = _walk(self.document, str(raw["$ref"]).lstrip("#/").split("/"))
                if isinstance(resolved, dict) and (resolved.get("in"), resolved.get("name")) == (
                    location,
                    name,
                ):
                    segments = ["paths", op.path, *prefix, index, "schema", *rest]
                    start = self.operation_provenance(op)
                    return provenance_along(self.document, segments, start)
        return self.operation_provenance(op)

    def _request_body(self, op: Operation, ex: Exchange) -> Iterator[Finding]:
        raw = ex.request_body
        if op.body is None:
            if raw.strip() not in (b"", b"{}", b"null"):
                yield self._finding(
                    op,
                    "request",
                    ex.status,
                    pointer="body",
                    kind="unexpected-body",
                    expected="no request body",
                    observed=_text_example(raw),
                )
            return
        if not raw.strip():
            if op.body.required:
                yield self._finding(
                    op,
                    "request",
                    ex.status,
                    pointer="body",
                    kind="missing-body",
                    expected=f"a body ({', '.join(op.body.schemas)})",
                    observed="none",
                )
            return
        yield from self._content(
            op,
            ex,
            "request",
            ex.status,
            mimetype(ex.request_headers),
            raw,
            op.body.validators,
            op.body.schemas,
            ["paths", op.path, op.method.lower(), "requestBody"],
        )

    # -- response -------------------------------------------------------------
    def _response(self, op: Operation, ex: Exchange) -> Iterator[Finding]:
        status = ex.status
        assert status is not None
        spec = op.response_for(status)
        if spec is None:
            yield self._finding(
                op,
                "response",
                status,
                pointer="status",
                kind="undocumented-status",
                expected=f"declared: {', '.join(sorted(op.responses)) or 'none'}",
                observed=status,
                message=f"upstream answered {status}, which the spec does not declare for {op.id}",
            )
            return
        raw = ex.response_body
        content_type = mimetype(ex.response_headers)
        if ex.response_encoding:
            yield self._finding(
                op,
                "response",
                status,
                pointer="header/content-encoding",
                kind="unchecked-body",
                expected="a body this proxy can decode (identity, gzip, deflate, br)",
                observed=ex.response_encoding,
                message=why_unchecked(ex.response_encoding),
            )
            return
        if not spec.validators:
            if raw.strip():
                yield self._finding(
                    op,
                    "response",
                    status,
                    pointer="body",
                    kind="unexpected-body",
                    expected="no body",
                    observed=_text_example(raw),
                )
            return
        if not raw.strip():
            if ex.method != "HEAD":
                yield self._finding(
                    op,
                    "response",
                    status,
                    pointer="body",
                    kind="missing-body",
                    expected=" or ".join(spec.validators),
                    observed="none",
                )
            return
        yield from self._content(
            op,
            ex,
            "response",
            status,
            content_type,
            raw,
            spec.validators,
            spec.schemas,
            ["paths", op.path, op.method.lower(), "responses", spec.status],
        )

    def _content(
        self,
        op: Operation,
        ex: Exchange,
        location: str,
        status: int | None,
        content_type: str | None,
        raw: bytes,
        validators: dict[str, Any],
        schemas: dict[str, Any],
        segments: list[Any],
    ) -> Iterator[Finding]:
        """A request or response body: its content type, then JSON, then its schema."""
        if content_type not in validators:
            yield self._finding(
                op,
                location,
                status,
                pointer="header/content-type",
                kind="content-type",
                expected=" or ".join(validators),
                observed=content_type or "none",
            )
            return
        if not content_type.endswith("json"):
            return  # multipart uploads: the content type is all we check
        body = _json(raw)
        if body is _INVALID:
            yield self._finding(
                op,
                location,
                status,
                pointer="body",
                kind="invalid-json",
                expected="JSON",
                observed=_text_example(raw),
            )
            return
        yield from self._schema(
            op,
            ex,
            location,
            validators[content_type],
            schemas[content_type],
            body,
            [*segments, "content", content_type, "schema"],
        )

    # -- bodies -----------------------------------------------------------------
    def _schema(
        self,
        op: Operation,
        ex: Exchange,
        location: str,
        validator: Any,
        schema: dict[str, Any],
        body: Any,
        segments: Sequence[str | int],
    ) -> Iterator[Finding]:
        if validator.is_valid(body):
            return
        status = ex.status
        start = self.operation_provenance(op)
        for error in validator.iter_errors(body):
            kind = _KINDS.get(type(error.kind).__name__, "schema")
            instance_path = list(error.instance_path)
            schema_path = list(error.schema_path)
            if kind == "missing-required":
                name = str(error.kind.property)
                where = [*schema_path[:-1], "properties", name]
                provenance = provenance_along(self.document, [*segments, *where], start)
                if location == "response":
                    provenance = house_decision(provenance, HOUSE_REQUIRED)
                yield self._finding(
                    op,
                    location,
                    status,
                    pointer=_pointer("body", [*instance_path, name]),
                    kind=kind,
                    expected="required",
                    observed="absent",
                    provenance=provenance,
                    message=error.message,
                )
                continue
            if kind == "extra-field":
                allowed = _walk(schema, [*schema_path[:-1], "properties"]) or {}
                for name in error.kind.unexpected:
                    value = _walk(error.instance, [name])
                    yield self._finding(
                        op,
                        location,
                        status,
                        pointer=_pointer("body", [*instance_path, name]),
                        kind=kind,
                        expected=f"only {', '.join(allowed) or 'no fields'} (additionalProperties: false)",
                        observed=_example(value, [*instance_path, name]),
                        provenance=house_decision(
                            provenance_along(self.document, [*segments, *schema_path], start),
                            HOUSE_STRICT,
                        ),
                        message=f"field '{name}' is not in the schema",
                    )
                continue
            observed = _example(error.instance, instance_path)
            if kind in _VALUE_KINDS and (observed == REDACTED or error.instance == REDACTED):
                continue
            keyword = schema_path[-1] if schema_path else ""
            yield self._finding(
                op,
                location,
                status,
                pointer=_pointer("body", instance_path),
                kind=kind,
                expected=f"{keyword}: {_brief(_walk(schema, schema_path))}",
                observed=observed,
                provenance=provenance_along(self.document, [*segments, *schema_path], start),
                message=error.message,
            )


def _coerce(param: Parameter, raw_values: list[str]) -> Any:
    """The sandbox's reading of a query value (``pipeline._query``): arrays split on commas."""
    if "array" in param.types:
        item = Parameter(param.name, param.location, False, param.schema.get("items", {}))
        return [item.coerce(part) for raw in raw_values for part in raw.split(",")]
    return param.coerce(raw_values[0])


_INVALID = object()


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return _INVALID


def _text_example(raw: bytes) -> str:
    text = redact_text(raw.decode("utf-8", "replace"))
    return text if len(text) <= EXAMPLE_LIMIT else text[: EXAMPLE_LIMIT - 1] + "…"


# -- the report -----------------------------------------------------------------------------
class LegacyChecker(Protocol):
    """What checks a legacy JSON-RPC exchange (``legacy_drift.LegacyDrift``)."""

    def classify(self, exchange: Exchange) -> list[Finding]: ...


LEGACY_PATH = LEGACY_ENDPOINT_PATH


def is_legacy_path(path: str) -> bool:
    return path.rstrip("/") == LEGACY_PATH.rstrip("/")


class DriftReport:
    """Findings of many exchanges, one entry per distinct disagreement (thread-safe).

    A legacy JSON-RPC exchange is checked by ``legacy`` when given (without it, it is
    counted and not checked)."""

    def __init__(self, contract: Contract, legacy: LegacyChecker | None = None) -> None:
        self.classifier = Classifier(contract)
        self.legacy = legacy
        self.contract = contract
        self._lock = threading.Lock()
        self.exchanges = 0
        self.upstream_errors = 0
        self._findings: dict[tuple[Any, ...], list[Any]] = {}

    def add(self, exchange: Exchange) -> list[Finding]:
        if is_legacy_path(exchange.path):
            findings = self.legacy.classify(exchange) if self.legacy is not None else []
        else:
            findings = self.classifier.classify(exchange)
        with self._lock:
            self.exchanges += 1
            if exchange.status is None:
                self.upstream_errors += 1
            for finding in findings:
                entry = self._findings.get(finding.key())
                if entry is None:
                    self._findings[finding.key()] = [finding, 1]
                else:
                    entry[1] += 1
        return findings

    def clear(self) -> None:
        with self._lock:
            self.exchanges = 0
            self.upstream_errors = 0
            self._findings.clear()

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            findings = [finding.to_json(count) for finding, count in self._findings.values()]
            return {
                "spec": self.contract.title,
                "exchanges": self.exchanges,
                "upstreamErrors": self.upstream_errors,
                "findings": findings,
            }


# -- rendering ------------------------------------------------------------------------------
def render(report: dict[str, Any], fmt: str = "text") -> str:
    """The report (``DriftReport.to_json()`` shape) as ``text``, ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False)
    findings = sorted(
        report["findings"],
        key=lambda f: (f["provenance"]["level"] != "confirmed", f["operation"], f["location"]),
    )
    confirmed = sum(1 for f in findings if f["provenance"]["level"] == "confirmed")
    head = (
        f"{report['exchanges']} exchange(s), {len(findings)} finding(s)"
        f" ({confirmed} contradicting a confirmed fact)"
        + (
            f", {report['upstreamErrors']} upstream failure(s)"
            if report.get("upstreamErrors")
            else ""
        )
    )
    if fmt == "markdown":
        lines = [
            f"# Drift report: {report.get('spec', 'spec')} vs the upstream",
            "",
            head + ".",
            "",
            "| operation | where | kind | expected | observed | count | provenance |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for f in findings:
            where = f"{f['location']} {f['status'] or ''} `{f['pointer']}`".replace("  ", " ")
            cells = [
                f"`{f['operation']}`",
                where,
                f["kind"],
                _cell(f["expected"]),
                _cell(json.dumps(f["observed"], ensure_ascii=False)),
                str(f["count"]),
                _cell(_provenance_text(f["provenance"])),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    lines = [f"drift: {report.get('spec', 'spec')} vs the upstream: {head}"]
    for f in findings:
        status = f" {f['status']}" if f["location"] == "response" else ""
        lines.append(
            f"- {f['operation']} {f['location']}{status} {f['pointer']}: {f['kind']} x{f['count']}"
        )
        lines.append(f"    expected {f['expected']}")
        lines.append(f"    observed {json.dumps(f['observed'], ensure_ascii=False)}")
        lines.append(f"    spec: {_provenance_text(f['provenance'])}")
    return "\n".join(lines) + "\n"


def _provenance_text(provenance: dict[str, Any]) -> str:
    text = (
        str(provenance["level"]).upper()
        if provenance["level"] == "confirmed"
        else str(provenance["level"])
    )
    if provenance.get("note"):
        text += f": {provenance['note']}"
    if provenance.get("source"):
        text += f" [{provenance['source']}]"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
