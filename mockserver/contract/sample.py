"""Responses for operations that have no stateful handler (e.g. from Callr's official spec).

The response is the spec's example when there is one, else a minimal value built
from the schema. Either way it goes through response validation like any other.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from .compiled import Operation, compile_schema
from .formats import FORMATS
from .schema import merge_all_of


def sample(schema: dict[str, Any], now: datetime, depth: int = 0) -> Any:
    """A small value that satisfies ``schema`` in the common cases."""
    if depth > 12 or not isinstance(schema, dict):
        return None
    schema = merge_all_of(schema)
    for key in ("const",):
        if key in schema:
            return schema[key]
    if "examples" in schema and isinstance(schema["examples"], list) and schema["examples"]:
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return sample(schema[key][0], now, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            name: sample(props.get(name, {}), now, depth + 1) for name in schema.get("required", [])
        }
    if kind == "array":
        item = sample(schema.get("items", {}), now, depth + 1)
        count = int(schema.get("minItems", 0))
        if schema.get("uniqueItems") and count > 1:
            return _distinct(schema.get("items", {}), item, count)
        return [item] * count
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    fmt = schema.get("format")
    if fmt in FORMATS:
        return FORMATS[fmt].sample(now)
    if fmt == "uri-reference":
        return FORMATS["uri"].sample(now)
    if "pattern" in schema:
        for candidate in PATTERN_CANDIDATES:
            if re.search(schema["pattern"], candidate):
                return candidate
    return "x" * int(schema.get("minLength", 0))


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    """A value the bounds allow (inclusive or exclusive) that is a multiple of multipleOf."""
    bounds = [
        schema[key]
        for key in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
        if isinstance(schema.get(key), int | float) and not isinstance(schema.get(key), bool)
    ]
    step = schema.get("multipleOf")
    candidates: list[float] = [0]
    for bound in bounds:
        candidates += [bound, bound + 1, bound - 1, bound + 0.5, bound - 0.5]
    if len(bounds) >= 2:
        candidates.append((min(bounds) + max(bounds)) / 2)
    for candidate in candidates:
        for value in (candidate, math.ceil(candidate / step) * step if step else candidate):
            if integer:
                value = math.ceil(value)
            if _fits(schema, value):
                return value
    return 0


def _fits(schema: dict[str, Any], value: float) -> bool:
    def bound(key: str) -> float | None:
        found = schema.get(key)
        return found if isinstance(found, int | float) and not isinstance(found, bool) else None

    checks = (
        (bound("minimum"), lambda b: value >= b),
        (bound("exclusiveMinimum"), lambda b: value > b),
        (bound("maximum"), lambda b: value <= b),
        (bound("exclusiveMaximum"), lambda b: value < b),
    )
    if any(b is not None and not ok(b) for b, ok in checks):
        return False
    step = bound("multipleOf")
    return not step or abs(value / step - round(value / step)) < 1e-9


def _distinct(items: dict[str, Any], first: Any, count: int) -> list[Any]:
    """``count`` different values for a uniqueItems array (enums, numbers, strings)."""
    if items.get("enum"):
        return list(items["enum"][:count])
    if isinstance(first, bool) or first is None:
        return [first]
    if isinstance(first, int | float):
        step = items.get("multipleOf", 1)
        return [first + i * step for i in range(count)]
    if isinstance(first, str):
        valid = compile_schema(items).is_valid
        tries = [first[:-1] + c for c in "0123456789abcdef"] + [f"{first}{i}" for i in range(count)]
        found = [first] + [t for t in dict.fromkeys(tries) if t != first and valid(t)]
        return found[:count]
    return [first] * count


PATTERN_CANDIDATES = (
    "callrsid",
    "+33199000100",
    "2026-01-01T12:00:00.000Z",
    "FR",
    "EUR",
    "0.00",
    "abc",
    "ABC",
    "x",
    "0",
    "",
)


def generated_reply(op: Operation, now: datetime) -> tuple[int, Any]:
    """Pick the first declared success response and produce its body."""
    codes = sorted(code for code in op.responses if code[:1] == "2")
    if not codes:
        return 501, None
    code = codes[0]
    status = int(code) if code.isdigit() else 200
    spec = op.responses[code]
    if not spec.schemas:
        return status, None
    content_type = (
        "application/json" if "application/json" in spec.schemas else next(iter(spec.schemas))
    )
    if content_type in spec.examples:
        return status, spec.examples[content_type]
    return status, sample(spec.schemas[content_type], now)
