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


class SpecError(ValueError):
    """A spec file that cannot be served; the message names the file and the problem."""


def load_spec(path: str | Path | None = None) -> dict[str, Any]:
    """Parse the spec at ``path`` (YAML or JSON), or the packaged Callr v2 spec."""
    if path is None:
        text, name = packaged_spec_text(), DEFAULT_SPEC_NAME
    else:
        text, name = _read(Path(path)), str(path)
    try:
        if name.endswith(".json"):
            document = json.loads(text)
        else:
            document = yaml.load(text, Loader=_YAML_LOADER)
    except json.JSONDecodeError as error:
        raise SpecError(f"{name} line {error.lineno}: broken JSON: {error.msg}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise SpecError(f"{name}{where}: broken YAML: {problem}") from None
    if not isinstance(document, dict) or "paths" not in document:
        raise SpecError(f"{name} is not an OpenAPI document (it has no 'paths')")
    return document


def _read(path: Path) -> str:
    if not path.exists():
        raise SpecError(f"{path}: no such file")
    if path.is_dir():
        raise SpecError(f"{path} is a directory; name the OpenAPI file (YAML or JSON) in it")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{path} is not UTF-8 text (an OpenAPI file is YAML or JSON)") from None
    except OSError as error:
        raise SpecError(f"{path}: {error.strerror or error}") from None


def check_openapi(document: dict[str, Any], name: str) -> None:
    """Check a user's spec with openapi-spec-validator; SpecError names the first problem.

    Costs ~1 s on a spec the size of ours, so it runs for a spec a user names (``serve
    --spec``), not for the packaged one (checked by the test suite).
    """
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import (
        OpenAPIValidationError,
        ValidatorDetectError,
    )

    try:
        validate(document)
    except ValidatorDetectError:
        raise SpecError(
            f"{name}: no 'openapi: 3.x' (or 'swagger') version field, so it is not OpenAPI"
        ) from None
    except OpenAPIValidationError as error:
        where = "".join(
            f".{part}" if str(part).isidentifier() else f"[{str(part)!r}]"
            for part in error.absolute_path
        ).lstrip(".")
        problem = error.message.splitlines()[0] if error.message else "invalid"
        raise SpecError(
            f"{name} is not valid OpenAPI: at {where or 'the document root'}: {problem}"
        ) from None


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
