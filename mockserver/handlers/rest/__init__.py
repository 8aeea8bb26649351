"""Thin HTTP handlers, one module per spec tag, marked by operationId.

A handler receives a :class:`Call` (validated parameters, the account, the store)
and returns a :class:`Reply`. Rules live in ``callr_mock.state``; handlers only
translate between the two. ``@handles("operationId")`` marks a function; the modules of
this package are discovered and ``load_handlers()`` builds a fresh table for each app
(``Runtime.handlers``): there is no shared registry.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...base.errors import InvalidInput
from ...state.store import AccountState, Store
from ...state.timefmt import parse

OPERATIONS = "__callr_operations__"
"""The attribute ``@handles`` sets: the operationIds a function handles."""


@dataclass
class Call:
    """One validated request, as a handler sees it."""

    operation_id: str
    account: AccountState
    store: Store
    path: dict[str, Any]
    query: dict[str, Any]
    body: Any
    content_type: str | None
    files: dict[str, Any] = field(default_factory=dict)
    base_url: str = ""

    def date(self, name: str) -> datetime | None:
        """An RFC 3339 query parameter (already format-checked) as UTC, or None when absent."""
        if name not in self.query:
            return None
        try:
            return parse(self.query[name])
        except ValueError as error:
            raise InvalidInput(f"{name}: not a valid RFC 3339 date-time ({error})") from None


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    """Mark a function as the handler of one spec operation (stack it for several)."""

    def mark(function: Handler) -> Handler:
        operations = vars(function).get(OPERATIONS, ())
        vars(function)[OPERATIONS] = (*operations, operation_id)
        return function

    return mark


def resource_modules() -> list[str]:
    """The handler modules: every module of this package."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__))


def load_handlers() -> dict[str, Handler]:
    """A fresh table operationId → handler, from every handler module."""
    handlers: dict[str, Handler] = {}
    for name in resource_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        for function in vars(module).values():
            if not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            for operation_id in vars(function).get(OPERATIONS, ()):
                if operation_id in handlers:
                    raise ValueError(f"two handlers for {operation_id}")
                handlers[operation_id] = function
    return handlers
