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
