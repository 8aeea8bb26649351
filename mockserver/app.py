"""The app factory: ``create_app(settings)`` builds the whole mock from one spec."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from callr_mock.contract import Contract, contract_for
from callr_mock.dispatch import ApiDispatcher
from callr_mock.journal import Journal
from callr_mock.pipeline import http_error
from callr_mock.resources import Handler, load_handlers
from callr_mock.seeding import SeedValidator, apply_seed, read_seed
from callr_mock.settings import Settings
from callr_mock.state import phone, pricing
from callr_mock.state.catalogue import catalogue
from callr_mock.state.clock import SandboxClock
from callr_mock.state.store import Store
from flask import Flask, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("callr_mock")
API_PREFIX = "/v2.0"
EXTENSION = "callr_mock"


@dataclass
class Runtime:
    """Everything one mock instance holds; kept in ``app.extensions['callr_mock']``."""

    settings: Settings
    store: Store
    contract: Contract
    journal: Journal
    handlers: dict[str, Handler]
    seed_validator: SeedValidator
    unhandled: list[str] = field(default_factory=list)
    services: list[Any] = field(default_factory=list)
    _ticker: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def seed(self, source: str | dict[str, Any], *, into: str | None = None) -> list[str]:
        data = read_seed(source) if isinstance(source, str) else source
        return apply_seed(self.store, data, self.seed_validator, into=into)

    def reset(self) -> None:
        self.store.reset()
        self.journal.clear()
        for service in self.services:
            if hasattr(service, "reset"):
                service.reset()

    def start_background(self) -> None:
        """Start the real-clock ticker and the services (webhook delivery). Idempotent."""
        if self._ticker is not None:
            return
        self._stop.clear()
        for service in self.services:
            if hasattr(service, "start"):
                service.start()
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
        for service in self.services:
            if hasattr(service, "stop"):
                service.stop()

    def _tick_loop(self) -> None:
        """Run jobs when they fall due on a real clock. Sleeps until the next job is due, or
        until a job is added or the clock moves (``store.wakeup``): an idle mock never wakes."""
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


def warm_up() -> None:
    """Load, once per process, the data a first request would otherwise load (~0.5 s in all,
    most of it libphonenumber's geocoder): start-up pays it, not a user's first test."""
    from callr_mock.legacy import methods as legacy_methods

    phone.warm_up()
    pricing.price_list()
    pricing.magic_inputs()
    catalogue()
    legacy_methods()


ServiceFactory = Callable[[Runtime], Any]
SERVICE_FACTORIES: list[ServiceFactory] = []


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    settings = settings or Settings()
    contract = contract_for(settings.spec_path)
    warm_up()
    if store is None:
        store = Store(clock=SandboxClock(settings.clock), seed=settings.id_seed)
        for sid, key in settings.initial_accounts():
            store.create_account(sid, key)
    runtime = Runtime(
        settings=settings,
        store=store,
        contract=contract,
        journal=Journal(settings.journal_limit),
        handlers=load_handlers(),
        seed_validator=SeedValidator(contract),
    )
    for factory in SERVICE_FACTORIES:
        runtime.services.append(factory(runtime))
    if settings.seed_path:
        runtime.seed(
            settings.seed_path,
            into=settings.initial_accounts()[0][0] if not settings.accounts else None,
        )

    app = Flask("callr_mock", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = runtime

    for op in contract.operations.values():
        # routed by the ApiDispatcher below, which serves them without Flask's contexts
        app.url_map.add(
            app.url_rule_class(API_PREFIX + op.rule, endpoint=op.id, methods=[op.method])
        )
        if op.id not in runtime.handlers:
            runtime.unhandled.append(op.id)
    if runtime.unhandled:
        log.warning(
            "%d operation(s) of %s have no stateful handler and answer from the spec's examples/schemas: %s",
            len(runtime.unhandled),
            contract.title,
            ", ".join(sorted(runtime.unhandled)),
        )

    from callr_mock.control import blueprint as control_blueprint
    from callr_mock.legacy.endpoint import blueprint as legacy_blueprint

    app.register_blueprint(control_blueprint)
    app.register_blueprint(legacy_blueprint)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        return http_error(runtime, request, error)

    app.wsgi_app = ApiDispatcher(app.wsgi_app, runtime, app.url_map)  # type: ignore[method-assign]
    return app


def runtime_of(app: Flask) -> Runtime:
    runtime: Runtime = app.extensions[EXTENSION]
    return runtime


from callr_mock import delivery  # noqa: E402,F401  (registers the webhook delivery service)
