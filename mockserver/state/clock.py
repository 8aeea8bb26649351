"""The sandbox clock: real time (plus any offset) or frozen, advanced on demand.

Every lifecycle reads time from here, never from ``datetime.now()``, so tests that
freeze the clock see nothing move until they advance it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..base.errors import InvalidInput
from .codec import CodecError, load
from .timefmt import exact, iso

CLOCK_MODES = ("real", "frozen")
DEFAULT_FROZEN_START = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
# The instants the sandbox clock may show: wide enough for any test, far enough inside
# Python's years 1-9999 that every lifecycle's arithmetic (a reservation's 5 minutes, a
# retry's backoff, a date in a response) stays representable [ours].
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "clock-out-of-range"


def check_instant(at: datetime, what: str = "the sandbox clock") -> datetime:
    """``at`` in UTC; ``InvalidInput`` (400 ``clock-out-of-range``) outside the range."""
    at = at.astimezone(UTC)
    if not EARLIEST <= at < LATEST:
        raise InvalidInput(
            f"{what} must stay from {iso(EARLIEST)} to before {iso(LATEST)}, not {iso(at)}",
            code=OUT_OF_RANGE,
        )
    return at


def _plus(at: datetime, step: timedelta | float) -> datetime:
    try:
        return at + (step if isinstance(step, timedelta) else timedelta(seconds=step))
    except OverflowError:
        raise InvalidInput(
            f"the sandbox clock must stay before {iso(LATEST)}", code=OUT_OF_RANGE
        ) from None


class SandboxClock:
    def __init__(self, mode: str = "real", start: datetime | None = None) -> None:
        if mode not in CLOCK_MODES:
            raise ValueError(f"clock mode must be one of {CLOCK_MODES}, not {mode!r}")
        self._lock = threading.Lock()
        self.on_change: Callable[[], None] | None = None  # told when time jumps or stops/starts
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        self._start = (mode, start)  # what restart() goes back to
        if mode == "frozen":
            self._frozen_at = (start or DEFAULT_FROZEN_START).astimezone(UTC)
        elif start is not None:
            self._offset = start.astimezone(UTC) - datetime.now(UTC)

    @property
    def mode(self) -> str:
        return "frozen" if self._frozen_at is not None else "real"

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + self._offset

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop time at ``at`` (default: the current sandbox time)."""
        with self._lock:
            current = self._frozen_at or datetime.now(UTC) + self._offset
            self._frozen_at = check_instant(at or current, "the frozen time")
            frozen = self._frozen_at
        self._changed()
        return frozen

    def restart(self) -> datetime:
        """Back to the clock the server started with: its mode, and its start (real: the
        machine's time, or the given start's offset; frozen: the frozen start)."""
        mode, start = self._start
        with self._lock:
            if mode == "frozen":
                self._frozen_at, self._offset = (
                    (start or DEFAULT_FROZEN_START).astimezone(UTC),
                    timedelta(0),
                )
            else:
                self._frozen_at = None
                self._offset = start.astimezone(UTC) - datetime.now(UTC) if start else timedelta(0)
        self._changed()
        return self.now()

    def unfreeze(self) -> None:
        """Let time run again from where it stands (the offset keeps continuity)."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - datetime.now(UTC)
                self._frozen_at = None
        self._changed()

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            current = self._frozen_at or datetime.now(UTC) + self._offset
            now = check_instant(_plus(current, seconds), "the advanced clock")
            if self._frozen_at is not None:
                self._frozen_at = now
            else:
                self._offset = now - datetime.now(UTC)
        self._changed()
        return now

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def to_state(self) -> dict[str, Any]:
        """Frozen: the frozen time; real: the offset from the machine's clock, so a restored
        sandbox runs on from where real time has got to (as if it had never stopped)."""
        with self._lock:
            if self._frozen_at is not None:
                return {"mode": "frozen", "frozenAt": exact(self._frozen_at)}
            return {"mode": "real", "offsetSeconds": self._offset.total_seconds()}

    def load_state(self, data: dict[str, Any], where: str) -> None:
        mode = data.get("mode")
        if mode == "frozen":
            frozen_at: datetime | None = load(datetime, data["frozenAt"], f"{where}.frozenAt")
            offset = timedelta(0)
        elif mode == "real":
            frozen_at = None
            offset = timedelta(seconds=load(float, data["offsetSeconds"], f"{where}.offsetSeconds"))
        else:
            raise CodecError(f"{where}.mode: must be 'real' or 'frozen', not {mode!r}")
        try:
            check_instant(frozen_at or _plus(datetime.now(UTC), offset))
        except InvalidInput as error:
            raise CodecError(f"{where}: {error.message}") from None
        with self._lock:
            self._frozen_at, self._offset = frozen_at, offset
        self._changed()

    def describe(self) -> dict[str, str | None]:
        return {"mode": self.mode, "now": iso(self.now())}
