"""Control routes for sms."""

from __future__ import annotations

from callr_mock.control import blueprint  # noqa: F401
