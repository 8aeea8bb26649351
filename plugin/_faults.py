"""Handles of the faults and rate limits a test sets (``callr_mock.fault()``,
``callr_mock.rate_limit()``), over the control API (``/_mock/faults``, ``/_mock/rate-limits``)."""

from __future__ import annotations

from typing import Any

from ._control import CallrMockError, ControlClient


class InjectedFault:
    """A fault injected for one test (``callr_mock.fault(...)``): ``id``, ``hits``, ``remove()``."""

    def __init__(self, control: ControlClient, created: dict[str, Any]) -> None:
        self._control = control
        self.id: str = created["id"]
        self.created = created

    def info(self) -> dict[str, Any]:
        """The fault as the server sees it now (``hits``, ``active``...)."""
        for fault in self._control.faults(self.created.get("account")):
            if fault["id"] == self.id:
                return fault
        raise CallrMockError(f"fault {self.id} is gone (removed, or the server was reset)")

    @property
    def hits(self) -> int:
        """How many requests it has hit so far."""
        return int(self.info()["hits"])

    def remove(self) -> None:
        self._control.remove_fault(self.id)

    def __repr__(self) -> str:
        return f"InjectedFault({self.created!r})"


class RateLimitHandle:
    """A rate limit set for one test (``callr_mock.rate_limit(...)``): ``id``, ``remove()``."""

    def __init__(self, control: ControlClient, created: dict[str, Any]) -> None:
        self._control = control
        self.id: str = created["id"]
        self.created = created

    def remove(self) -> None:
        self._control.remove_rate_limit(self.id)

    def __repr__(self) -> str:
        return f"RateLimitHandle({self.created!r})"
