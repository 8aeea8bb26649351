"""Per-account sandbox state. Nothing in this package imports Flask.

Each resource has one module here holding its rules (a dataclass or two and a
repository); the HTTP handlers in ``callr_mock.handlers.rest`` stay thin and call
into these.
"""

from ..base.errors import ApiError
from .clock import SandboxClock
from .store import AccountState, Store

__all__ = ["AccountState", "ApiError", "SandboxClock", "Store"]
