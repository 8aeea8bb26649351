"""The session server: the mock the session's tests talk to (in-process or external)."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callr_mock.base.wire import API_PREFIX

from ._control import (
    CallrMockError,
    ControlClient,
    _FlaskTransport,
    _HttpTransport,
)
from ._options import PluginOptions

if TYPE_CHECKING:
    from callr_mock.contract.compiled import Contract
    from callr_mock.running.server import MockServer
    from callr_mock.web.frame.runtime import Runtime


@dataclass
class Stats:
    startup_seconds: float | None = None
    accounts: int = 0
    setup_seconds: float = 0.0
    teardown_seconds: float = 0.0


class SessionServer:
    """The server the session's tests talk to: started in-process, or an external URL."""

    def __init__(self, options: PluginOptions) -> None:
        self.options = options
        self.stats = Stats()
        self.accounts: list[str] = []  # the test accounts this run created (coverage)
        self.mock: MockServer | None = None
        self._contract: Contract | None = None
        started = time.perf_counter()
        if options.url:
            self.url = options.url.rstrip("/").removesuffix(API_PREFIX)
            self.control = ControlClient(_HttpTransport(self.url))
            try:
                self.health = self.control.health()
            except CallrMockError as error:
                raise CallrMockError(f"--callr-mock-url={options.url}: {error}") from None
        else:
            from callr_mock.base.settings import Settings
            from callr_mock.running.server import MockServer

            settings = Settings(
                port=0,
                clock=options.clock,
                spec_path=options.spec,
                strict=options.strict,
                warm_up_in_background=True,  # tests start while the geocoder loads
            )
            self.mock = MockServer(settings).start()
            self.url = self.mock.url
            self.control = ControlClient(_FlaskTransport(self.mock.app))
            self.health = self.control.health()
        self.stats.startup_seconds = time.perf_counter() - started

    @property
    def external(self) -> bool:
        return self.mock is None

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def runtime(self) -> Runtime | None:
        return self.mock.runtime if self.mock is not None else None

    @property
    def title(self) -> str:
        return str(self.health.get("spec", "callr-mock"))

    def contract(self) -> Contract:
        """The compiled spec: the server's own in-process, else loaded from ``--callr-mock-spec``."""
        if self.mock is not None:
            return self.mock.runtime.contract
        if self._contract is None:
            from callr_mock.contract.compiled import contract_for

            self._contract = contract_for(self.options.spec)
        return self._contract

    def stop(self) -> None:
        if self.mock is None:  # leave an external server's clock in the mode we found it in
            with contextlib.suppress(CallrMockError):
                found = self.health.get("clock", {}).get("mode")
                if found == "real" and self.control.clock()["mode"] == "frozen":
                    self.control.unfreeze()
                elif found == "frozen" and self.control.clock()["mode"] == "real":
                    self.control.freeze()
        self.control.transport.close()
        if self.mock is not None:
            self.mock.stop()
