"""The tests and examples type-check (mypy, with ``warn_unused_ignores``).

In the suite rather than only in CI so that a change that breaks it is seen before it
lands. The tests import their helpers bare (``from webhook_receiver import ...``), so mypy
runs from ``tests/``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is a dev extra")
def test_the_tests_and_examples_type_check() -> None:
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        "../pyproject.toml",
        ".",
        "../examples",
    ]
    done = subprocess.run(command, cwd=ROOT / "tests", capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
