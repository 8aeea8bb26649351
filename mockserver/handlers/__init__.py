"""What answers a call: the REST v2 handlers (``rest/``) and the legacy JSON-RPC methods
(``legacy/``).

Registration has one style everywhere (REST handlers, legacy methods, control routes): a
decorator marks a function with the names it answers, a package lists its modules in a
tuple, and the table is built from that list (``marked``). Nothing registers itself by
being imported.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
MARKS = "__callr_mock_answers__"
"""The attribute a mark sets on a function: the names (operationIds, methods) it answers."""


def answers(name: str) -> Callable[[F], F]:
    """Mark a function as the answer to ``name`` (stack it for several)."""

    def mark(function: F) -> F:
        vars(function)[MARKS] = (*vars(function).get(MARKS, ()), name)
        return function

    return mark


def marked(modules: Iterable[ModuleType]) -> dict[str, Any]:
    """name → function, from the marked functions of ``modules``; a name twice is an error."""
    table: dict[str, Any] = {}
    for module in modules:
        for function in vars(module).values():
            if not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            for name in vars(function).get(MARKS, ()):
                if name in table:
                    raise ValueError(f"{name} is answered twice ({module.__name__})")
                table[name] = function
    return table
