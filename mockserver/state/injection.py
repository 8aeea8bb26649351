"""What the sandbox does to one request instead of simply answering it.

``decide`` looks at the rate limits first (a refused request consumes no fault), then at
the faults, and returns an :class:`Injection` or ``None``. The HTTP layer applies it: sleep
``latency_ms``, then either answer ``error()`` (with ``headers``) at once, or, when
``after`` is set, run the operation first and replace its answer; ``drop`` closes the
connection instead of answering. ``mark`` goes into the request journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..base.errors import ApiError
from .faults import DEFAULT_CODE, FaultBook
from .rate_limits import RateLimits

TOO_MANY_REQUESTS = "too-many-requests"


@dataclass
class Injection:
    kind: str  # "fault" | "rate-limit"
    id: str
    status: int | None = None
    code: str = DEFAULT_CODE
    message: str = ""
    latency_ms: int = 0
    drop: bool = False
    after: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def replaces_answer(self) -> bool:
        """False for a latency-only fault: the real answer goes out, late."""
        return self.drop or self.status is not None

    def error(self) -> ApiError:
        return ApiError(self.message, code=self.code, status=self.status or 503)

    def mark(self) -> dict[str, Any]:
        mark: dict[str, Any] = {"kind": self.kind, "id": self.id}
        if self.status is not None and not self.drop:
            mark["status"] = self.status
        if self.latency_ms:
            mark["latency_ms"] = self.latency_ms
        if self.drop:
            mark["drop"] = True
        if self.after:
            mark["after"] = True
        return mark


def decide(
    faults: FaultBook,
    limits: RateLimits,
    *,
    account: str,
    operation: str,
    method_path: str,
    now: datetime,
) -> Injection | None:
    refused = limits.check(account, operation, now)
    if refused is not None:
        limit, wait = refused
        return Injection(
            "rate-limit",
            limit.id,
            status=429,
            code=TOO_MANY_REQUESTS,
            message=(
                f"rate limit {limit.id}: {limit.requests} request(s) per {limit.per_seconds:g} s "
                f"exceeded; retry in {wait} s"
            ),
            headers={"Retry-After": str(wait)},
        )
    fault = faults.match(account, operation)
    if fault is None:
        return None
    return Injection(
        "fault",
        fault.id,
        status=fault.status,
        code=fault.code,
        message=fault.error_message(method_path),
        latency_ms=fault.latency_ms,
        drop=fault.drop,
        after=fault.after,
    )
