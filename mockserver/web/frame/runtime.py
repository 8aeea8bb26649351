"""The ``Runtime``: everything one mock instance holds, reached one way (``runtime_of``).

``create_app`` builds it and keeps it in ``app.extensions["callr_mock"]``; Flask views
reach it with ``runtime_of(current_app)``, everything else with ``runtime_of(app)`` or
``MockServer.runtime``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...base.errors import InvalidInput
from ...base.journal import Journal
from ...base.settings import Settings
from ...contract.actions_script import ScriptChecker, load_schema, packaged_checker
from ...contract.compiled import Contract, ValidatedAnswers
from ...contract.coverage import CoverageTally
from ...contract.seeding import SeedValidator, apply_seed, read_seed
from ...handlers.legacy.webhooks import LEGACY_ENVELOPE, LEGACY_USER_AGENT, render_legacy
from ...handlers.rest import Handler
from ...services.actions.runner import ScenarioRunner
from ...services.delivery import EnvelopeStyle, WebhookDelivery
from ...services.state_document import StateFileError, is_state_document, restore_state
from ...state.pricing import magic_inputs
from ...state.store import Store

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("callr_mock")
TICK_GRAIN = 0.02  # seconds the real-clock ticker rests between two runs of due jobs
EXTENSION = "callr_mock"


@dataclass
class Runtime:
    """Everything one mock instance holds; kept in ``app.extensions['callr_mock']``."""

    settings: Settings
    store: Store
    contract: Contract
    journal: Journal
    handlers: dict[str, Handler]
    """The REST handlers by operationId (``handlers/rest``)."""
    seed_validator: SeedValidator
    unhandled: list[str] = field(default_factory=list)
    control_routes: dict[str, Any] = field(default_factory=dict)
    """The control routes by operationId of control.yaml (set by ``create_app``)."""
    delivery: WebhookDelivery = field(init=False)
    runner: ScenarioRunner = field(init=False)
    """Runs Callr Actions scenarios when their triggers happen (``services/actions``)."""
    coverage: CoverageTally = field(init=False)
    validated: ValidatedAnswers = field(default_factory=ValidatedAnswers)
    persistence: Any = None  # the StateFile of serve --state-file: .path, .problem, .saves
    _ticker: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        magic = magic_inputs()
        self.coverage = CoverageTally([*magic.get("sms", {}), *magic.get("tasks", {})])
        self.delivery = WebhookDelivery(
            self.store,
            self.contract,
            self.journal,
            self.coverage,
            self.settings,
            envelopes={LEGACY_ENVELOPE: EnvelopeStyle(render_legacy, LEGACY_USER_AGENT)},
        )
        self.runner = ScenarioRunner(self.store, self.journal, self.settings)
        schema = self.settings.actions_schema
        self.store.script_check = (
            packaged_checker() if schema is None else ScriptChecker(load_schema(schema))
        )
        self.store.listeners.append(self.coverage.event)  # after the delivery's, as before
        self.store.lifecycle_listeners.append(self.coverage.lifecycle)

    def seed(self, source: str | dict[str, Any], *, into: str | None = None) -> list[str]:
        data = read_seed(source) if isinstance(source, str) else source
        return apply_seed(self.store, data, self.seed_validator, into=into)

    def start_from(self, source: str, *, into: str | None = None) -> list[str]:
        """The start-up seed (``--seed``): a seed set or file, or a state file (a whole sandbox,
        restored as saved, ``into`` aside). A state file that cannot be restored is an
        ``invalid-seed`` error like any broken seed."""
        data = read_seed(source)
        if not is_state_document(data):
            return self.seed(data, into=into)
        try:
            restore_state(self, data)
        except StateFileError as error:
            raise InvalidInput(f"state file {source}: {error}", code="invalid-seed") from None
        return [account.sid for account in self.store.accounts()]

    def rebuild_deliveries(self) -> None:
        """The delivery queues again from the restored accounts (a state file)."""
        self.delivery.rebuild()

    def reset(self) -> None:
        self.store.reset()
        self.journal.clear()
        self.delivery.reset()
        self.runner.forget()
        self.coverage.clear()

    def start_background(self) -> None:
        """Start the real-clock ticker and the webhook delivery. Idempotent."""
        if self._ticker is not None:
            return
        self._stop.clear()
        self.delivery.start()
        self.runner.resume()
        self._ticker = threading.Thread(
            target=self._tick_loop, name="callr-mock-clock", daemon=True
        )
        self._ticker.start()

    def stop_background(self) -> None:
        self._stop.set()
        self.store.wakeup.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
            self._ticker = None
        self.delivery.stop()
        self.runner.stop()

    def _tick_loop(self) -> None:
        """Run jobs when they fall due on a real clock. Sleeps until the next job is due, or
        until a job is added or the clock moves (``store.wakeup``): an idle mock never wakes.
        After a run it rests ``TICK_GRAIN`` before the next, so that jobs falling due close
        together run in one batch: under load (thousands of lifecycle steps a second, each
        due at its own instant) one wake-up per job made this thread fight the request
        thread for the GIL at every step; requests run what is due before they read anyway."""
        wakeup = self.store.wakeup
        while not self._stop.is_set():
            wakeup.clear()
            wakeup.wait(self.store.seconds_to_next_job())
            if self._stop.is_set():
                return
            if self.store.clock.mode == "real":
                try:
                    self.store.tick()
                except Exception:  # keep the clock alive; the error is in the log
                    log.exception("a scheduled job failed")
            self._stop.wait(TICK_GRAIN)


def runtime_of(app: Flask) -> Runtime:
    """The runtime of an app made by ``create_app`` (in a view: ``runtime_of(current_app)``)."""
    runtime: Runtime = app.extensions[EXTENSION]
    return runtime
