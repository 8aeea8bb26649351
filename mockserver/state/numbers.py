"""Owned phone numbers and their scenario link."""

from __future__ import annotations

from callr_mock.state.repo import Repo


class NumberRepo(Repo):
    """Placeholder until the resource is built."""
