"""The app factory: ``create_app(settings)`` builds the whole mock from one spec."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from ..base.journal import Journal
from ..base.settings import Settings
from ..base.wire import API_PREFIX
from ..contract.compiled import contract_for
from ..contract.seeding import SeedValidator, named_seeds
from ..handlers.legacy import methods as legacy_methods
from ..handlers.rest import load_handlers
from ..state import phone, pricing
from ..state.catalogue import catalogue
from ..state.clock import SandboxClock
from ..state.store import Store
from .dispatch import Doors, add_rules
from .frame.answers import http_error
from .frame.guard import Guard, allowed_hosts
from .frame.runtime import EXTENSION, Runtime, runtime_of
from .surfaces import reference
from .surfaces.control import routes as control_routes

__all__ = ["API_PREFIX", "Runtime", "create_app", "runtime_of"]

log = logging.getLogger("callr_mock")


def warm_up() -> None:
    """Load, once per process, the data a first request would otherwise load (~0.5 s in all,
    most of it libphonenumber's geocoder): start-up pays it, not a user's first test."""
    phone.warm_up()
    pricing.price_list()
    pricing.magic_inputs()
    catalogue()
    legacy_methods()


def _warm_up_quietly() -> None:
    """``warm_up`` on a thread: a failure only means the first request loads the data."""
    try:
        warm_up()
    except Exception:  # e.g. sys.modules reset under the import by pytester's inline runs
        log.debug("background warm-up failed; data loads on first use", exc_info=True)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    settings = settings or Settings()
    contract = contract_for(settings.spec_path)
    if settings.warm_up_in_background:
        threading.Thread(target=_warm_up_quietly, name="callr-mock-warm-up", daemon=True).start()
    else:
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
    if settings.vary_seed is not None:
        store.variation.set(None, settings.vary_seed)
    if settings.seed_path:
        # a seed set (demo, empty) goes into the first account; a seed file into the demo
        # account, or into the accounts it names when the settings name their own; a state
        # file (serve --state-file) is restored whole
        named = settings.seed_path in named_seeds()
        runtime.start_from(
            settings.seed_path,
            into=settings.initial_accounts()[0][0] if named or not settings.accounts else None,
        )

    app = Flask("callr_mock", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = runtime

    runtime.control_routes = control_routes()
    add_rules(app.url_map, runtime)  # served by the Doors below, without Flask's contexts
    for op in contract.operations.values():
        if op.id not in runtime.handlers:
            runtime.unhandled.append(op.id)
    if runtime.unhandled:
        log.warning(
            "%d operation(s) of %s have no stateful handler and answer from the spec's examples/schemas: %s",
            len(runtime.unhandled),
            contract.title,
            ", ".join(sorted(runtime.unhandled)),
        )

    reference.register(
        app, contract.document, taken={op.path for op in contract.operations.values()}
    )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        return http_error(runtime, request, error)

    dispatcher = Doors(app.wsgi_app, runtime, app.url_map)
    app.wsgi_app = Guard(  # type: ignore[method-assign]
        dispatcher,
        hosts=allowed_hosts(settings.host, settings.allowed_hosts),
        token=settings.control_token,
    )
    return app
