"""Thin HTTP handlers, one module per spec tag, registered by operationId.

A handler receives a :class:`Call` (validated parameters, the account, the store)
and returns a :class:`Reply`. Rules live in ``callr_mock.state``; handlers only
translate between the two.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from callr_mock.state.errors import InvalidInput
from callr_mock.state.store import AccountState, Store
from callr_mock.state.timefmt import parse

RESOURCE_MODULES = (
    "system",
    "actions",
    "numbers",
    "number_store",
    "sms",
    "tasks",
    "calls",
    "billing",
    "audio_files",
    "recordings",
    "webhooks",
)


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
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    """Register a handler for one spec operation."""

    def register(function: Handler) -> Handler:
        existing = HANDLERS.get(operation_id)
        if existing is not None and existing.__qualname__ != function.__qualname__:
            # (the same function again is a module re-import, e.g. in pytester runs)
            raise ValueError(f"two handlers for {operation_id}")
        HANDLERS[operation_id] = function
        return function

    return register


def load_handlers() -> dict[str, Handler]:
    for name in RESOURCE_MODULES:
        importlib.import_module(f"callr_mock.resources.{name}")
    return HANDLERS
