"""Webhook subscriptions."""

from __future__ import annotations

from callr_mock.state.repo import Repo


class WebhookRepo(Repo):
    """Placeholder until the resource is built."""
