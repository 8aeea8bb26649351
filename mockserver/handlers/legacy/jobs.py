"""``jobs.*``: JSON-RPC jobs are REST v2 tasks (``account.tasks``), except the jobs of
legacy-only work (a file import, an address book import), kept in the legacy layer and
invisible to REST (:func:`legacy_only_job`)."""

from __future__ import annotations

from typing import Any

from .core import Ctx, P, Registry, RpcError, state_error_code
from .mapping import legacy_date, legacy_job, to_hash, to_sid
from .state import legacy_state

METHODS = Registry()
JOBS = "jobs"


def legacy_only_job(ctx: Ctx, kind: str, result: dict[str, Any]) -> str:
    """A finished job of legacy-only work (the sandbox does it at once); its hash."""
    key = ctx.store.ids.sid()
    now = legacy_date(ctx.store.clock.now())
    legacy_state(ctx.account).table(JOBS)[key] = {
        "hash": to_hash(key),
        "type": kind,
        "status": "DONE",
        "progress": 100,
        "result": result,
        "error": None,
        "date_creation": now,
        "date_update": now,
    }
    return str(to_hash(key))


@METHODS.method("jobs.get", P("hash"))
def get(ctx: Ctx, job_hash: str) -> dict[str, Any]:
    """The job (task): ``status`` PENDING, RUNNING, DONE, FAILED or CANCELLED."""
    sid = to_sid(job_hash, "job hash")
    own = legacy_state(ctx.account).table(JOBS).get(sid)
    if own is not None:
        return dict(own)
    return legacy_job(ctx.account.tasks.get(sid).to_api())


@METHODS.method("jobs.cancel", P("hash"))
def cancel(ctx: Ctx, job_hash: str) -> bool:
    """Cancel a pending or running job."""
    sid = to_sid(job_hash, "job hash")
    if sid in legacy_state(ctx.account).table(JOBS):
        raise RpcError(
            state_error_code(400),
            f"jobs.cancel: job {sid.upper()} is DONE and cannot be cancelled",
            data={"code": "task-finished", "status": 400},
        )
    ctx.account.tasks.cancel(sid)
    return True
