"""Callr Actions scenarios (issue: numbers, store and scenarios)."""

from __future__ import annotations

from callr_mock.state.repo import Repo


class ScenarioRepo(Repo):
    """Placeholder until the resource is built."""
