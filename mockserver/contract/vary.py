"""Contract-valid variation of a response (``--vary``): tolerant-reader testing.

The answer stays true to the state and valid against the spec, but what the spec leaves
open is drawn from a seeded generator instead of being the mock's fixed habit:

- an optional property may be absent, or ``null`` when its schema allows null (a required
  property keeps its value, even a nullable one: its null would say something false);
- an object whose schema allows additional properties may get one more;
- a ``date-time`` may be written another way RFC 3339 allows (``Z`` or ``+00:00``, more or
  no fractional digits, another offset), among those its schema's ``pattern`` accepts;
- items of a list page that are equal in the sort field (``sort``, else ``created``; or
  its ``...At`` form) may come in another order;
- a list envelope ``{offset, total, hasMore, hits}`` may be cut short: fewer ``hits`` than
  the page could hold, with ``hasMore`` true (a client must page on ``hasMore`` and
  ``offset + len(hits)``, not on ``limit``).

The varied body is validated against the response schema; if a draw ever breaks it, the
unvaried body goes out instead, so variation itself never produces a contract violation.
Only successful JSON answers vary. Nothing here imports Flask.
"""

from __future__ import annotations

import copy
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .compiled import Operation, first_error

if TYPE_CHECKING:
    from ..state.vary import Variation

CHANCE = 0.3
ENVELOPE_KEYS = {"offset", "total", "hasMore", "hits"}
EXTRA_VALUES: tuple[Any, ...] = ("", 0, True, {"note": "added by callr-mock --vary"}, [])


def _merged(schema: Any) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {}
    if "allOf" not in schema:
        return schema
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        part = _merged(part)
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _allows_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind) or schema.get("nullable"):
        return True
    return any(
        isinstance(branch, dict) and _allows_null(_merged(branch))
        for key in ("oneOf", "anyOf")
        for branch in schema.get(key, [])
    )


def _open_to_extras(schema: dict[str, Any]) -> bool:
    if "properties" not in schema:
        return False
    extra = schema.get("additionalProperties", True)
    return (extra is True or extra == {}) and not any(
        key in schema
        for key in ("unevaluatedProperties", "patternProperties", "propertyNames", "maxProperties")
    )


def _datetime_forms(moment: datetime) -> list[str]:
    """The same instant written other ways RFC 3339 allows."""
    utc = moment.astimezone(UTC)
    base = utc.strftime("%Y-%m-%dT%H:%M:%S")
    micro = f".{utc.microsecond:06d}"
    forms = [base + micro + "Z", base + micro[:4] + "+00:00"] if not utc.microsecond % 1000 else []
    forms.append(base + micro + "+00:00")
    if not utc.microsecond:
        forms.append(base + "Z")
    for hours, minutes in ((2, 0), (-5, 0), (9, 30)):
        shifted = moment.astimezone(timezone(timedelta(hours=hours, minutes=minutes)))
        forms.append(shifted.isoformat(timespec="microseconds"))
    return forms


def _vary_datetime(text: str, schema: dict[str, Any], rng: random.Random) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    pattern = schema.get("pattern")
    forms = [
        form
        for form in _datetime_forms(moment)
        if form != text and (not isinstance(pattern, str) or re.search(pattern, form))
    ]
    return rng.choice(forms) if forms else text


def _shuffle_ties(hits: list[Any], field: str, rng: random.Random) -> None:
    start = 0
    while start < len(hits):
        end = start + 1
        key = hits[start].get(field) if isinstance(hits[start], dict) else None
        while (
            key is not None
            and end < len(hits)
            and isinstance(hits[end], dict)
            and hits[end].get(field) == key
        ):
            end += 1
        if end - start > 1:
            run = hits[start:end]
            rng.shuffle(run)
            hits[start:end] = run
        start = end


def _sort_field(hits: list[Any], sort: str) -> str | None:
    """The property a page is sorted by: ``sort`` itself, or its ``...At`` form
    (``sort=created`` orders objects that name it ``createdAt``)."""
    first = hits[0] if hits and isinstance(hits[0], dict) else {}
    return next((name for name in (sort, sort + "At") if name in first), None)


def _vary_envelope(body: dict[str, Any], sort: str, rng: random.Random) -> None:
    hits = body["hits"]
    if not isinstance(hits, list):
        return
    offset, total = body.get("offset"), body.get("total")
    if (
        len(hits) >= 2
        and isinstance(offset, int)
        and isinstance(total, int)
        and rng.random() < CHANCE
    ):
        keep = rng.randint(1, len(hits) - 1)
        del hits[keep:]
        body["hasMore"] = offset + keep < total
    # Within the page only (after the cut), so every page holds the items it would anyway.
    field = _sort_field(hits, sort)
    if field is not None:
        _shuffle_ties(hits, field, rng)


def _walk(schema: Any, value: Any, rng: random.Random, depth: int = 0) -> Any:
    schema = _merged(schema)
    if depth > 20 or not schema:
        return value
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        required = set(schema.get("required", []))
        for name in list(value):
            if name not in properties:
                continue
            value[name] = _walk(properties[name], value[name], rng, depth + 1)
            if name in required or rng.random() >= CHANCE:
                continue
            if _allows_null(_merged(properties[name])) and rng.random() < 0.5:
                value[name] = None
            else:
                del value[name]
        if _open_to_extras(schema) and rng.random() < CHANCE:
            name = f"x{rng.randrange(10_000)}"
            if name not in properties and name not in value:
                value[name] = copy.deepcopy(rng.choice(EXTRA_VALUES))
        return value
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_walk(schema["items"], item, rng, depth + 1) for item in value]
    if isinstance(value, str) and schema.get("format") == "date-time" and rng.random() < CHANCE:
        return _vary_datetime(value, schema, rng)
    return value


def vary_answer(
    variation: Variation,
    account: str,
    op: Operation,
    status: int,
    body: Any,
    query: dict[str, Any],
) -> Any:
    """``body`` as this account sees it: varied if it is a varied account, else unchanged."""
    if body is None or not 200 <= status < 300 or not variation.active:
        return body
    with variation.lock:
        generator = variation.generator(account)
        if generator is None:
            return body
        return vary_body(op, status, body, query, generator)


def vary_body(
    op: Operation,
    status: int,
    body: Any,
    query: dict[str, Any],
    rng: random.Random,
    content_type: str = "application/json",
) -> Any:
    """A varied copy of ``body`` that still validates, or ``body`` itself."""
    spec = op.response_for(status)
    if spec is None or content_type not in spec.validators:
        return body
    varied = _walk(spec.schemas[content_type], copy.deepcopy(body), rng)
    if isinstance(varied, dict) and set(varied) >= ENVELOPE_KEYS:
        sort = query.get("sort")
        _vary_envelope(varied, sort if isinstance(sort, str) else "created", rng)
    if first_error(spec.validators[content_type], varied) is not None:
        return body
    return varied
