"""Count how much of the Callr contract is confirmed and how much is inferred.

Every operation and every component schema of ``spec/callr-v2.yaml`` carries
``x-provenance: confirmed`` or ``x-provenance: inferred``; inferred ones also carry a one-line
``x-provenance-note``. This module reports the counts and lists the inferred items, so that a
user holding Callr's official ``openapi.json`` can see at once where the mock guessed.

Usage::

    python -m callr_mock.provenance [SPEC] [--json] [--strict]

Without SPEC it reads the spec packaged with callr-mock. No Flask import here: the module is
usable from the CLI, from tests and from CI without starting a server.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["PROVENANCE_VALUES", "count_provenance", "default_spec_path", "load_spec", "main"]

PROVENANCE_VALUES = ("confirmed", "inferred")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
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
    return {
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


def load_spec(path: str | Path) -> dict[str, Any]:
    """Load an OpenAPI document from YAML or JSON."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not an OpenAPI document (top level is {type(data).__name__})")
    return data


def _format_counts(kind: str, counts: dict[str, int]) -> str:
    line = f"{kind}: {counts['confirmed']} confirmed, {counts['inferred']} inferred ({counts['total']} total)"
    if counts["missing"]:
        line += f", {counts['missing']} without x-provenance"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m callr_mock.provenance",
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
        for kind in ("operations", "schemas", "webhooks"):
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
