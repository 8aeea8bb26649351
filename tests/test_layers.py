"""Layer rules of ARCHITECTURE.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATE = sorted((ROOT / "mockserver" / "state").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", STATE, ids=[p.name for p in STATE])
def test_state_modules_import_no_flask_nor_http_layer(path: Path) -> None:
    forbidden = {
        "flask",
        "werkzeug",
        "callr_mock.pipeline",
        "callr_mock.app",
        "callr_mock.resources",
        "callr_mock.contract",
    }
    bad = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"flask", "werkzeug"} or name in forbidden
    }
    assert not bad, f"{path.name} imports {bad}"


def test_resources_do_not_touch_flask_or_the_contract() -> None:
    for path in (ROOT / "mockserver" / "resources").glob("*.py"):
        bad = {
            n
            for n in imported_modules(path)
            if n.split(".")[0] in {"flask", "jsonschema", "jsonschema_rs", "openapi_core"}
        }
        assert not bad, f"{path.name} imports {bad}"


RULES_WITHOUT_FLASK = [
    *sorted((ROOT / "mockserver" / "proxy").glob("*.py")),
    ROOT / "mockserver" / "provenance.py",
]


@pytest.mark.parametrize("path", RULES_WITHOUT_FLASK, ids=[p.name for p in RULES_WITHOUT_FLASK])
def test_drift_and_spec_rules_import_no_flask(path: Path) -> None:
    bad = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"flask", "werkzeug"}
        or name in {"callr_mock.app", "callr_mock.pipeline"}
    }
    assert not bad, f"{path.name} imports {bad}"
