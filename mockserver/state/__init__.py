"""Per-account sandbox state. Nothing in this package imports Flask.

Each resource has one module here holding its rules (a dataclass or two and a
repository); the HTTP handlers in ``callr_mock.resources`` stay thin and call
into these.
"""

from callr_mock.state.clock import SandboxClock
from callr_mock.state.errors import ApiError
from callr_mock.state.store import AccountState, Store

__all__ = ["AccountState", "ApiError", "SandboxClock", "Store"]
