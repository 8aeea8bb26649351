"""The import graph of ``callr_mock``, read from the source (test helper).

Every ``import`` counts: module-level, inside a function, and under ``if TYPE_CHECKING:``
(a type-only import is still an arrow a reader and every tool follows). An edge goes to
the module named, or to the submodule when ``from package import submodule`` names one;
a relative import is resolved against the importing module's package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# folder → import name, as pyproject.toml's package-dir maps them
FOLDERS = {
    "mockserver": "callr_mock",
    "plugin": "callr_mock.plugin",
    "fixtures": "callr_mock.fixtures",
}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder, package in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def runtime_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The ``callr_mock`` modules ``name`` imports at run time."""
    return {t for t in all_runtime_imports(name, path, known) if t in known and t != name}


def all_runtime_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module ``name`` imports at run time, third-party ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return targets


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: runtime_imports(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found
