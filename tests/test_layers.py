"""The layers of ARCHITECTURE.md, checked on the source: the table there is the rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from import_graph import ROOT, all_runtime_imports, modules

NO_FLASK = {"flask", "werkzeug"}
SCHEMA_LIBRARIES = {"jsonschema", "jsonschema_rs", "openapi_core", "openapi_spec_validator"}
THIRD_PARTY_RULES = {
    "base": NO_FLASK,
    "state": NO_FLASK | SCHEMA_LIBRARIES,
    "contract": NO_FLASK,
    "handlers": NO_FLASK | SCHEMA_LIBRARIES,
    "services": NO_FLASK,
    "proxy": NO_FLASK,
}


def layer_table() -> list[tuple[str, list[str], set[str]]]:
    """(layer, module prefixes, layers it may import) from the table of ARCHITECTURE.md.

    A folder is named as it stands in the tree (``state/`` is ``mockserver/state/``,
    ``plugin/`` the plugin's own folder); a file by its path in ``mockserver/``."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("layer", "") or set(cells[0]) <= {"-", " "}:
            continue
        paths = [p for p in re.findall(r"`([^`]+)`", cells[1]) if not p.startswith("callr_mock")]
        prefixes = []
        for path in paths:
            if path in ("plugin/", "fixtures/"):
                prefixes.append(f"callr_mock.{path.rstrip('/')}")
            elif path.endswith("/"):
                prefixes.append("callr_mock." + path.rstrip("/").replace("/", "."))
            elif path == "__init__.py":
                prefixes.append("callr_mock")
            else:
                prefixes.append("callr_mock." + path.removesuffix(".py").replace("/", "."))
        allowed = {name.strip() for name in cells[2].split(",")} - {"—", ""}
        rows.append((cells[0], prefixes, allowed))
    return rows


LAYERS = layer_table()
MODULES = modules()


def layer_of(module: str) -> str | None:
    """The layer whose row names the module, its package or the closest folder."""
    best: tuple[int, str] | None = None
    for layer, prefixes, _ in LAYERS:
        for prefix in prefixes:
            exact = module == prefix
            inside = module.startswith(prefix + ".") and prefix != "callr_mock"
            if (exact or inside) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer)
    return best[1] if best else None


def test_the_table_is_read() -> None:
    names = [layer for layer, _, _ in LAYERS]
    assert names[:3] == ["base", "state", "contract"] and "plugin" in names
    assert layer_of("callr_mock.state.store") == "state"
    assert layer_of("callr_mock.contract.formats") == "contract"
    assert layer_of("callr_mock.plugin.handle") == "plugin"
    assert layer_of("callr_mock") == "running"


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in MODULES if layer_of(m) is None)
    assert not missing, f"add these modules to the layer table of ARCHITECTURE.md: {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_the_layers_it_may(module: str) -> None:
    layer = layer_of(module)
    assert layer is not None
    allowed = {layer} | next(a for name, _, a in LAYERS if name == layer)
    imported = all_runtime_imports(module, MODULES[module], set(MODULES))
    bad = sorted(
        f"{target} ({layer_of(target)})"
        for target in imported
        if target in MODULES and target != module and layer_of(target) not in allowed
    )
    assert not bad, f"{module} ({layer}) imports {bad}"
    forbidden = THIRD_PARTY_RULES.get(layer, set())
    bad_libraries = sorted(t for t in imported if t.split(".")[0] in forbidden)
    assert not bad_libraries, f"{module} ({layer}) imports {bad_libraries}"


def test_a_state_module_importing_the_contract_layer_is_caught(tmp_path: Path) -> None:
    source = tmp_path / "bad.py"
    source.write_text("from callr_mock.contract.formats import is_sid\n", encoding="utf-8")
    imported = all_runtime_imports("callr_mock.state.bad", source, set(MODULES))
    assert {layer_of(t) for t in imported} == {"contract"}
