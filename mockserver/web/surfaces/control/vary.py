"""Control routes for contract-valid variation (``state/vary.py``, ``vary.py``)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ....base.errors import InvalidInput, NotFound
from ....state.faults import check_fields
from ....state.vary import MAX_SEED
from ...frame.frame import Answer
from .common import ControlCall, reply, route

VARY_FIELDS = {
    "account": "the account whose responses vary (default: every account)",
    "seed": "seed of the variation (default: a new random one, returned)",
}


@route("getVary")
def get_vary(call: ControlCall) -> Answer | Response:
    return reply(call.rt.store.variation.describe())


@route("setVary")
def set_vary(call: ControlCall) -> Answer | Response:
    data = call.body
    check_fields(data, VARY_FIELDS, "variation")
    store = call.rt.store
    account = data.get("account")
    if account is not None and (
        not isinstance(account, str) or store.find_account(account) is None
    ):
        raise NotFound(f"no account {account!r}")
    seed = data.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED
    ):
        raise InvalidInput(f"'seed' must be an integer from 0 to {MAX_SEED}, not {seed!r}")
    chosen = store.variation.set(account, seed)
    return reply({"account": account, "seed": chosen}, 201)


@route("clearVary")
def clear_vary(call: ControlCall) -> Answer | Response:
    call.rt.store.variation.clear(call.account_param)
    return reply()
