"""One style of registration for every table of the sandbox: a decorator marks a function
with the names it answers, a module lists the modules to read, and the table is built from
that list. Nothing registers itself by being imported, and a name given twice is an error.

Used for the REST handlers (operationIds), the control routes (control.yaml's
operationIds), the job kinds and task completions of the state rules.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Marks:
    """One kind of mark (``what``: how an error names it)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.attribute = "__callr_mock_" + "_".join(what.split()) + "__"

    def __call__(self, name: str) -> Callable[[F], F]:
        """Mark a function as the one for ``name`` (stack it for several)."""

        def mark(function: F) -> F:
            vars(function)[self.attribute] = (*vars(function).get(self.attribute, ()), name)
            return function

        return mark

    def table(self, modules: Iterable[ModuleType]) -> dict[str, Any]:
        """name → function, from the marked functions of ``modules``."""
        table: dict[str, Any] = {}
        for module in modules:
            for function in vars(module).values():
                if not inspect.isfunction(function) or function.__module__ != module.__name__:
                    continue
                for name in vars(function).get(self.attribute, ()):
                    if name in table:
                        raise ValueError(f"{self.what} {name!r} is given twice ({module.__name__})")
                    table[name] = function
        return table
