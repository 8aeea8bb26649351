"""Hypothesis strategies from the JSON Schemas of the contract (OpenAPI 3.1 = Draft 2020-12).

Covers what the Callr spec uses: ``type`` (also lists), ``const``, ``enum``, ``allOf``,
``oneOf``/``anyOf``, objects (``required``, ``additionalProperties`` false or a schema,
``propertyNames``, ``min/maxProperties``), arrays, string bounds, ``pattern`` (JSON
Schema's search semantics), ``x-pattern`` (``\\pL``), the formats of
``FORMAT_STRATEGIES``, numbers with bounds and ``multipleOf``. Anything else is kept
correct by filtering the drawn value through the compiled validator of that schema.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from callr_mock.contract.schema import ANNOTATIONS, merge_all_of, merge_is_exact
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

HANDLED = frozenset(
    {
        "type",
        "const",
        "enum",
        "allOf",
        "oneOf",
        "anyOf",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    }
)
STRING_SLACK = 40  # longest string drawn beyond minLength (maxLength may be 32768)
ARRAY_SLACK = 4
MAP_SLACK = 4
# Unicode letters for \pL, which Python's re lacks.
_UNICODE_PROPERTY = {
    r"\pL": r"[^\W\d_]",
    r"\p{L}": r"[^\W\d_]",
    r"\PL": r"[\W\d_]",
    r"\P{L}": r"[\W\d_]",
}

Validator = Callable[[Any], bool]


def _python_regex(pattern: str) -> str:
    for ecma, python in _UNICODE_PROPERTY.items():
        pattern = pattern.replace(ecma, python)
    return pattern


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(_python_regex(pattern))


def _is_valid_factory() -> Callable[[Mapping[str, Any]], Validator]:
    from callr_mock.contract.compiled import compile_schema

    def make(schema: Mapping[str, Any]) -> Validator:
        validator = compile_schema(dict(schema))
        return lambda value: bool(validator.is_valid(value))

    return make


def _keywords(schema: Mapping[str, Any]) -> set[str]:
    return {k for k in schema if k not in ANNOTATIONS and not k.startswith("x-")}


class SchemaStrategies:
    """Builds strategies for schemas whose ``$ref``s are already inlined."""

    def __init__(
        self,
        formats: Mapping[str, SearchStrategy[Any]],
        patterns: Mapping[str, SearchStrategy[str]],
    ) -> None:
        self.formats = formats
        self.patterns = patterns
        self.validator_for = _is_valid_factory()

    # -- entry point ---------------------------------------------------------
    def build(self, schema: Any) -> SearchStrategy[Any]:
        if schema is True or schema == {}:
            return _json_values()
        if schema is False:
            return st.nothing()
        if not isinstance(schema, Mapping):
            raise TypeError(f"not a JSON Schema: {schema!r}")
        strategy = self._build(schema)
        unhandled = {k for k in _keywords(schema) if k not in HANDLED}
        if unhandled:
            strategy = strategy.filter(self.validator_for(schema))
        return strategy

    def _build(self, schema: Mapping[str, Any]) -> SearchStrategy[Any]:
        if schema.get("x-binary"):  # a multipart file part (see strategies.requests_for)
            return st.binary(min_size=1, max_size=64)
        if "allOf" in schema:
            merged = merge_all_of(schema)
            strategy = self.build(merged)
            exact = merge_is_exact(schema)
            return strategy if exact else strategy.filter(self.validator_for(schema))
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(list(schema["enum"]))
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                rest = {k: v for k, v in schema.items() if k != combinator}
                branches = [
                    self.build(merge_all_of({"allOf": [rest, branch]}))
                    for branch in schema[combinator]
                ]
                strategy = st.one_of(branches)
                if combinator == "oneOf":
                    strategy = strategy.filter(self.validator_for(schema))
                return strategy
        types = schema.get("type")
        if isinstance(types, list):
            return st.one_of([self._typed(schema, t) for t in types])
        if isinstance(types, str):
            return self._typed(schema, types)
        return self._typed(schema, _guess_type(schema))

    def _typed(self, schema: Mapping[str, Any], kind: str | None) -> SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return self._integer(schema)
        if kind == "number":
            return self._number(schema)
        if kind == "string":
            return self._string(schema)
        if kind == "array":
            return self._array(schema)
        if kind == "object":
            return self._object(schema)
        return _json_values()

    # -- scalars -------------------------------------------------------------
    def _integer(self, schema: Mapping[str, Any]) -> SearchStrategy[int]:
        low = schema.get("minimum")
        high = schema.get("maximum")
        if "exclusiveMinimum" in schema:
            value = schema["exclusiveMinimum"]
            low = max(low, math.floor(value) + 1) if low is not None else math.floor(value) + 1
        if "exclusiveMaximum" in schema:
            value = schema["exclusiveMaximum"]
            high = min(high, math.ceil(value) - 1) if high is not None else math.ceil(value) - 1
        low = math.ceil(low) if low is not None else None
        high = math.floor(high) if high is not None else None
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first = None if low is None else -(-low // step)
            last = None if high is None else high // step
            return st.integers(first, last).map(lambda n: n * step)
        return st.integers(low, high)

    def _number(self, schema: Mapping[str, Any]) -> SearchStrategy[float | int]:
        if isinstance(schema.get("multipleOf"), int):
            return self._integer(schema)
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        floats = st.floats(
            min_value=low,
            max_value=high,
            exclude_min="exclusiveMinimum" in schema and "minimum" not in schema,
            exclude_max="exclusiveMaximum" in schema and "maximum" not in schema,
            allow_nan=False,
            allow_infinity=False,
        )
        strategy: SearchStrategy[Any] = st.one_of(self._integer(schema), floats)
        if "multipleOf" in schema:
            strategy = strategy.filter(self.validator_for(schema))
        return strategy

    def _string(self, schema: Mapping[str, Any]) -> SearchStrategy[str]:
        min_size = int(schema.get("minLength", 0))
        max_size = schema.get("maxLength")
        pattern = schema.get("pattern")
        fmt = schema.get("format")
        strategy: SearchStrategy[str]
        needs_length_check = False
        if isinstance(pattern, str) and pattern in self.patterns:
            strategy, needs_length_check = self.patterns[pattern], True
        elif isinstance(fmt, str) and fmt in self.formats:
            strategy, needs_length_check = self.formats[fmt], True
            if pattern is not None:
                strategy = strategy.filter(_compiled(pattern).search)
        elif pattern is not None:
            strategy, needs_length_check = _from_pattern(pattern), True
        else:
            cap = (
                min_size + STRING_SLACK
                if max_size is None
                else min(int(max_size), min_size + STRING_SLACK)
            )
            strategy = st.text(_TEXT_CHARACTERS, min_size=min_size, max_size=cap)
        if needs_length_check and (min_size or max_size is not None):
            low, high = min_size, max_size

            def fits(text: str) -> bool:
                return len(text) >= low and (high is None or len(text) <= high)

            strategy = strategy.filter(fits)
        extra = schema.get("x-pattern")
        if isinstance(extra, str):
            strategy = _with_x_pattern(strategy, extra, min_size, max_size)
        return strategy

    # -- containers ----------------------------------------------------------
    def _array(self, schema: Mapping[str, Any]) -> SearchStrategy[list[Any]]:
        items = self.build(schema.get("items", {}))
        min_size = int(schema.get("minItems", 0))
        max_size = schema.get("maxItems")
        cap = (
            min_size + ARRAY_SLACK
            if max_size is None
            else min(int(max_size), min_size + ARRAY_SLACK)
        )
        if schema.get("uniqueItems"):
            return st.lists(items, min_size=min_size, max_size=cap, unique_by=_canonical)
        return st.lists(items, min_size=min_size, max_size=cap)

    def _object(self, schema: Mapping[str, Any]) -> SearchStrategy[dict[str, Any]]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = [name for name in schema.get("required", []) if name in properties]
        optional = [name for name in properties if name not in required]
        fixed = st.fixed_dictionaries(
            {name: self.build(properties[name]) for name in required},
            optional={name: self.build(properties[name]) for name in optional},
        )
        additional = schema.get("additionalProperties", False)
        min_props = int(schema.get("minProperties", 0))
        max_props = schema.get("maxProperties")
        strategy: SearchStrategy[dict[str, Any]] = fixed
        if isinstance(additional, Mapping):
            names = self.build({"type": "string", **schema.get("propertyNames", {})}).filter(
                lambda name: name not in properties
            )
            room = (
                MAP_SLACK
                if max_props is None
                else max(0, min(int(max_props) - len(properties), MAP_SLACK))
            )
            extras = st.dictionaries(names, self.build(additional), min_size=0, max_size=room)
            if not properties:
                strategy = st.dictionaries(
                    names, self.build(additional), min_size=min_props, max_size=max(min_props, room)
                )
            else:
                strategy = st.tuples(fixed, extras).map(lambda pair: {**pair[1], **pair[0]})
        if min_props or max_props is not None:
            low, high = min_props, max_props
            strategy = strategy.filter(
                lambda obj: len(obj) >= low and (high is None or len(obj) <= high)
            )
        missing = [name for name in schema.get("required", []) if name not in properties]
        if missing:  # required but undeclared: anything goes for them
            strategy = st.tuples(
                strategy, st.fixed_dictionaries({n: _json_values() for n in missing})
            ).map(lambda pair: {**pair[0], **pair[1]})
        return strategy


# -- helpers -------------------------------------------------------------------
_TEXT_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn"))


def _json_values() -> SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.text(_TEXT_CHARACTERS, max_size=20)
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=6,
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _guess_type(schema: Mapping[str, Any]) -> str | None:
    if {"properties", "additionalProperties", "required", "propertyNames"} & set(schema):
        return "object"
    if {"items", "minItems", "maxItems"} & set(schema):
        return "array"
    if {"pattern", "minLength", "maxLength", "format"} & set(schema):
        return "string"
    if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & set(schema):
        return "number"
    return None


def _from_pattern(pattern: str) -> SearchStrategy[str]:
    """Strings matching a JSON Schema pattern (ECMA semantics: search, ``$`` = end of text)."""
    python = _python_regex(pattern)
    if python.startswith("^") and python.endswith("$") and not python.endswith("\\$"):
        core = python[1:-1]
        return st.from_regex(core, fullmatch=True)
    compiled = _compiled(pattern)
    return st.from_regex(python).filter(
        lambda text: compiled.search(text) is not None and "\n" not in text[-1:]
    )


def _has_letter(text: str) -> bool:
    """``\\pL`` as the server checks it: a character of a Unicode letter category."""
    return any(unicodedata.category(character).startswith("L") for character in text)


def _with_x_pattern(
    strategy: SearchStrategy[str], pattern: str, min_size: int, max_size: int | None
) -> SearchStrategy[str]:
    """Add a server-enforced ``x-pattern`` (e.g. ``\\pL``: at least one letter) to the strategy."""
    if pattern in (r"\pL", r"\p{L}"):
        letters = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo"))
        high = max_size if max_size is not None else min_size + STRING_SLACK

        def ensure_letter(pair: tuple[str, str, int]) -> str:
            text, letter, where = pair
            if _has_letter(text):
                return text
            if len(text) < high:
                position = where % (len(text) + 1)
                return text[:position] + letter + text[position:]
            position = where % len(text)
            return text[:position] + letter + text[position + 1 :]

        return (
            st.tuples(strategy, letters, st.integers(0, 10_000))
            .map(ensure_letter)
            .filter(lambda text: len(text) >= min_size)
        )
    compiled = _compiled(pattern)
    return strategy.filter(lambda text: compiled.search(text) is not None)
