"""Work due at a sandbox time: lifecycle steps, reservation expiry, webhook retries.

``run_due(now)`` runs every job whose time has come, earliest first (ties in the
order they were scheduled). A job receives its own due time, so the timestamps it
records do not depend on when somebody happened to look.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

Job = Callable[[datetime], None]


@dataclass(eq=False)
class _Entry:
    due: datetime
    seq: int
    job: Job
    owner: str = ""
    cancelled: bool = False


class Scheduler:
    """Not thread-safe by itself: the Store calls it under its lock."""

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        # (due, seq, entry): plain tuples compare far faster than an ordered dataclass
        self._heap: list[tuple[datetime, int, _Entry]] = []
        self._seq = itertools.count()
        self.on_change = on_change  # told when a job is added (the real-clock ticker wakes)

    def schedule(self, due: datetime, job: Job, *, owner: str = "") -> _Entry:
        entry = _Entry(due, next(self._seq), job, owner)
        heapq.heappush(self._heap, (due, entry.seq, entry))
        if self.on_change is not None and self._heap[0][2] is entry:
            self.on_change()  # only an earlier first job changes when the ticker must wake
        return entry

    def run_due(self, now: datetime) -> int:
        ran = 0
        while self._heap and self._heap[0][0] <= now:
            entry = heapq.heappop(self._heap)[2]
            if not entry.cancelled:
                entry.job(entry.due)
                ran += 1
        return ran

    def drop_owner(self, owner: str) -> None:
        """Forget the pending jobs of one account (when it is deleted or reset)."""
        for _, _, entry in self._heap:
            if entry.owner == owner:
                entry.cancelled = True

    def clear(self) -> None:
        self._heap.clear()

    def pending(self) -> int:
        return sum(1 for _, _, entry in self._heap if not entry.cancelled)

    def next_due(self) -> datetime | None:
        """When the earliest live job is due (the ticker sleeps until then), or None."""
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None
