"""Load an OpenAPI document (ours by default, or any file the user names)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SPEC_NAME = "callr-v2.yaml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


def packaged_spec_text(name: str = DEFAULT_SPEC_NAME) -> str:
    return resources.files("callr_mock.spec").joinpath(name).read_text(encoding="utf-8")


def load_spec(path: str | Path | None = None) -> dict[str, Any]:
    """Parse the spec at ``path`` (YAML or JSON), or the packaged Callr v2 spec."""
    if path is None:
        text, name = packaged_spec_text(), DEFAULT_SPEC_NAME
    else:
        text, name = Path(path).read_text(encoding="utf-8"), str(path)
    document = json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=_YAML_LOADER)
    if not isinstance(document, dict) or "paths" not in document:
        raise ValueError(f"{name} is not an OpenAPI document (no 'paths')")
    return document


def resolve_pointer(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.lstrip("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def inline_refs(node: Any, document: dict[str, Any], _stack: tuple[str, ...] = ()) -> Any:
    """Replace local ``$ref``s by their targets so validators need no resolver.

    A recursive reference is cut to ``{}`` (accept anything) at the second visit.
    """
    if isinstance(node, list):
        return [inline_refs(item, document, _stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        if ref in _stack:
            return {}
        target = inline_refs(resolve_pointer(document, ref), document, (*_stack, ref))
        siblings = {k: inline_refs(v, document, _stack) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target], **siblings} if siblings else target
    return {key: inline_refs(value, document, _stack) for key, value in node.items()}
