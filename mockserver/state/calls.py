"""Call detail records (CDRs) added by the control API, and their export."""

from __future__ import annotations

from callr_mock.state.repo import Repo


class CallRepo(Repo):
    """Placeholder until the resource is built."""
