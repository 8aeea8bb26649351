"""The package, the tests and the examples type-check (mypy, with ``warn_unused_ignores``).

In the suite rather than only in CI so that a change that breaks it is seen before it
lands, and on the plain editable install the README gives: ``typecheck.py`` shows mypy the
package under its import names (see that module).
"""

from __future__ import annotations

import importlib.util

import pytest
import typecheck

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None, reason="mypy is a dev extra"
)


def test_the_package_type_checks() -> None:
    done = typecheck.run("package")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_tests_and_examples_type_check() -> None:
    done = typecheck.run("tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_server_type_checks_from_its_folder_on_any_install(tmp_path: object) -> None:
    """Imports inside ``mockserver/`` are relative: mypy reads the folder as it is, with no
    link tree and no install (what the house asks of every tool)."""
    import subprocess
    import sys

    root = typecheck.ROOT
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            str(root / "mockserver"),
            "--config-file",
            str(root / "pyproject.toml"),
            "--cache-dir",
            str(root / "build" / "mypy-cache-folder"),
        ],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
