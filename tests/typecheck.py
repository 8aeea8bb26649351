"""Type-check callr-mock with mypy on any install, the plain editable one included.

The package's folders do not carry its import names (``mockserver/`` is ``callr_mock``,
``plugin/`` is ``callr_mock.plugin``, see ``package-dir`` in ``pyproject.toml``). An
editable install maps them with an import hook, which mypy cannot follow, so mypy would
see no ``callr_mock`` at all and every ``type: ignore`` about it would read as unused. This
builds the mapping as a tree of symbolic links (``build/mypy-tree/callr_mock/...``, brought
up to date on every run, so a new module is never missed) and puts it on ``MYPYPATH``.

    python tests/typecheck.py          # the package, then the tests and examples
    python tests/typecheck.py package  # mypy -p callr_mock only
    python tests/typecheck.py tests    # the tests and examples only (run from tests/)

``tests/test_typing.py`` runs both in the suite; ``.pre-commit-config.yaml`` runs this file.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "mypy-tree"


def package_dirs() -> dict[str, Path]:
    """The import name of each package folder, as ``pyproject.toml`` declares it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = config["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in mapping.items()}


def build_tree(tree: Path = TREE) -> Path:
    """Lay the packages out under their import names, as links to the real files.

    Brought up to date in place (a link whose file is gone is removed, a new file gets its
    link), so that two runs at once (pytest-xdist) never see a half-made tree."""
    for name, folder in sorted(package_dirs().items()):
        target = tree.joinpath(*name.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for link in target.iterdir():
            if link.is_symlink() and not link.exists():
                link.unlink(missing_ok=True)
        for entry in folder.iterdir():
            if entry.name == "__pycache__" or (target / entry.name).is_symlink():
                continue
            if (target / entry.name).is_dir():  # a sub-package of its own, mapped above
                continue
            with contextlib.suppress(FileExistsError):
                (target / entry.name).symlink_to(entry)
    return tree


def run(which: str) -> subprocess.CompletedProcess[str]:
    """Run one of the two checks; the answer carries mypy's output."""
    env = {**os.environ, "MYPYPATH": str(build_tree())}
    mypy = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    if which == "package":
        return subprocess.run(
            [*mypy, "-p", "callr_mock"], cwd=ROOT, env=env, capture_output=True, text=True
        )
    # The tests import their helpers bare (``from webhook_receiver import ...``): run there.
    return subprocess.run(
        [*mypy, ".", "../examples"], cwd=ROOT / "tests", env=env, capture_output=True, text=True
    )


def main(argv: list[str]) -> int:
    checks = argv or ["package", "tests"]
    status = 0
    for which in checks:
        if which not in ("package", "tests"):
            print(f"typecheck: unknown check {which!r} (package or tests)", file=sys.stderr)
            return 2
        done = run(which)
        sys.stdout.write(done.stdout + done.stderr)
        status = status or done.returncode
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
