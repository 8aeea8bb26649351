"""The request journal and the log of contract violations (thread-safe, bounded).

``Journal.record`` is the one writer: the REST pipeline and the legacy endpoint (both
through ``pipeline.record_exchange``) and webhook delivery record an exchange together
with the violations it committed.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

# The journal's ``operation`` of a legacy JSON-RPC call: this prefix and the method name.
LEGACY_OPERATION_PREFIX = "jsonrpc:"


@dataclass(kw_only=True)
class JournalEntry:
    seq: int = 0  # given by the journal when the entry is recorded
    time: str | None
    method: str
    path: str
    query: str
    status: int | None  # None: no answer (an injected fault dropped the connection)
    account: str | None
    operation: str | None
    duration_ms: float
    violations: list[str] = field(default_factory=list)
    injected: dict[str, Any] | None = None  # the fault or rate limit that made this answer
    # a refused request (4xx/5xx): the Callr error body it got (code, message: the rule broken)
    error: dict[str, Any] | None = None


@dataclass(kw_only=True)
class Violation:
    seq: int = 0  # given by the journal when the violation is recorded
    request_seq: int | None = None
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

    def record(self, entry: JournalEntry, violations: list[Violation] | None = None) -> None:
        """Append an entry and the violations it committed, numbered as they land.

        Numbers are given here, under the lock, never before the work is done: an entry
        numbered at the start of a slow request would land behind later ones, and a
        reader's ``since`` cursor would skip it.
        """
        with self._lock:
            entry.seq = next(self._seq)
            self.entries.append(entry)
            for violation in violations or []:
                violation.seq = next(self._seq)
                violation.request_seq = entry.seq
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
