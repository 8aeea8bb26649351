"""``jobs.*``: JSON-RPC jobs are REST v2 tasks (``account.tasks``)."""

from __future__ import annotations

from typing import Any

from callr_mock.legacy.core import Ctx, P, Registry
from callr_mock.legacy.mapping import legacy_job, to_sid

METHODS = Registry()


@METHODS.method("jobs.get", P("hash"))
def get(ctx: Ctx, job_hash: str) -> dict[str, Any]:
    """The job (task): ``status`` PENDING, RUNNING, DONE, FAILED or CANCELLED."""
    return legacy_job(ctx.account.tasks.get(to_sid(job_hash, "job hash")).to_api())


@METHODS.method("jobs.cancel", P("hash"))
def cancel(ctx: Ctx, job_hash: str) -> bool:
    """Cancel a pending or running job."""
    ctx.account.tasks.cancel(to_sid(job_hash, "job hash"))
    return True
