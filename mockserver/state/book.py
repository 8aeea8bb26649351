"""An ordered book of injected behaviours (faults, rate limits): each has an ``id`` and the
``account`` it belongs to (``None``: every account); listed, removed and cleared alike."""

from __future__ import annotations

import threading
from typing import Any, Generic, Protocol, TypeVar

from ..base.errors import NotFound
from .codec import dump, load


class Entry(Protocol):
    id: str
    account: str | None


E = TypeVar("E", bound=Entry)


class Book(Generic[E]):
    noun = "entry"  # "fault" → ids fault-1, fault-2, ... and "no fault 'x'"
    entry_type: type  # the dataclass of the entries (state files read them as that)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[E] = []
        self._last_id = 0

    def _next_id(self) -> str:
        self._last_id += 1
        return f"{self.noun.replace(' ', '-')}-{self._last_id}"

    def list(self, account: str | None = None) -> list[E]:
        with self._lock:
            return [e for e in self._entries if account is None or e.account == account]

    def remove(self, entry_id: str) -> None:
        with self._lock:
            for entry in self._entries:
                if entry.id == entry_id:
                    self._entries.remove(entry)
                    return
        raise NotFound(f"no {self.noun} {entry_id!r}")

    def clear(self, account: str | None = None) -> int:
        """Remove every entry (or those of ``account``); returns how many went."""
        with self._lock:
            kept = [e for e in self._entries if account is not None and e.account != account]
            removed = len(self._entries) - len(kept)
            self._entries = kept
            self._forget(account)
            return removed

    # -- state files ---------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        with self._lock:
            return {"lastId": self._last_id, "entries": [dump(e) for e in self._entries]}

    def load_state(self, data: dict[str, Any], where: str) -> None:
        entries = load(list.__class_getitem__(self.entry_type), data["entries"], f"{where}.entries")
        last = load(int, data["lastId"], f"{where}.lastId")
        with self._lock:
            self._entries, self._last_id = entries, last

    def _forget(self, account: str | None) -> None:
        """What else to drop when ``account`` (``None``: everything) is cleared; under the lock."""
