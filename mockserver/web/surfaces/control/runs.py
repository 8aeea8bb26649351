"""Control routes for Callr Actions runs (``services/actions/runner.py``): list them with
their traces, read one, wait for the queued ones to end."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ....base.errors import NotFound
from ...frame.frame import Answer
from .common import ControlCall, reply, route


@route("runs")
def runs(call: ControlCall) -> Answer | Response:
    store = call.rt.store
    sid = call.account_param
    scenario = call.query.get("scenario") or None
    with store.lock:
        accounts = [store.account(sid)] if sid else store.accounts()
        found = [run.to_api() for account in accounts for run in account.runs.list(scenario)]
    return reply(sorted(found, key=lambda run: run["started"]))


@route("getRun")
def get_run(call: ControlCall) -> Answer | Response:
    run_id = str(call.path["id"])
    store = call.rt.store
    with store.lock:
        for account in store.accounts():
            run = account.runs.find(run_id)
            if run is not None:
                return reply(run.to_api())
    raise NotFound(f"no run with id {run_id!r}: not started, or cleared by a reset")


@route("flushRuns")
def flush_runs(call: ControlCall) -> Answer | Response:
    runner = call.rt.runner
    idle = runner.drain(float(call.body.get("timeout", 10)))
    return reply({"idle": idle, "pending": runner.pending()})
