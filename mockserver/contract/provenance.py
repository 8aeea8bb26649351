"""Count how much of the Callr contract is confirmed and how much is inferred.

Every operation and every component schema of ``spec/callr-v2.yaml`` carries
``x-provenance: confirmed`` or ``x-provenance: inferred``; inferred ones also carry a one-line
``x-provenance-note``. A confirmed item may hold inferred parts: a nested parameter, property
or response marked ``x-provenance: inferred``, or a rule listed in ``x-inferred-rules``. This
module reports the counts and lists the inferred items and parts, so that a user holding
Callr's official ``openapi.json`` can see at once where the mock guessed.

Usage::

    python -m callr_mock.contract.provenance [SPEC] [--json] [--strict]

Without SPEC it reads the spec packaged with callr-mock. No Flask import here: the module is
usable from the CLI, from tests and from CI without starting a server.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.wire import HTTP_METHODS
from .spec import load_spec

__all__ = [
    "HOUSE_EMPTY",
    "PROVENANCE_VALUES",
    "Provenance",
    "count_provenance",
    "default_spec_path",
    "house_decision",
    "load_spec",
    "main",
    "provenance_along",
    "resolve",
]

PROVENANCE_VALUES = ("confirmed", "inferred")
SPEC_FILENAME = "callr-v2.yaml"


def _iter_operations(items: dict[str, Any] | None) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (METHOD, path-or-webhook-name, operation) for a ``paths`` or ``webhooks`` map."""
    for key, path_item in (items or {}).items():
        if not isinstance(path_item, dict):
            continue
        for method in HTTP_METHODS:
            operation = path_item.get(method)
            if isinstance(operation, dict):
                yield method.upper(), key, operation


@dataclass(frozen=True)
class Provenance:
    """How sure the spec is of one element: the nearest ``x-provenance`` above or on it.

    ``level`` is ``confirmed`` or ``inferred`` (as marked), ``unmarked`` (no ``x-provenance``
    anywhere on the way, e.g. Callr's official document) or ``absent`` (the spec has no such
    element). ``source`` is the JSON pointer of the node that carries the mark.
    """

    level: str
    note: str | None = None
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "note": self.note, "source": self.source}

    def __str__(self) -> str:
        text = self.level
        if self.note:
            text += f" ({self.note})"
        if self.source:
            text += f" [{self.source}]"
        return text


# The two house decisions that apply to every schema whatever its mark (spec/README.md):
HOUSE_STRICT = "house decision for every object: strict (additionalProperties: false)"
HOUSE_REQUIRED = "house decision for every response object: every property is required"
HOUSE_EMPTY = (
    "house decision for every query parameter: an empty value is refused unless the "
    "parameter says allowEmptyValue: true"
)


def house_decision(current: Provenance, rule: str) -> Provenance:
    """What a strictness or response-``required`` rule really rests on: a house decision,
    even inside a ``confirmed`` schema (an ``inferred`` mark already says more)."""
    if current.level == "confirmed":
        return Provenance("inferred", rule, current.source)
    return current


UNMARKED = Provenance("unmarked")
ABSENT = Provenance("absent", "the spec has no such element")


def _pointer(parts: Sequence[str | int]) -> str:
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped)


def _mark(node: Any, at: str, current: Provenance) -> Provenance:
    if isinstance(node, dict) and node.get("x-provenance") in PROVENANCE_VALUES:
        note = node.get("x-provenance-note")
        return Provenance(str(node["x-provenance"]), str(note).strip() if note else None, at)
    return current


def _unescape(ref: str) -> list[str | int]:
    return [p.replace("~1", "/").replace("~0", "~") for p in ref.lstrip("#/").split("/")]


def _target(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in _unescape(ref):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return node


def resolve(
    document: dict[str, Any], node: Any, at: str, current: Provenance
) -> tuple[Any, str, Provenance]:
    """Follow ``$ref`` chains from ``node`` (at pointer ``at``), picking up ``x-provenance``.

    Siblings of a ``$ref`` are merged over its target (for diffing; no resolver needed).
    """
    current = _mark(node, at, current)
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            break
        seen.add(ref)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        target = _target(document, ref)
        if not isinstance(target, dict):
            break
        current = _mark(target, ref, current)
        node = {**target, **siblings} if siblings else target
        current = _mark(siblings, at, current) if "x-provenance" in siblings else current
        at = ref if not siblings else at
    return node, at, current


def provenance_along(
    document: dict[str, Any], segments: Sequence[str | int], start: Provenance = UNMARKED
) -> Provenance:
    """The provenance of the element reached from the document root by ``segments``.

    The segments are those of the compiled schemas (``contract.py``), where a ``$ref`` with
    siblings became ``{"allOf": [target], **siblings}`` (``spec_loader.inline_refs``): the
    walk mirrors that, so a jsonschema-rs ``schema_path`` can be followed in the source
    document. The deepest mark on the way wins; a path that leaves the document stops the
    walk where it is.
    """
    node: Any = document
    current = start
    parts: list[str | int] = []
    index = 0
    seen: set[str] = set()
    while True:
        current = _mark(node, _pointer(parts), current)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            target = _target(document, ref) if ref not in seen else None
            siblings = [k for k in node if k != "$ref"]
            if target is None:
                return current
            if not siblings:
                seen.add(ref)
                node, parts = target, _unescape(ref)
                continue
            if segments[index : index + 2] == ["allOf", 0]:
                seen.add(ref)
                node, parts = target, _unescape(ref)
                index += 2
                continue
        if index >= len(segments):
            return current
        seen.clear()
        segment = segments[index]
        index += 1
        if isinstance(node, dict) and str(segment) in node:
            node = node[str(segment)]
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            node = node[segment]
        else:
            return current
        parts.append(segment)


def _tally(
    entries: list[tuple[str, dict[str, Any]]],
) -> tuple[dict[str, int], list[dict[str, str]], list[str]]:
    counts = {"confirmed": 0, "inferred": 0, "missing": 0, "total": len(entries)}
    inferred: list[dict[str, str]] = []
    missing: list[str] = []
    for name, obj in entries:
        value = obj.get("x-provenance")
        if value == "confirmed":
            counts["confirmed"] += 1
        elif value == "inferred":
            counts["inferred"] += 1
            inferred.append({"name": name, "note": str(obj.get("x-provenance-note") or "").strip()})
        else:
            counts["missing"] += 1
            missing.append(name)
    return counts, inferred, missing


def _parts(label: str, node: Any) -> Iterator[dict[str, str]]:
    """Inferred parts inside one item: nested objects marked ``x-provenance: inferred`` (a
    parameter, a property, a response) and the rules listed in ``x-inferred-rules``."""
    if isinstance(node, dict):
        if node.get("x-provenance") == "inferred":
            yield {"name": label, "note": str(node.get("x-provenance-note") or "").strip()}
        for rule in node.get("x-inferred-rules") or []:
            yield {"name": f"{label} > rule", "note": str(rule).strip()}
        for key, value in node.items():
            if key.startswith("x-") or key in ("examples", "example"):
                continue
            if key == "properties" and isinstance(value, dict):
                for prop, schema in value.items():
                    yield from _parts(f"{label} > property {prop}", schema)
            elif key == "parameters" and isinstance(value, list):
                for param in value:
                    name = param.get("name", "?") if isinstance(param, dict) else "?"
                    yield from _parts(f"{label} > parameter {name}", param)
            elif key == "responses" and isinstance(value, dict):
                for status, response in value.items():
                    yield from _parts(f"{label} > response {status}", response)
            elif key == "requestBody":
                yield from _parts(f"{label} > request body", value)
            else:
                yield from _parts(label, value)
    elif isinstance(node, list):
        for item in node:
            yield from _parts(label, item)


def count_provenance(spec: dict[str, Any]) -> dict[str, Any]:
    """Count confirmed / inferred operations, component schemas and webhooks of ``spec``.

    Returns a dict::

        {
          "operations": {"confirmed": int, "inferred": int, "missing": int, "total": int},
          "schemas":    {...same keys...},
          "webhooks":   {...same keys...},
          "inferred_operations": [{"name": "POST /actions (createScenario)", "note": "..."}],
          "inferred_schemas":    [{"name": "Sid", "note": "..."}],
          "inferred_webhooks":   [{"name": "POST v2.task.updated (onTaskUpdated)", "note": "..."}],
          "parts": {"inferred": int},  # inferred parts inside confirmed items
          "inferred_parts": [{"name": "GET /actions (searchScenarios) > parameter name", ...}],
          "missing": ["...items without a valid x-provenance..."],
        }

    ``missing`` lists items whose ``x-provenance`` is absent or not one of
    ``confirmed`` / ``inferred`` (all of them, for Callr's official document).
    """

    def label(method: str, key: str, op: dict[str, Any]) -> str:
        op_id = op.get("operationId")
        return f"{method} {key}" + (f" ({op_id})" if op_id else "")

    ops = [(label(m, p, op), op) for m, p, op in _iter_operations(spec.get("paths"))]
    hooks = [(label(m, p, op), op) for m, p, op in _iter_operations(spec.get("webhooks"))]
    schemas = [
        (name, schema)
        for name, schema in ((spec.get("components") or {}).get("schemas") or {}).items()
        if isinstance(schema, dict)
    ]

    op_counts, op_inferred, op_missing = _tally(ops)
    schema_counts, schema_inferred, schema_missing = _tally(schemas)
    hook_counts, hook_inferred, hook_missing = _tally(hooks)
    inferred_parts = [
        part
        for name, item in ops + schemas + hooks
        if item.get("x-provenance") == "confirmed"
        for part in _parts(name, item)
    ]
    return {
        "parts": {"inferred": len(inferred_parts)},
        "inferred_parts": inferred_parts,
        "operations": op_counts,
        "schemas": schema_counts,
        "webhooks": hook_counts,
        "inferred_operations": op_inferred,
        "inferred_schemas": schema_inferred,
        "inferred_webhooks": hook_inferred,
        "missing": (
            [f"operation {n}" for n in op_missing]
            + [f"schema {n}" for n in schema_missing]
            + [f"webhook {n}" for n in hook_missing]
        ),
    }


def default_spec_path() -> Path:
    """The spec packaged as ``callr_mock.spec/callr-v2.yaml``, else the repository copy."""
    try:
        from importlib.resources import files

        candidate = files("callr_mock.spec") / SPEC_FILENAME
        if candidate.is_file():
            return Path(str(candidate))
    except (ModuleNotFoundError, TypeError, OSError):
        pass
    return Path(__file__).resolve().parent.parent / "spec" / SPEC_FILENAME


def _format_counts(kind: str, counts: dict[str, int]) -> str:
    line = f"{kind}: {counts['confirmed']} confirmed, {counts['inferred']} inferred ({counts['total']} total)"
    if counts["missing"]:
        line += f", {counts['missing']} without x-provenance"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m callr_mock.contract.provenance",
        description="Count confirmed and inferred operations and schemas of a Callr OpenAPI document.",
    )
    parser.add_argument(
        "spec", nargs="?", help="OpenAPI file (YAML or JSON); default: the packaged spec"
    )
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when an item has no valid x-provenance"
    )
    args = parser.parse_args(argv)

    path = Path(args.spec) if args.spec else default_spec_path()
    try:
        spec = load_spec(path)
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    report = count_provenance(spec)

    if args.json:
        print(json.dumps({"spec": str(path), **report}, indent=2))
    else:
        info = spec.get("info") or {}
        print(f"{info.get('title', '?')} {info.get('version', '?')}  ({path})")
        print(_format_counts("operations", report["operations"]))
        print(_format_counts("schemas", report["schemas"]))
        if report["webhooks"]["total"]:
            print(_format_counts("webhooks", report["webhooks"]))
        print(f"inferred parts inside confirmed items: {report['parts']['inferred']}")
        for kind in ("operations", "schemas", "webhooks", "parts"):
            items = report[f"inferred_{kind}"]
            if items:
                print(f"\ninferred {kind}:")
                width = max(len(item["name"]) for item in items)
                for item in items:
                    print(f"  {item['name']:<{width}}  {item['note'] or '(no note)'}")
        if report["missing"]:
            print("\nwithout x-provenance:")
            for name in report["missing"]:
                print(f"  {name}")
    return 1 if args.strict and report["missing"] else 0


if __name__ == "__main__":
    sys.exit(main())
