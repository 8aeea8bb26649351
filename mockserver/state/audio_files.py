"""Audio files and their conversion lifecycle."""

from __future__ import annotations

from callr_mock.state.repo import Repo


class AudioFileRepo(Repo):
    """Placeholder until the resource is built."""
