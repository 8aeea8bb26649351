"""Rate limits counted on the sandbox clock.

Callr documents no rate limit for REST v2 (its legacy SDKs throttled themselves to one
request per second), so the sandbox has none unless a test adds one. A limit allows
``requests`` requests per ``per_seconds`` seconds in a sliding window, counted per account
(a limit without ``account`` gives every account its own budget, so parallel test workers
never eat each other's). Refused requests do not count. Time is the sandbox clock: with a
frozen clock a test advances past the window instead of sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..base.errors import InvalidInput
from .book import Book
from .faults import check_fields

RATE_LIMIT_FIELDS = {
    "account": "the account sid it limits (default: each account, with its own budget)",
    "operation": "an operationId, or jsonrpc:<method> (default: all operations together)",
    "requests": "requests allowed per window (>= 1)",
    "per_seconds": "length of the window in sandbox-clock seconds (> 0)",
}


@dataclass
class RateLimit:
    id: str
    account: str | None
    operation: str | None
    requests: int
    per_seconds: float
    _hits: dict[str, deque[datetime]] = field(default_factory=dict, repr=False)

    def applies_to(self, account: str, operation: str) -> bool:
        return (self.account is None or self.account == account) and (
            self.operation is None or self.operation == operation
        )

    def _window(self, account: str, now: datetime) -> deque[datetime]:
        hits = self._hits.setdefault(account, deque())
        start = now - timedelta(seconds=self.per_seconds)
        while hits and hits[0] <= start:
            hits.popleft()
        return hits

    def wait(self, account: str, now: datetime) -> int:
        """Seconds until a request is allowed again (0: allowed now)."""
        hits = self._window(account, now)
        if len(hits) < self.requests:
            return 0
        until = hits[0] + timedelta(seconds=self.per_seconds) - now
        return max(1, math.ceil(until.total_seconds()))

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "operation": self.operation,
            "requests": self.requests,
            "per_seconds": self.per_seconds,
        }


class RateLimits(Book[RateLimit]):
    noun = "rate limit"
    entry_type = RateLimit

    def add(self, data: dict[str, Any], account: str | None, operation: str | None) -> RateLimit:
        """``account`` and ``operation`` already checked (``faults.target``)."""
        check_fields(data, RATE_LIMIT_FIELDS, "rate limit")
        requests = data.get("requests")
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            raise InvalidInput(f"'requests' must be an integer >= 1, not {requests!r}")
        per = data.get("per_seconds")
        if isinstance(per, bool) or not isinstance(per, int | float) or not 0 < per <= 86_400:
            raise InvalidInput(f"'per_seconds' must be a number > 0 and <= 86400, not {per!r}")
        with self._lock:
            limit = RateLimit(self._next_id(), account, operation, requests, per)
            self._entries.append(limit)
            return limit

    def _forget(self, account: str | None) -> None:
        if account is not None:
            for limit in self._entries:
                limit._hits.pop(account, None)

    def check(self, account: str, operation: str, now: datetime) -> tuple[RateLimit, int] | None:
        """The limit that refuses this request and its Retry-After; else count it everywhere."""
        with self._lock:
            matching = [r for r in self._entries if r.applies_to(account, operation)]
            refusals = [(r, r.wait(account, now)) for r in matching]
            refused = [(r, wait) for r, wait in refusals if wait]
            if refused:
                return max(refused, key=lambda pair: pair[1])
            for limit in matching:
                limit._hits.setdefault(account, deque()).append(now)
            return None
