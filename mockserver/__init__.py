"""callr-mock: a contract-testing mock of the Callr REST API v2.

Public surface: :func:`create_app`, :class:`MockServer`, :class:`Settings`,
:class:`Store`.
"""

from callr_mock.app import create_app, runtime_of
from callr_mock.server import MockServer
from callr_mock.settings import DEMO_ACCOUNT_SID, DEMO_API_KEY, Settings
from callr_mock.state.store import Store

__version__ = "0.1.0"
__all__ = [
    "DEMO_ACCOUNT_SID",
    "DEMO_API_KEY",
    "MockServer",
    "Settings",
    "Store",
    "__version__",
    "create_app",
    "runtime_of",
]
