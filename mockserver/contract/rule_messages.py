"""A broken schema rule in words: what was wrong, what is right, and the usual cause.

jsonschema-rs says ``" 33612345678" does not match "^\\+[1-9][0-9]{1,14}$"`` or ``"x" is
not one of "a", "b" or 12 other candidates``; a user needs "not an E.164 number; send
``+`` as ``%2B``" and the whole list. Values are echoed cut to a readable length.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from ..state.events import LEGACY_EVENT_TYPES, UNMAPPED_LEGACY_EVENT_TYPES
from .formats import E164_PATTERN, SID_PATTERN

ECHO_LIMIT = 60
"""Characters of a value echoed in a message; longer values are cut and their size given."""

_E164_WORDS = (
    "is not an E.164 phone number: '+', the country code, then the national number, "
    "2 to 15 digits in all, no spaces or separators (e.g. +33612345678)"
)
_DATE_TIME_WORDS = "is not an RFC 3339 date-time (e.g. 2024-04-24T12:00:42.000Z)"
_WORDS_BY_PATTERN = {
    E164_PATTERN.pattern: _E164_WORDS,
    SID_PATTERN.pattern: "is not a sid: 8 lowercase letters or digits (e.g. callrsid)",
    r"^\+[1-9][0-9]{0,14}$": (
        "is not the start of an E.164 phone number: '+' then digits, no spaces (e.g. +3361)"
    ),
}
_WORDS_BY_FORMAT = {
    "e164": _E164_WORDS,
    "sid": _WORDS_BY_PATTERN[SID_PATTERN.pattern],
    "date-time": _DATE_TIME_WORDS,
    "date": "is not an RFC 3339 full date (e.g. 2024-04-24)",
    "email": "is not an email address",
    "uri": "is not an absolute URI (e.g. https://example.com/hook)",
    "uuid": "is not a UUID (e.g. 123e4567-e89b-12d3-a456-426614174000)",
}
PLUS_AS_SPACE = "; a '+' in a URL query is read as a space: send it as %2B"


def echo(value: Any, limit: int = ECHO_LIMIT) -> str:
    """``value`` as JSON, cut to ``limit`` characters with its full size when longer."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if len(text) <= limit:
        return text
    size = (
        f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters of JSON"
    )
    return f"{text[: limit - 1]}… ({size})"


def explain(error: Any) -> str:
    """The rule a jsonschema-rs ``ValidationError`` says was broken, in words."""
    kind = error.kind.name
    detail = error.kind.as_dict()
    value = error.instance
    if kind == "enum":
        return f"{echo(value)} is not one of: {_listing(detail['options'])}{_legacy_hint(value)}"
    if kind == "const":
        return f"{echo(value)} is not {echo(detail.get('expected_value'))}"
    if kind in ("pattern", "format"):
        key = detail.get("pattern") if kind == "pattern" else detail.get("format")
        table = _WORDS_BY_PATTERN if kind == "pattern" else _WORDS_BY_FORMAT
        words = table.get(str(key)) or (
            _date_time_pattern_words(str(key)) if kind == "pattern" else None
        )
        if words is None:
            words = (
                f"does not match the pattern {key}"
                if kind == "pattern"
                else f"is not a valid {key}"
            )
        hint = PLUS_AS_SPACE if _plus_sent_as_space(value) else ""
        return f"{echo(value)} {words}{hint}"
    if kind == "additionalProperties":
        unexpected = ", ".join(echo(str(name), 40) for name in detail.get("unexpected", []))
        return f"unknown field {unexpected}"
    if kind == "maxLength":
        return f"{echo(value)} is longer than {detail['limit']} characters"
    return _cut_echoes(error.message, value)


@functools.lru_cache(maxsize=64)
def _date_time_pattern_words(pattern: str) -> str | None:
    """Words for a pattern that spells out a date-time (the spec's DateTime), found by trying it."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    if not compiled.search("2024-04-24T12:00:42.000Z") or compiled.search("2024-04-24"):
        return None
    return _DATE_TIME_WORDS


def _listing(options: list[Any]) -> str:
    return ", ".join(o if isinstance(o, str) else json.dumps(o) for o in options)


def _legacy_hint(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if value in LEGACY_EVENT_TYPES:
        return f" ({value} is the legacy JSON-RPC name of {LEGACY_EVENT_TYPES[value]})"
    if value in UNMAPPED_LEGACY_EVENT_TYPES:
        return f" ({value} is a legacy JSON-RPC type with no v2 equivalent: {UNMAPPED_LEGACY_EVENT_TYPES[value]})"
    return ""


def _plus_sent_as_space(value: Any) -> bool:
    """`` 33612345678``: what ``?to=+33612345678`` becomes once the query is decoded
    (and ``...T00:00:00 01:00`` what a ``+01:00`` offset becomes)."""
    return isinstance(value, str) and re.search(r" [0-9]", value) is not None


def _cut_echoes(message: str, value: Any) -> str:
    """jsonschema-rs' own message, with the echoed value cut when it is long."""
    for rendered in (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str),
        json.dumps(value, ensure_ascii=False, default=str),
    ):
        if len(rendered) > ECHO_LIMIT and rendered in message:
            return message.replace(rendered, echo(value), 1)
    if len(message) > 4 * ECHO_LIMIT:
        return message[: 4 * ECHO_LIMIT - 1] + "…"
    return message
