"""Control routes for the unhappy path: injected faults and rate limits (``state/faults.py``,
``state/rate_limits.py``)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ....handlers.legacy import methods
from ....state.faults import LEGACY_PREFIX, target
from ...frame.frame import Answer
from ...frame.runtime import Runtime
from .common import ControlCall, reply, route


def _operation_known(rt: Runtime, operation: str) -> bool:
    if operation.startswith(LEGACY_PREFIX):
        return operation[len(LEGACY_PREFIX) :] in methods()
    return operation in rt.contract.operations


def _checks(rt: Runtime) -> dict[str, Any]:
    store = rt.store
    return {
        "account_exists": lambda sid: store.find_account(sid) is not None,
        "operation_known": lambda operation: _operation_known(rt, operation),
    }


@route("addFault")
def add_fault(call: ControlCall) -> Answer | Response:
    fault = call.rt.store.faults.add(call.body, **_checks(call.rt))
    return reply(fault.to_api(), 201)


@route("listFaults")
def list_faults(call: ControlCall) -> Answer | Response:
    return reply([f.to_api() for f in call.rt.store.faults.list(call.account_param)])


@route("clearFaults")
def clear_faults(call: ControlCall) -> Answer | Response:
    return reply({"removed": call.rt.store.faults.clear(call.account_param)})


@route("removeFault")
def remove_fault(call: ControlCall) -> Answer | Response:
    fault_id = str(call.path["id"])
    call.rt.store.faults.remove(fault_id)
    return reply()


@route("addRateLimit")
def add_rate_limit(call: ControlCall) -> Answer | Response:
    data = call.body
    account, operation = target(data, **_checks(call.rt))
    limit = call.rt.store.rate_limits.add(data, account, operation)
    return reply(limit.to_api(), 201)


@route("listRateLimits")
def list_rate_limits(call: ControlCall) -> Answer | Response:
    return reply([r.to_api() for r in call.rt.store.rate_limits.list(call.account_param)])


@route("clearRateLimits")
def clear_rate_limits(call: ControlCall) -> Answer | Response:
    return reply({"removed": call.rt.store.rate_limits.clear(call.account_param)})


@route("removeRateLimit")
def remove_rate_limit(call: ControlCall) -> Answer | Response:
    limit_id = str(call.path["id"])
    call.rt.store.rate_limits.remove(limit_id)
    return reply()
