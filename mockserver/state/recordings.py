"""Call recordings."""

from __future__ import annotations

from callr_mock.state.repo import Repo


class RecordingRepo(Repo):
    """Placeholder until the resource is built."""
