"""``actions.start``: run the ``api-initiated`` branch of a Callr Actions app
(``account.scenarios.run``); the run is a task, so the result is a job hash."""

from __future__ import annotations

from typing import Any

from ...base.errors import InvalidInput
from .apps import find_app
from .core import Ctx, P, Registry
from .mapping import to_hash

METHODS = Registry()


@METHODS.method("actions.start", P("app_hash"), P("variables", "object|null", optional=True))
def start(ctx: Ctx, app_hash: str, variables: dict[str, Any] | None) -> str:
    """Start a run with ``variables`` (``{"$target": "+33…"}``); returns the job (task) hash
    to follow with ``jobs.get``."""
    sid, legacy = find_app(ctx, app_hash)
    if legacy is not None:
        raise InvalidInput(
            f"app {sid.upper()} is a {legacy.package} app; only Callr Actions (ACTIONS10) apps run",
            code="not-callr-actions",
        )
    body = {"variables": variables} if variables is not None else {}
    ctx.rest_input("runScenario", path={"sid": sid}, body=body)
    task = ctx.account.scenarios.run(sid, variables)
    return str(to_hash(task.sid))
