"""The sandbox clock as a test sees it (through the control API)."""

from __future__ import annotations

from datetime import datetime, timedelta

from callr_mock.state.timefmt import parse

from ._control import ControlClient


class Clock:
    """The sandbox clock, seen from a test. Shared by the whole server."""

    def __init__(self, control: ControlClient) -> None:
        self._control = control

    def now(self) -> datetime:
        return parse(self._control.clock()["now"])

    @property
    def mode(self) -> str:
        return str(self._control.clock()["mode"])

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move time forward and run every lifecycle step that became due; returns the new now."""
        amount = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        return parse(self._control.advance(amount)["now"])

    def freeze(self, at: datetime | str | None = None) -> datetime:
        """Stop time at ``at`` (default: now). Due work runs at once."""
        moment = parse(at) if isinstance(at, str) else at
        return parse(self._control.freeze(moment)["now"])

    def unfreeze(self) -> datetime:
        """Let time run again from where it stands."""
        return parse(self._control.unfreeze()["now"])
