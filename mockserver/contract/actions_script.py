"""Scenario scripts checked against the Callr Actions script schema, errors naming the line.

The packaged schema is ours (``spec/actions-script.schema.json``), inferred from Callr's
pages and marked so: Callr publishes its own, which cannot be fetched here; a user who has
it loads it with ``callr-mock serve --actions-schema FILE``. An error is a 400
``invalid-script`` naming the YAML line and column of the value that breaks the schema and
the rule it breaks.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from ..base.errors import InvalidInput
from .rule_messages import explain

SCHEMA_NAME = "actions-script.schema.json"


def load_schema(path: str | None = None) -> dict[str, Any]:
    """The schema at ``path`` (JSON or YAML), or the packaged one."""
    if path is None:
        text = resources.files("callr_mock.spec").joinpath(SCHEMA_NAME).read_text(encoding="utf-8")
        return dict(json.loads(text))
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
        document = json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise ValueError(f"--actions-schema {path}: cannot read it ({error})") from None
    if not isinstance(document, dict):
        raise ValueError(f"--actions-schema {path}: not a JSON Schema (an object)")
    return document


class ScriptChecker:
    """A compiled script schema; call it with a script's text."""

    def __init__(self, schema: dict[str, Any]) -> None:
        try:
            self.validator = jsonschema_rs.validator_for(schema)
        except (ValueError, jsonschema_rs.ValidationError) as error:
            raise ValueError(f"not a usable JSON Schema: {error}") from None

    def __call__(self, script: str) -> None:
        document = yaml.safe_load(script)
        best = None
        for error in self.validator.iter_errors(document):
            if best is None or len(error.instance_path) > len(best.instance_path):
                best = error  # the deepest: the step, not the whole branch
        if best is None:
            return
        path = list(best.instance_path)
        line, column = _position(script, path)
        where = "/".join(str(part) for part in path) or "the script"
        raise InvalidInput(
            f"script line {line}, column {column} ({where}): {explain(best)}",
            code="invalid-script",
        )


@functools.cache
def packaged_checker() -> ScriptChecker:
    return ScriptChecker(load_schema())


def _position(script: str, path: list[Any]) -> tuple[int, int]:
    """Line and column (from 1) of the YAML node at ``path`` (its closest existing parent)."""
    node: Any = yaml.compose(script)
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1
