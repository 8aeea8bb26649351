"""What a REST handler gets and gives: a ``Call`` and a ``Reply``; ``@handles`` marks it.

A handler receives a :class:`Call` (validated parameters, the account, the store)
and returns a :class:`Reply`. Rules live in ``callr_mock.state``; handlers only
translate between the two. ``@handles("operationId")`` marks a function; ``load_handlers()`` builds a fresh
table for each app (``Runtime.handlers``) from the modules it lists: there is no shared
registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...base.errors import InvalidInput
from ...base.marks import Marks
from ...state.store import AccountState, Store
from ...state.timefmt import parse


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
    return HANDLER_MARKS(operation_id)


HANDLER_MARKS = Marks("REST handler")
