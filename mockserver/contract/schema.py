"""JSON Schema knowledge shared by the server and the strategies (one toolkit).

``merge_all_of`` flattens ``allOf``: ``sample.py`` builds answers from the result and
``plugin/_schema.py`` builds Hypothesis strategies from it (``merge_is_exact`` says when
the flattening lost nothing, so a drawn value needs no re-check).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "examples",
        "example",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
        "$schema",
        "$id",
        "contentMediaType",
        "contentEncoding",
        "externalDocs",
        "discriminator",
        "xml",
    }
)
"""Keywords that never constrain a value."""


def merge_all_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten ``allOf`` into one schema (properties and required are unioned)."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        if not isinstance(part, Mapping):
            continue
        part = merge_all_of(part)
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = sorted(set(merged.get("required", [])) | set(value))
            elif key in ("minLength", "minimum", "minItems", "minProperties"):
                merged[key] = max(merged.get(key, value), value)
            elif key in ("maxLength", "maximum", "maxItems", "maxProperties"):
                merged[key] = min(merged.get(key, value), value)
            elif key not in merged:
                merged[key] = value
    return merged


def merge_is_exact(schema: Mapping[str, Any]) -> bool:
    """True when flattening lost nothing: no keyword appears twice with different values."""
    seen: dict[str, Any] = {}
    mergeable = {"properties", "required", "minLength", "minimum", "minItems", "minProperties"}
    mergeable |= {"maxLength", "maximum", "maxItems", "maxProperties"}

    def visit(node: Mapping[str, Any]) -> bool:
        for key, value in node.items():
            if key == "allOf":
                if not all(isinstance(p, Mapping) and visit(p) for p in value):
                    return False
                continue
            if key in ANNOTATIONS or key.startswith("x-") or key in mergeable:
                continue
            if key in seen and seen[key] != value:
                return False
            seen[key] = value
        return True

    return visit(schema)
