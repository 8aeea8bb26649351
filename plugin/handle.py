"""The objects behind the pytest fixtures: the session server, the per-test handle, the client.

Everything the handle does goes through the control API (``/_mock/...``; its client is
in ``_control.py``): over HTTP when the tests run against an external server
(``--callr-mock-url``), through Flask's in-process test client otherwise (no sockets, same
code path). In-process runs also expose the live ``store`` and ``runtime`` for white-box
checks.
"""

from __future__ import annotations

import base64
import contextlib
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from callr_mock.plugin._control import (  # CallrMockError: users import it from here too
    DEFAULT_TIMEOUT,
    CallrMockError,
    ControlClient,
    _FlaskTransport,
    _HttpTransport,
)
from callr_mock.state.timefmt import iso, parse

if TYPE_CHECKING:
    from callr_mock.contract import Contract
    from callr_mock.runtime import Runtime
    from callr_mock.server import MockServer
    from callr_mock.state.store import AccountState, Store

API_PREFIX = "/v2.0"
DEFAULT_FROZEN_START = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


class CallrMockViolationWarning(UserWarning):
    """A contract violation, reported as a warning in lenient mode."""


# -- options -----------------------------------------------------------------------------
@dataclass
class PluginOptions:
    """The resolved ``--callr-mock-*`` options / ``callr_mock_*`` ini keys."""

    spec: str | None = None
    seed: str | None = None
    url: str | None = None
    strict: bool = True
    clock: str = "frozen"


@dataclass
class TestSettings:
    """What one test asks for (options, overridden by ``@pytest.mark.callr_mock``)."""

    seed: str | dict[str, Any] | None = None
    clock: str = "frozen"
    now: datetime | None = None
    credit: str | None = None


@dataclass
class Stats:
    startup_seconds: float | None = None
    accounts: int = 0
    setup_seconds: float = 0.0
    teardown_seconds: float = 0.0
    durations: list[float] = field(default_factory=list)


# -- the session server ---------------------------------------------------------------------
class SessionServer:
    """The server the session's tests talk to: started in-process, or an external URL."""

    def __init__(self, options: PluginOptions) -> None:
        self.options = options
        self.stats = Stats()
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
            from callr_mock.server import MockServer
            from callr_mock.settings import Settings

            settings = Settings(
                port=0, clock=options.clock, spec_path=options.spec, strict=options.strict
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
            from callr_mock.contract import contract_for

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


# -- the client ---------------------------------------------------------------------------
def wire_value(value: Any) -> str:
    """A query value as the mock reads it: ``true``/``false``, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(wire_value(item) for item in value)
    if isinstance(value, datetime):
        return iso(value) or ""
    return str(value)


def wire_params(params: Any) -> Any:
    if not isinstance(params, Mapping):
        return params
    return {name: wire_value(value) for name, value in params.items() if value is not None}


class CallrClient(requests.Session):
    """A ``requests.Session`` for the mock: auth set, relative paths under ``base_url``.

    ``client.get("/sms", params={"limit": 5})`` → ``GET {base_url}/sms?limit=5``. Query
    values are put on the wire as the API reads them (booleans ``true``/``false``, lists
    comma-separated). ``client.call(operation_id, path=..., query=..., body=...)`` sends
    one operation of the spec (what ``strategies.requests_for`` draws).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        contract: Callable[[], Contract] | None = None,
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._contract = contract
        if api_key:
            self.headers["x-api-key"] = api_key

    def request(
        self, method: str | bytes, url: str | bytes, params: Any = None, *args: Any, **kwargs: Any
    ) -> Any:  # type: ignore[override]
        if isinstance(url, str) and not url.startswith(("http://", "https://")):
            url = self.base_url + "/" + url.lstrip("/")
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, wire_params(params), *args, **kwargs)

    def call(
        self,
        operation_id: str,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one spec operation by its operationId."""
        if self._contract is None:
            raise CallrMockError("this client has no contract; use the callr_client fixture")
        contract = self._contract()
        op = contract.operations.get(operation_id)
        if op is None:
            raise CallrMockError(f"{contract.title} has no operation {operation_id!r}")
        values = dict(path or {})
        url = op.path
        for name in [p.name for p in op.parameters.get("path", [])]:
            if name not in values:
                raise CallrMockError(f"{operation_id} needs the path parameter {name!r}")
            url = url.replace("{" + name + "}", quote(wire_value(values[name]), safe=""))
        if body is not None and op.body is not None:
            if "application/json" in op.body.schemas:
                kwargs["json"] = body
            elif "multipart/form-data" in op.body.schemas and isinstance(body, Mapping):
                kwargs["files"] = {k: ("file", v) for k, v in body.items() if isinstance(v, bytes)}
                kwargs["data"] = {k: v for k, v in body.items() if not isinstance(v, bytes)}
            else:
                kwargs["data"] = body
        return self.request(op.method, url, dict(query or {}), **kwargs)


# -- the per-test handle ----------------------------------------------------------------------
@dataclass(frozen=True)
class Credentials:
    """An account of the mock: sid and key, with ready-made auth for requests."""

    sid: str
    key: str | None
    parent: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """``x-api-key``, or HTTP Basic ``SUB_SID:MASTER_KEY`` for a sub-account."""
        if self.parent:
            token = base64.b64encode(f"{self.sid}:{self.key or ''}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {"x-api-key": self.key} if self.key else {}

    @property
    def auth(self) -> tuple[str, str]:
        """``(sid, key)`` for ``requests``' HTTP Basic (a sub-account uses the master key)."""
        return (self.sid, self.key or "")


class Clock:
    """The sandbox clock, seen from a test. Shared by the whole server."""

    def __init__(self, control: ControlClient) -> None:
        self._control = control

    def now(self) -> datetime:
        return parse(self._control.clock()["now"])

    @property
    def mode(self) -> str:
        return str(self._control.clock()["mode"])

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move time forward and run every lifecycle step that became due; returns the new now."""
        amount = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        return parse(self._control.advance(amount)["now"])

    def freeze(self, at: datetime | str | None = None) -> datetime:
        """Stop time at ``at`` (default: now). Due work runs at once."""
        moment = parse(at) if isinstance(at, str) else at
        return parse(self._control.freeze(moment)["now"])

    def unfreeze(self) -> datetime:
        """Let time run again from where it stands."""
        return parse(self._control.unfreeze()["now"])


def _describe(violations: list[dict[str, Any]], sid: str) -> str:
    lines = [
        f"callr-mock recorded {len(violations)} contract violation(s) for account {sid} during this test:"
    ]
    for number, v in enumerate(violations, 1):
        lines.append(
            f"  {number}. {v.get('method')} {v.get('path')} -> {v.get('status')} (operation {v.get('operation')})"
        )
        lines.append(f"     {v.get('message')}")
    lines.append(
        "The mock answered something its OpenAPI contract does not allow (see callr-mock's journal)."
    )
    return "\n".join(lines)


class CallrMock:
    """One test's view of the mock: a fresh account, its credentials, the clock and the journals."""

    def __init__(
        self, server: SessionServer, settings: TestSettings, *, strict: bool = True
    ) -> None:
        self.server = server
        self.settings = settings
        self.strict = strict
        self.control = server.control
        self.clock = Clock(self.control)
        self._extra: list[str] = []
        self._clients: list[CallrClient] = []
        self._reported = 0
        self._closed = False
        self._apply_clock()
        created = self.control.create_account(credit=settings.credit)
        self.credentials = Credentials(created["sid"], created["key"])
        if settings.seed is not None:
            self.seed(settings.seed)

    # -- identity ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Root of the server (control API under ``/_mock``)."""
        return self.server.url

    @property
    def base_url(self) -> str:
        """Root of the Callr API: ``http://127.0.0.1:PORT/v2.0``."""
        return self.server.api_url

    @property
    def account_sid(self) -> str:
        return self.credentials.sid

    @property
    def api_key(self) -> str:
        return self.credentials.key or ""

    @property
    def headers(self) -> dict[str, str]:
        """``{"x-api-key": KEY}``."""
        return self.credentials.headers

    @property
    def auth(self) -> tuple[str, str]:
        """``(ACCOUNT_SID, KEY)`` for HTTP Basic (``requests.get(url, auth=callr_mock.auth)``)."""
        return self.credentials.auth

    @property
    def external(self) -> bool:
        return self.server.external

    # -- in-process internals -------------------------------------------------------------
    @property
    def runtime(self) -> Runtime:
        runtime = self.server.runtime
        if runtime is None:
            raise CallrMockError(
                f"the store is only reachable in-process; this run uses the external server {self.url}"
            )
        return runtime

    @property
    def store(self) -> Store:
        return self.runtime.store

    @property
    def account(self) -> AccountState:
        """This test's ``AccountState`` (repositories, credit, events), in-process only."""
        return self.store.account(self.account_sid)

    # -- data ----------------------------------------------------------------------------
    def seed(self, source: str | Path | dict[str, Any]) -> list[str]:
        """Load a seed set (``"demo"``, ``"empty"``, a file path or a dict) into this account."""
        from callr_mock.seeding import named_seeds, read_seed

        if isinstance(source, dict):
            data: str | dict[str, Any] = source
        elif isinstance(source, str) and source in named_seeds():
            data = source
        else:
            data = read_seed(source)
        return self.control.seed(data, into=self.account_sid)

    def state(self) -> dict[str, Any]:
        """Snapshot of this account: every object as the API renders it."""
        accounts = self.control.state(self.account_sid)["accounts"]
        return dict(accounts[0])

    def top_up(self, amount: str | float) -> dict[str, Any]:
        """Add prepaid credit (fires ``v2.billing.credit.topup``); returns the credit."""
        return self.control.credit(self.account_sid, amount=str(amount))

    def set_balance(self, balance: str | float) -> dict[str, Any]:
        """Set the prepaid balance silently (no event)."""
        return self.control.credit(self.account_sid, balance=str(balance))

    def new_account(self, *, sub_account: bool = False, credit: str | None = None) -> Credentials:
        """Another isolated account (or a sub-account of this one), deleted after the test."""
        created = self.control.create_account(
            parent=self.account_sid if sub_account else None, credit=credit
        )
        self._extra.append(created["sid"])
        key = created["key"] or (self.api_key if sub_account else None)
        return Credentials(created["sid"], key, created.get("parent"))

    def client(self, credentials: Credentials | None = None) -> CallrClient:
        """A new ``requests`` session authenticated as this account (or ``credentials``)."""
        creds = credentials or self.credentials
        client = CallrClient(self.base_url, contract=self.server.contract)
        client.headers.update(creds.headers)
        self._clients.append(client)
        return client

    # -- journals --------------------------------------------------------------------------
    def journal(self) -> list[dict[str, Any]]:
        """The requests this account made (method, path, status, operation, violations)."""
        return self.control.journal(self.account_sid)

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """The ``v2.*`` events recorded for this account (webhook envelopes, attempts 0)."""
        return self.control.events(self.account_sid, type)

    def deliveries(
        self, *, type: str | None = None, state: str | None = None, subscription: str | None = None
    ) -> list[dict[str, Any]]:
        """Webhook deliveries of this account (``GET /_mock/deliveries``), oldest first.

        Each: ``id``, ``eventId``, ``type``, ``subscription``, ``target``, ``state``
        (pending | delivered | failed), ``attempts``, ``lastStatus``, ``lastError``...
        """
        return self.control.deliveries(
            self.account_sid, type=type, state=state, subscription=subscription
        )

    def flush_deliveries(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery is being sent (retries waiting on the clock do not count)."""
        return bool(self.control.flush_deliveries(timeout)["idle"])

    def violations(self) -> list[dict[str, Any]]:
        """Contract violations recorded for this account's requests since the test began."""
        return self.control.violations(self.account_sid)

    def check(self) -> None:
        """Raise ``AssertionError`` with a readable report if any violation was recorded."""
        found = self.violations()
        if found:
            self._reported = len(found)
            raise AssertionError(_describe(found, self.account_sid))

    def unreported(self) -> str | None:
        """Report of the violations not reported yet (and mark them reported)."""
        found = self.violations()
        if len(found) <= self._reported:
            return None
        self._reported = len(found)
        return _describe(found, self.account_sid)

    def report(self, text: str) -> None:
        """Fail the running test with ``text`` (strict) or warn (lenient)."""
        if self.strict:
            import pytest

            pytest.fail(text, pytrace=False)
        warnings.warn(CallrMockViolationWarning(text), stacklevel=2)

    # -- lifecycle -----------------------------------------------------------------------------
    def _apply_clock(self) -> None:
        settings, server = self.settings, self.server
        if settings.clock == "frozen":
            if settings.now is not None or not server.external:
                self.control.freeze(settings.now or DEFAULT_FROZEN_START)
            else:
                self.control.freeze()
        else:
            if settings.now is not None:
                self.control.freeze(settings.now)
            self.control.unfreeze()

    def close(self) -> str | None:
        """Teardown: delete the accounts, restore the clock; returns a late violation report."""
        if self._closed:
            return None
        self._closed = True
        for client in self._clients:
            client.close()
        late = self.unreported()
        for sid in [*self._extra, self.account_sid]:
            with contextlib.suppress(CallrMockError):  # deleted by the test (or with its parent)
                self.control.delete_account(sid)
        default = self.server.options.clock
        if self.settings.clock != default:
            if default == "frozen":
                self.control.freeze()
            else:
                self.control.unfreeze()
        return late
