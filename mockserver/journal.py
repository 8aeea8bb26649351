"""The request journal and the log of contract violations (thread-safe, bounded)."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class JournalEntry:
    seq: int
    time: str | None
    method: str
    path: str
    query: str
    status: int
    account: str | None
    operation: str | None
    duration_ms: float
    violations: list[str] = field(default_factory=list)


@dataclass
class Violation:
    seq: int
    request_seq: int | None
    account: str | None
    operation: str | None
    method: str
    path: str
    status: int | None
    message: str


class Journal:
    def __init__(self, limit: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.entries: deque[JournalEntry] = deque(maxlen=limit)
        self.violations: deque[Violation] = deque(maxlen=limit)

    def next_seq(self) -> int:
        return next(self._seq)

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self.entries.append(entry)

    def violation(self, violation: Violation) -> None:
        with self._lock:
            self.violations.append(violation)

    def list_entries(self, account: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [
                asdict(e)
                for e in self.entries
                if e.seq > since and (account is None or e.account == account)
            ]

    def list_violations(self, account: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [
                asdict(v)
                for v in self.violations
                if v.seq > since and (account is None or v.account == account)
            ]

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.violations.clear()
