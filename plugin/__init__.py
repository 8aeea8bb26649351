"""callr-mock's pytest kit (``callr_mock.plugin``, from the ``plugin/`` folder).

The public surface, importable from here: the per-test handle and its parts
(``CallrMock``, ``CallrClient``, ``Credentials``, ``Clock``, ``SessionServer``,
``CallrMockError``, ``CallrMockViolationWarning``, ``InjectedFault``, ``RateLimitHandle``),
the webhook receiver
(``WebhookReceiver``, ``ReceivedRequest``), the migration helpers (``LegacyClient``,
``assert_parity``, ``diff_parity``, ``legacy_to_rest``, ``Parity``), the Faker provider
(``CallrProvider``) and the Hypothesis ``strategies`` module::

    from . import CallrClient, CallrMock, strategies

    def test_ping(callr_mock: CallrMock, callr_client: CallrClient) -> None: ...

Names load lazily: pytest imports this package for every run of a project that has
callr-mock installed, and that must stay cheap until a fixture is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CallrClient": "callr_mock.plugin._client",
    "Credentials": "callr_mock.plugin._client",
    "Clock": "callr_mock.plugin._clock",
    "CallrMockError": "callr_mock.plugin._control",
    "InjectedFault": "callr_mock.plugin._faults",
    "RateLimitHandle": "callr_mock.plugin._faults",
    "SessionServer": "callr_mock.plugin._session",
    "CallrMock": "callr_mock.plugin.handle",
    "CallrMockViolationWarning": "callr_mock.plugin.handle",
    "WebhookReceiver": "callr_mock.plugin.receiver",
    "ReceivedRequest": "callr_mock.plugin.receiver",
    "LegacyClient": "callr_mock.plugin.parity",
    "LegacyError": "callr_mock.plugin.parity",
    "Parity": "callr_mock.plugin.parity",
    "ParityError": "callr_mock.plugin.parity",
    "assert_parity": "callr_mock.plugin.parity",
    "diff_parity": "callr_mock.plugin.parity",
    "legacy_to_rest": "callr_mock.plugin.parity",
    "CallrProvider": "callr_mock.plugin.faker_provider",
}
__all__ = sorted([*_EXPORTS, "strategies"])

if TYPE_CHECKING:
    from . import strategies as strategies
    from ._client import CallrClient as CallrClient
    from ._client import Credentials as Credentials
    from ._clock import Clock as Clock
    from ._control import CallrMockError as CallrMockError
    from ._faults import InjectedFault as InjectedFault
    from ._faults import RateLimitHandle as RateLimitHandle
    from ._session import SessionServer as SessionServer
    from .faker_provider import CallrProvider as CallrProvider
    from .handle import CallrMock as CallrMock
    from .handle import CallrMockViolationWarning as CallrMockViolationWarning
    from .parity import LegacyClient as LegacyClient
    from .parity import LegacyError as LegacyError
    from .parity import Parity as Parity
    from .parity import ParityError as ParityError
    from .parity import assert_parity as assert_parity
    from .parity import diff_parity as diff_parity
    from .parity import legacy_to_rest as legacy_to_rest
    from .receiver import ReceivedRequest as ReceivedRequest
    from .receiver import WebhookReceiver as WebhookReceiver


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return import_module("callr_mock.plugin.strategies")
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'callr_mock.plugin' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
