"""Base class of the per-account repositories (one per resource)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from callr_mock.state.store import AccountState

_creation_order = itertools.count()


def next_seq() -> int:
    """A process-wide creation sequence: the stable tie-breaker for sorting."""
    return next(_creation_order)


class Repo:
    """State of one resource for one account. Always used under the store lock."""

    def __init__(self, account: AccountState) -> None:
        self.account = account

    @property
    def store(self) -> Any:
        return self.account.store

    def snapshot(self) -> list[dict[str, Any]]:
        """Every object, as the API returns it."""
        return []

    def load(self, obj: dict[str, Any]) -> None:
        """Insert one object given as the API returns it (seed data)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be seeded yet")
