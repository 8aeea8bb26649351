"""Drift of the legacy JSON-RPC emulation: Callr's real answer beside the sandbox's own.

The legacy API has no spec to check against: what the sandbox answers *is* its guess. So
each legacy call the proxy forwards (``POST /json-rpc/v1.1/``) is also made against a
private **shadow sandbox** (a fresh in-memory sandbox, demo seed, never seen by anyone),
and the two answers are compared:

- ``not-json-rpc``: Callr's answer is not a JSON-RPC 2.0 response object;
- ``unknown-to-sandbox``: Callr answers a result for a method the sandbox does not serve;
- ``sandbox-refuses``: Callr answers a result where the sandbox answers an error (its
  parameter rules are stricter than Callr's);
- ``sandbox-accepts``: Callr answers an error where the sandbox answers a result (Callr's
  code and message are the observation);
- ``error-code``: both refuse, with different codes;
- ``wrong-type`` / ``missing-key`` / ``extra-key``: both answer results whose structure
  differs (JSON types and object keys, compared recursively; arrays by their items, maps
  keyed by ids by their values).

Differences that only come from the two states (a hash the shadow does not have: the
sandbox's ``-32004`` not found, or its refusal of the credentials) are not findings. The
findings are those of the drift report (``drift.Finding``); their provenance is the
sandbox's emulation, ``inferred``. No Flask here: the shadow is a callable given by the
proxy's HTTP layer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..contract.provenance import Provenance
from .drift import EXAMPLE_LIMIT, LEGACY_PATH, Exchange, Finding
from .scrubber import redact_json

OPERATION_PREFIX = "jsonrpc:"
# the sandbox's answers that come from its own state, not from its emulation rules
STATE_CODES = frozenset({-32001, -32004})
PROVENANCE = Provenance(
    "inferred",
    note="the sandbox's legacy JSON-RPC emulation (callr_mock.handlers.legacy: the migration guide's "
    "mapping and Callr's SDKs), not a published schema",
    source="callr_mock.handlers.legacy",
)
_ID_KEY = re.compile(r"^(?:[A-Z0-9_]+|\d+)$")
Shadow = Callable[[bytes], Any]
"""The request body → the shadow sandbox's parsed JSON-RPC answer (or None)."""


def method_of(body: bytes) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return "?"
    name = parsed.get("method") if isinstance(parsed, dict) else None
    return name if isinstance(name, str) and name else "?"


def operation_of(exchange: Exchange) -> str:
    return OPERATION_PREFIX + method_of(exchange.request_body)


class LegacyDrift:
    """Compares each legacy exchange with the shadow sandbox's answer to the same call."""

    def __init__(self, shadow: Shadow) -> None:
        self.shadow = shadow

    def classify(self, exchange: Exchange) -> list[Finding]:
        if exchange.status is None:
            return []
        name = method_of(exchange.request_body)
        try:
            real = json.loads(exchange.response_body)
        except ValueError:
            real = None
        if not _is_response(real):
            return [self._finding(name, exchange.status, "body", "not-json-rpc",
                                  "a JSON-RPC 2.0 response object {jsonrpc, id, result|error}",
                                  _brief(exchange.response_body))]  # fmt: skip
        ours = self.shadow(exchange.request_body)
        if not _is_response(ours):
            return []
        return list(self._compare(name, exchange.status, real, ours))

    def _compare(
        self, name: str, status: int, real: dict[str, Any], ours: dict[str, Any]
    ) -> Iterator[Finding]:
        real_error, our_error = real.get("error"), ours.get("error")
        our_code = our_error.get("code") if isinstance(our_error, dict) else None
        if our_code in STATE_CODES:
            return
        if real_error is None and our_error is not None:
            kind = "unknown-to-sandbox" if our_code == -32601 else "sandbox-refuses"
            yield self._finding(name, status, "result", kind, "the sandbox's answer: an error",
                                f"Callr answered a result; the sandbox: {our_code} {our_error.get('message')}")  # fmt: skip
        elif real_error is not None and our_error is None:
            yield self._finding(name, status, "error", "sandbox-accepts", "the sandbox's answer: a result",
                                redact_json(real_error))  # fmt: skip
        elif real_error is not None and our_error is not None:
            real_code = real_error.get("code") if isinstance(real_error, dict) else real_error
            if real_code != our_code:
                yield self._finding(name, status, "error/code", "error-code", f"code {our_code}",
                                    redact_json(real_error))  # fmt: skip
        else:
            for pointer, kind, expected, observed in _shape(
                real.get("result"), ours.get("result"), "result"
            ):
                yield self._finding(name, status, pointer, kind, expected, observed)

    @staticmethod
    def _finding(
        name: str, status: int, pointer: str, kind: str, expected: str, observed: Any
    ) -> Finding:
        return Finding(
            operation=OPERATION_PREFIX + name,
            method="POST",
            path=LEGACY_PATH,
            location="response",
            status=status,
            pointer=pointer,
            kind=kind,
            expected=expected,
            observed=observed,
            provenance=PROVENANCE,
            message=f"{name}: {kind} at {pointer}",
        )


def _is_response(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("jsonrpc") == "2.0"
        and "id" in value
        and (("result" in value) != ("error" in value))
    )


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _is_map(value: dict[str, Any]) -> bool:
    return bool(value) and all(_ID_KEY.match(key) for key in value)


def _shape(real: Any, ours: Any, pointer: str) -> Iterator[tuple[str, str, str, Any]]:
    """(pointer, kind, what the sandbox has, what Callr has) for each structural difference."""
    if real is None or ours is None:
        return  # null stands for a value of any type in both APIs' objects
    real_type, our_type = _type(real), _type(ours)
    if real_type != our_type:
        yield pointer, "wrong-type", our_type, real_type
        return
    if isinstance(real, list):
        if real and ours:
            yield from _shape(real[0], ours[0], f"{pointer}/*")
        return
    if not isinstance(real, dict):
        return
    if _is_map(real) and _is_map(ours):
        yield from _shape(next(iter(real.values())), next(iter(ours.values())), f"{pointer}/*")
        return
    for key in sorted(set(real) - set(ours)):
        yield (
            f"{pointer}/{key}",
            "missing-key",
            "no such key in the sandbox's answer",
            _type(real[key]),
        )
    for key in sorted(set(ours) - set(real)):
        yield (
            f"{pointer}/{key}",
            "extra-key",
            f"a key of the sandbox's answer ({_type(ours[key])})",
            "absent",
        )
    for key in sorted(set(real) & set(ours)):
        yield from _shape(real[key], ours[key], f"{pointer}/{key}")


def _brief(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return text if len(text) <= EXAMPLE_LIMIT else text[: EXAMPLE_LIMIT - 3] + "..."
