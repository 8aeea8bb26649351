"""SMS messages, outbound lifecycle and inbound replies."""

from __future__ import annotations

from callr_mock.state.repo import Repo


class SmsRepo(Repo):
    """Placeholder until the resource is built."""
