"""The Store: every account's state behind one lock, the clock, ids and scheduler.

``Store.lock`` (re-entrant) guards everything: the HTTP layer holds it for the
whole of a request, the scheduler runs under it, and the control API takes it for
resets and snapshots. A mock serialising its requests is fast enough and can
never lose a write.
"""

from __future__ import annotations

import re
import threading
import typing
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..base.errors import InvalidInput, NotFound
from . import audio_files, calls, number_store, recordings, runs, sms, tasks
from .audio_files import AudioFileRepo
from .billing import Credit
from .calls import CallRepo
from .clock import SandboxClock
from .events import EVENT_TYPES, Event
from .faults import FaultBook
from .ids import IdGenerator
from .numbers import NumberRepo
from .rate_limits import RateLimits
from .recordings import RecordingRepo
from .repo import Repo
from .runs import RunBook, Trigger
from .scenarios import ScenarioRepo
from .scheduler import Scheduler, job_kinds
from .sms import SmsRepo
from .tasks import COMPLETION_MARKS, TaskRepo
from .vary import Variation
from .webhooks import WebhookRepo

Listener = Callable[[Event], None]
# (account sid, lifecycle kind, status reached) for steps that fire no event (reservations)
LifecycleListener = Callable[[str, str, str], None]
EVENT_JOURNAL_LIMIT = 10_000


KEY_PATTERN = re.compile(r"^[!-~]{1,200}$")


class AccountState:
    """One Callr account (or sub-account) and all that it owns."""

    # The account's repositories, in seed order (a number's scenario is loaded first).
    # These typed attributes are the one list of repositories: ``clear``, ``snapshot``,
    # seeding and ``REPOSITORIES`` derive from them (tests/test_registry.py checks).
    scenarios: ScenarioRepo
    numbers: NumberRepo
    sms: SmsRepo
    tasks: TaskRepo
    calls: CallRepo
    audio_files: AudioFileRepo
    recordings: RecordingRepo
    webhooks: WebhookRepo

    def __init__(
        self, store: Store, sid: str, key: str, parent: str | None = None, credit: str | None = None
    ) -> None:
        self.store = store
        self.sid = sid
        self.key = key
        self.parent = parent
        self._initial_credit = credit
        self.clear()

    def clear(self) -> None:
        """Forget everything the account owns; keep its credentials."""
        self.events: deque[Event] = deque(maxlen=EVENT_JOURNAL_LIMIT)  # the oldest go first
        self.runs = RunBook()
        self.credit = (
            Credit(self) if self._initial_credit is None else Credit(self, self._initial_credit)
        )
        for name, repo_class in REPOSITORIES.items():
            setattr(self, name, repo_class(self))

    def repo(self, name: str) -> Repo[Any]:
        """The repository called ``name`` (a key of ``REPOSITORIES``)."""
        if name not in REPOSITORIES:
            raise KeyError(f"no repository {name!r}")
        repo: Repo[Any] = getattr(self, name)
        return repo

    def emit(
        self, event_type: str, payload: dict[str, Any], *, at: datetime | None = None
    ) -> Event:
        """Record an event and tell the store's listeners (webhook delivery)."""
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
        event = Event(
            id=self.store.ids.event_id(),
            type=event_type,
            timestamp=at or self.store.clock.now(),
            account_sid=self.sid,
            payload=payload,
        )
        self.events.append(event)
        for listener in list(self.store.listeners):
            listener(event)
        return event

    def snapshot(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "sid": self.sid,
            "parent": self.parent,
            "credit": self.credit.to_api(),
        }
        for name in REPOSITORIES:
            state[name] = self.repo(name).snapshot()
        from .number_store import POOL_NAME

        pool = self.store.shared.get(POOL_NAME)
        state["reservations"] = pool.live_reservations(self.sid) if pool else []
        return state


def _repositories() -> dict[str, type[Repo[Any]]]:
    hints = typing.get_type_hints(AccountState)
    return {
        name: kind
        for name, kind in hints.items()
        if isinstance(kind, type) and issubclass(kind, Repo)
    }


REPOSITORIES: dict[str, type[Repo[Any]]] = _repositories()

JOB_MODULES = (audio_files, calls, number_store, recordings, runs, sms, tasks)
"""The state modules whose runners and task completions are marked (``@job_kind``,
``@account_job``, ``@completion``): the one list the two tables are read from."""
JOB_KINDS = job_kinds(JOB_MODULES)
COMPLETIONS = COMPLETION_MARKS.table(JOB_MODULES)
"""Attribute name (also the seed and snapshot key) → repository class, in seed order."""


class Store:
    def __init__(self, *, clock: SandboxClock | None = None, seed: int | None = None) -> None:
        self.lock = threading.RLock()
        # set when the next job's time may have changed (a job added, the clock moved):
        # the real-clock ticker sleeps on it instead of polling
        self.wakeup = threading.Event()
        # the state changed (``touch``): ``revision`` counts it, ``changed`` is set for a
        # waiting writer (the state file's); nothing polls it
        self.revision = 0
        self.changed = threading.Event()
        self.clock = clock or SandboxClock()
        self.clock.on_change = self._clock_moved
        self.ids = IdGenerator(seed)
        self.scheduler = Scheduler(
            self, on_change=self.wakeup.set, on_run=self.touch, kinds=JOB_KINDS
        )
        self.completions = COMPLETIONS
        self.listeners: list[Listener] = []
        self.lifecycle_listeners: list[LifecycleListener] = []
        self.triggers: list[Callable[[Trigger], None]] = []
        """Told when a scenario run is asked for (the Actions runner, ``services/actions``)."""
        self.script_check: Callable[[str], None] | None = None
        """Checks a scenario script against the Actions script schema (set by the runtime)."""
        self.shared: dict[str, Any] = {}
        self.sequence = 0  # the next creation sequence number (``next_seq``)
        self.faults = FaultBook(seed)
        self.rate_limits = RateLimits()
        self.variation = Variation()
        self._accounts: dict[str, AccountState] = {}
        self._by_key: dict[str, str] = {}

    # -- accounts ---------------------------------------------------------
    def create_account(
        self,
        sid: str | None = None,
        key: str | None = None,
        *,
        parent: str | None = None,
        credit: str | None = None,
    ) -> AccountState:
        with self.lock:
            if parent is not None and parent not in self._accounts:
                raise NotFound(f"no parent account {parent!r}")
            sid = sid or self.ids.sid(taken=self._accounts.__contains__)
            if sid in self._accounts:
                raise InvalidInput(f"account {sid!r} already exists", code="account-exists")
            if key is None and parent is None:
                key = f"key-{sid}-{self.ids.api_key()}"
            if key is not None and not KEY_PATTERN.match(key):
                raise InvalidInput(
                    "an API key is 1 to 200 printable ASCII characters, no spaces "
                    "(a client could not send another one in a header)",
                    code="invalid-key",
                )
            if key is not None and key in self._by_key:
                raise InvalidInput("that API key belongs to another account", code="key-in-use")
            account = AccountState(self, sid, key or "", parent=parent, credit=credit)
            self._accounts[sid] = account
            if key:
                self._by_key[key] = sid
            return account

    def account(self, sid: str) -> AccountState:
        with self.lock:
            try:
                return self._accounts[sid]
            except KeyError:
                raise NotFound(f"no account {sid!r}") from None

    def find_account(self, sid: str) -> AccountState | None:
        with self.lock:
            return self._accounts.get(sid)

    def accounts(self) -> list[AccountState]:
        with self.lock:
            return list(self._accounts.values())

    def account_for_key(self, key: str) -> AccountState | None:
        with self.lock:
            sid = self._by_key.get(key)
            return self._accounts.get(sid) if sid else None

    def delete_account(self, sid: str) -> None:
        with self.lock:
            account = self.account(sid)
            for child in [a for a in self._accounts.values() if a.parent == sid]:
                self.delete_account(child.sid)
            self.scheduler.drop_owner(sid)
            self.faults.clear(sid)
            self.rate_limits.clear(sid)
            self.variation.clear(sid)
            self._by_key.pop(account.key, None)
            del self._accounts[sid]

    def touch(self) -> None:
        """The state changed: a write reached the app, a job ran, the clock moved, a webhook
        was attempted. Called from those few central places, never per route."""
        self.revision += 1
        self.changed.set()

    def _clock_moved(self) -> None:
        self.wakeup.set()
        self.touch()

    def note_lifecycle(self, account: str, kind: str, status: str) -> None:
        """Tell the lifecycle listeners (coverage) that an object reached ``status``."""
        for listener in list(self.lifecycle_listeners):
            listener(account, kind, status)

    def next_seq(self) -> int:
        """The store's creation sequence: the stable tie-breaker for sorting (under the lock)."""
        seq = self.sequence
        self.sequence = seq + 1
        return seq

    # -- whole store --------------------------------------------------------
    def reset(self) -> None:
        """Empty every account (credentials stay), drop all pending work, faults and limits;
        the clock goes back to how the server started."""
        with self.lock:
            self.clock.restart()
            self.scheduler.clear()
            self.faults.clear()
            self.rate_limits.clear()
            self.variation.reset()
            self.shared.clear()
            for account in self._accounts.values():
                account.clear()

    def forget_accounts(self) -> None:
        """Drop every account, credentials and all (before a state file is restored)."""
        with self.lock:
            self.reset()
            self._accounts.clear()
            self._by_key.clear()

    def snapshot(self, account: str | None = None) -> dict[str, Any]:
        with self.lock:
            chosen = [self.account(account)] if account else list(self._accounts.values())
            return {
                "clock": self.clock.describe(),
                "accounts": [a.snapshot() for a in chosen],
            }

    def tick(self) -> int:
        """Run every scheduled job that is due at the current sandbox time."""
        with self.lock:
            return self.scheduler.run_due(self.clock.now())

    def seconds_to_next_job(self) -> float | None:
        """Real seconds until the next job is due on a running clock; None: nothing to wait for."""
        with self.lock:
            if self.clock.mode != "real":
                return None
            due = self.scheduler.next_due()
            if due is None:
                return None
            return max(0.0, (due - self.clock.now()).total_seconds())

    def advance(self, seconds: float) -> datetime:
        with self.lock:
            now = self.clock.advance(seconds)
            self.scheduler.run_due(now)
            return now

    def shared_resource(self, name: str, factory: Callable[[], Any]) -> Any:
        """A store-wide object (e.g. the number pool), built on first use."""
        with self.lock:
            if name not in self.shared:
                self.shared[name] = factory()
            return self.shared[name]
