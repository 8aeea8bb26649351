"""The per-test handle behind the ``callr_mock`` fixture (``CallrMock``).

Everything the handle does goes through the control API (``/_mock/...``; its client is
in ``_control.py``): over HTTP when the tests run against an external server
(``--callr-mock-url``), straight into the app's WSGI callable otherwise (no sockets, same
code path). In-process runs also expose the live ``store`` and ``runtime`` for white-box
checks. Its parts: ``_options.py`` (options, marker), ``_session.py`` (the session
server), ``_client.py`` (``CallrClient``, ``Credentials``), ``_clock.py`` (``Clock``).
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._client import CallrClient, Credentials, wire_params, wire_value
from ._clock import Clock
from ._control import CallrMockError
from ._faults import InjectedFault, RateLimitHandle
from ._options import DEFAULT_FROZEN_START, PluginOptions, TestSettings
from ._session import API_PREFIX, SessionServer, Stats

if TYPE_CHECKING:
    from callr_mock.state.store import AccountState, Store
    from callr_mock.web.frame.runtime import Runtime

__all__ = [
    "API_PREFIX",
    "DEFAULT_FROZEN_START",
    "CallrClient",
    "CallrMock",
    "CallrMockError",
    "CallrMockViolationWarning",
    "Clock",
    "Credentials",
    "InjectedFault",
    "PluginOptions",
    "RateLimitHandle",
    "SessionServer",
    "Stats",
    "TestSettings",
    "wire_params",
    "wire_value",
]


class CallrMockViolationWarning(UserWarning):
    """A contract violation, reported as a warning in lenient mode."""


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
        self._disrupted = False  # faults or rate limits were set
        self.vary_seed: int | None = None
        self._apply_clock()
        created = self.control.create_account(credit=settings.credit)
        self.credentials = Credentials(created["sid"], created["key"])
        if settings.seed is not None:
            self.seed(settings.seed)
            if settings.credit is not None:  # the marker's credit wins over the seed's
                self.control.credit(self.account_sid, balance=settings.credit)
        if settings.vary is not None:
            self.vary(settings.vary)

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
        from callr_mock.contract.seeding import named_seeds, read_seed

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

    # -- the unhappy path -----------------------------------------------------------------
    def fault(
        self,
        operation: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        message: str | None = None,
        latency_ms: int | None = None,
        drop: bool = False,
        times: int | None = 1,
        probability: float | None = None,
        seed: int | None = None,
        after: bool = False,
    ) -> InjectedFault:
        """Make this account's next request(s) to ``operation`` (an operationId such as
        ``"sendSms"``, ``"jsonrpc:sms.send"``, or ``None`` for any) fail.

        ``status`` (default 503) answers a Callr error body (``code`` ``injected-fault``
        unless given) and changes nothing; ``latency_ms`` delays the answer in real time;
        ``drop`` closes the connection without an answer; ``after`` lets the operation
        commit first and then loses its answer. ``times`` requests are hit (``None``: until
        removed), each with ``probability`` (seeded, repeatable). Removed at teardown.
        """
        fault: dict[str, Any] = {
            "account": self.account_sid,
            "operation": operation,
            "times": times,
            "drop": drop,
            "after": after,
        }
        optional = {
            "status": status,
            "code": code,
            "message": message,
            "latency_ms": latency_ms,
            "probability": probability,
            "seed": seed,
        }
        fault.update({name: value for name, value in optional.items() if value is not None})
        self._disrupted = True
        return InjectedFault(self.control, self.control.add_fault(fault))

    def faults(self) -> list[dict[str, Any]]:
        """This account's faults (``hits``, ``active``...), in matching order."""
        return self.control.faults(self.account_sid)

    def rate_limit(
        self, requests: int, per_seconds: float, *, operation: str | None = None
    ) -> RateLimitHandle:
        """Allow this account ``requests`` requests (to ``operation``, or to all) per
        ``per_seconds`` seconds of the sandbox clock; beyond: 429 ``too-many-requests`` with
        ``Retry-After``. With a frozen clock, ``clock.advance()`` refills it. Removed at teardown.
        """
        limit = {
            "account": self.account_sid,
            "operation": operation,
            "requests": requests,
            "per_seconds": per_seconds,
        }
        self._disrupted = True
        return RateLimitHandle(self.control, self.control.add_rate_limit(limit))

    def vary(self, seed: int | None = None) -> int:
        """Vary this account's responses within the contract from now on (tolerant-reader
        testing): optional fields absent or null, extra properties where the schema allows
        them, other date-time forms, equal items reordered, list pages cut short with
        ``hasMore``. Returns the seed (random unless given); a failing test prints it."""
        self.vary_seed = self.control.set_vary(self.account_sid, seed)
        return self.vary_seed

    # -- journals --------------------------------------------------------------------------
    def journal(self) -> list[dict[str, Any]]:
        """The requests this account made (method, path, status, operation, violations)."""
        return self.control.journal(self.account_sid)

    def journal_entry(self, seq: int) -> dict[str, Any]:
        """One of this account's journal entries with its ``request`` and ``response``
        (headers, body; secrets redacted, bodies cut at 16 KiB): ``GET /_mock/journal/{seq}``.
        ``seq`` is an entry's ``seq`` from :meth:`journal`."""
        entry = self.control.journal_entry(seq)
        if entry["account"] != self.account_sid:
            raise CallrMockError(f"journal entry {seq} is not one of account {self.account_sid}'s")
        return entry

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """The ``v2.*`` events recorded for this account (webhook envelopes, attempts 0)."""
        return self.control.events(self.account_sid, type)

    def deliveries(
        self, *, type: str | None = None, state: str | None = None, subscription: str | None = None
    ) -> list[dict[str, Any]]:
        """Webhook deliveries of this account (``GET /_mock/deliveries``), oldest first.

        Each: ``id``, ``eventId``, ``type``, ``subscription``, ``target``, ``state``
        (pending | delivered | failed), ``attempts``, ``lastStatus``, ``lastError``,
        ``redeliveryOf`` and ``history`` (every attempt: ``number``, ``at``, ``target``,
        ``status``, ``error``, ``durationMs``, ``response``)...
        """
        return self.control.deliveries(
            self.account_sid, type=type, state=state, subscription=subscription
        )

    def redeliver(self, delivery_id: str, *, wait: bool = True) -> dict[str, Any]:
        """Send one of this account's deliveries again (``POST /_mock/deliveries/{id}/redeliver``):
        the same event to the same subscription, as a new delivery tried once. Returns that
        delivery, once sent when ``wait``; still ``pending`` without ``wait``, or when it
        queues behind a delivery of the subscription that waits for a retry on the clock."""
        if self.control.delivery(delivery_id)["account"] != self.account_sid:
            raise CallrMockError(
                f"delivery {delivery_id} is not one of account {self.account_sid}'s"
            )
        again = self.control.redeliver(delivery_id)
        if not wait:
            return again
        self.flush_deliveries()
        return self.control.delivery(again["id"])

    def flush_deliveries(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery is being sent (retries waiting on the clock do not count)."""
        return bool(self.control.flush_deliveries(timeout)["idle"])

    def inbound_sms(
        self, *, to: str, text: str, from_: str = "+33639980042", wait: bool = True
    ) -> dict[str, Any]:
        """An SMS arrives on ``to`` (``POST /_mock/accounts/{sid}/sms/inbound``): it fires
        ``v2.sms.inbound.received`` and, when ``to`` is assigned to a scenario with an
        ``inbound-sms`` branch, runs it; ``wait`` (default) returns once the runs it started
        have ended (see ``runs()``). Returns the inbound Sms."""
        sms = self.control.inbound_sms(self.account_sid, {"from": from_, "to": to, "text": text})
        if wait:
            self.flush_runs()
        return sms

    def inbound_call(
        self,
        *,
        to: str,
        from_: str = "+33639980042",
        duration: int = 30,
        answered: int | None = None,
        digits: str = "",
        wait: bool = True,
    ) -> dict[str, Any]:
        """A call arrives on ``to`` and lasts ``duration`` seconds, recorded as a CDR
        (``POST /_mock/accounts/{sid}/calls``). A scenario assigned to ``to`` runs its
        ``inbound-call`` branch when the call starts, which decides whether the call was
        answered and who hung up (unless ``answered`` gives the seconds answered), and its
        ``hangup`` branch when it ends (on the sandbox clock: advance it past the end);
        ``digits`` are the keys the caller presses, read in order by its ``gather@v2`` steps;
        ``wait`` returns once the runs started by then have ended. Returns the call record
        as it was added."""
        body: dict[str, Any] = {
            "direction": "inbound",
            "callerNumber": from_,
            "callee": to,
            "durationTotal": duration,
        }
        if answered is not None:
            body["durationAnswered"] = answered
        if digits:
            body["digits"] = digits
        record = self.control.add_call(self.account_sid, body)
        if wait:
            self.flush_runs()
        return record

    def runs(self, scenario: str | None = None) -> list[dict[str, Any]]:
        """This account's Callr Actions runs (``GET /_mock/runs``), oldest first: ``id``,
        ``branch``, ``type``, ``status`` (running | done | failed | not-emulated |
        step-limit), ``log``, ``variables``, ``error`` and ``trace`` (every step: ``branch``,
        ``kind`` action | if | goto, ``action``, evaluated ``params``, ``outcome``, ``at``)."""
        return self.control.runs(self.account_sid, scenario)

    def flush_runs(self, timeout: float = 10.0) -> bool:
        """Wait until no Callr Actions run is queued or running."""
        return bool(self.control.flush_runs(timeout)["idle"])

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
        if self._disrupted:  # deleting the account removes them too; say it anyway
            self.control.clear_faults(self.account_sid)
            self.control.clear_rate_limits(self.account_sid)
        for sid in [*self._extra, self.account_sid]:
            with contextlib.suppress(CallrMockError):  # deleted by the test (or with its parent)
                self.control.delete_account(sid)
        default = self.server.options.clock
        if self.server.external:
            # a shared server: leave its clock as it started, whatever the test did with it
            if self.settings.clock != default or self.settings.now is not None:
                self.control.restart_clock()
        elif self.settings.clock != default:
            if default == "frozen":
                self.control.freeze()
            else:
                self.control.unfreeze()
        return late
