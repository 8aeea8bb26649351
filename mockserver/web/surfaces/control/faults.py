"""Control routes for the unhappy path: injected faults and rate limits (``state/faults.py``,
``state/rate_limits.py``)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from ....handlers.legacy import methods
from ....state.faults import LEGACY_PREFIX, target
from ...frame.runtime import Runtime, runtime_of
from .common import account_param, blueprint, body, reply


def runtime() -> Runtime:
    return runtime_of(current_app)


def _operation_known(operation: str) -> bool:
    if operation.startswith(LEGACY_PREFIX):
        return operation[len(LEGACY_PREFIX) :] in methods()
    return operation in runtime().contract.operations


def _checks() -> dict[str, Any]:
    store = runtime().store
    return {
        "account_exists": lambda sid: store.find_account(sid) is not None,
        "operation_known": _operation_known,
    }


@blueprint.post("/faults")
def add_fault() -> Response:
    fault = runtime().store.faults.add(body(), **_checks())
    return reply(fault.to_api(), 201)


@blueprint.get("/faults")
def list_faults() -> Response:
    return reply([f.to_api() for f in runtime().store.faults.list(account_param())])


@blueprint.delete("/faults")
def clear_faults() -> Response:
    return reply({"removed": runtime().store.faults.clear(account_param())})


@blueprint.delete("/faults/<fault_id>")
def remove_fault(fault_id: str) -> Response:
    runtime().store.faults.remove(fault_id)
    return reply()


@blueprint.post("/rate-limits")
def add_rate_limit() -> Response:
    data = body()
    account, operation = target(data, **_checks())
    limit = runtime().store.rate_limits.add(data, account, operation)
    return reply(limit.to_api(), 201)


@blueprint.get("/rate-limits")
def list_rate_limits() -> Response:
    return reply([r.to_api() for r in runtime().store.rate_limits.list(account_param())])


@blueprint.delete("/rate-limits")
def clear_rate_limits() -> Response:
    return reply({"removed": runtime().store.rate_limits.clear(account_param())})


@blueprint.delete("/rate-limits/<limit_id>")
def remove_rate_limit(limit_id: str) -> Response:
    runtime().store.rate_limits.remove(limit_id)
    return reply()
