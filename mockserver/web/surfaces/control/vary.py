"""Control routes for contract-valid variation (``state/variation.py``, ``vary.py``)."""

from __future__ import annotations

from flask import Response, current_app

from ....base.errors import InvalidInput, NotFound
from ....state.faults import check_fields
from ....state.variation import MAX_SEED
from ...frame.runtime import Runtime, runtime_of
from .common import account_param, blueprint, body, reply


def runtime() -> Runtime:
    return runtime_of(current_app)


VARY_FIELDS = {
    "account": "the account whose responses vary (default: every account)",
    "seed": "seed of the variation (default: a new random one, returned)",
}


@blueprint.get("/vary")
def get_vary() -> Response:
    return reply(runtime().store.variation.describe())


@blueprint.post("/vary")
def set_vary() -> Response:
    data = body()
    check_fields(data, VARY_FIELDS, "variation")
    store = runtime().store
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


@blueprint.delete("/vary")
def clear_vary() -> Response:
    runtime().store.variation.clear(account_param())
    return reply()
