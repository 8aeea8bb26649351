"""callr-mock: a contract-testing mock of the Callr REST API v2.

Public surface: :func:`create_app`, :class:`MockServer`, :class:`Settings`,
:class:`Store`. Imported lazily, so the pytest plugin that every test run of an
installing project loads stays cheap until a fixture is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import _moved
from .base.version import __version__

_EXPORTS = {
    "DEMO_ACCOUNT_SID": "callr_mock.base.settings",
    "DEMO_API_KEY": "callr_mock.base.settings",
    "Settings": "callr_mock.base.settings",
    "MockServer": "callr_mock.running.server",
    "Store": "callr_mock.state.store",
    "create_app": "callr_mock.web.app",
    "runtime_of": "callr_mock.web.frame.runtime",
}
__all__ = [*sorted(_EXPORTS), "__version__"]

_moved.install()

if TYPE_CHECKING:
    from .base.settings import DEMO_ACCOUNT_SID as DEMO_ACCOUNT_SID
    from .base.settings import DEMO_API_KEY as DEMO_API_KEY
    from .base.settings import Settings as Settings
    from .running.server import MockServer as MockServer
    from .state.store import Store as Store
    from .web.app import create_app as create_app
    from .web.frame.runtime import runtime_of as runtime_of


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'callr_mock' has no attribute {name!r}")
