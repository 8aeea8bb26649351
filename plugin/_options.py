"""What the plugin's options and a test's marker ask for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DEFAULT_FROZEN_START = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@dataclass
class PluginOptions:
    """The resolved ``--callr-mock-*`` options / ``callr_mock_*`` ini keys."""

    spec: str | None = None
    seed: str | None = None
    url: str | None = None
    strict: bool = True
    clock: str = "frozen"
    vary: int | None = None  # --callr-mock-vary: base seed of each test's variation


@dataclass
class TestSettings:
    """What one test asks for (options, overridden by ``@pytest.mark.callr_mock``)."""

    seed: str | dict[str, Any] | None = None
    clock: str = "frozen"
    now: datetime | None = None
    credit: str | None = None
    vary: int | None = None  # seed of this test's contract-valid variation (None: off)
