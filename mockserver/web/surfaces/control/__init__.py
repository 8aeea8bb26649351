"""The control API under ``/_mock/`` (outside Callr's contract; see spec/control.yaml).

Reset, accounts, seeding, state snapshots, the sandbox clock, the request journal,
contract violations and recorded events. No authentication: it is a local sandbox.
Resource-specific control routes live in the sibling modules imported at the end; the
blueprint and the helpers they share are in ``common.py``.
"""

from __future__ import annotations

from flask import Response, current_app

from ....base.errors import InvalidInput, NotFound
from ....contract.coverage import report, spec_index
from ....handlers.legacy import methods as legacy_methods
from ....state.events import EVENT_TYPES
from ....state.timefmt import parse
from ...frame.runtime import runtime_of
from .common import account_param, blueprint, body, path_values, query, reply

__all__ = ["blueprint"]


@blueprint.get("/")
@blueprint.get("/health")
def health() -> Response:
    rt = runtime_of(current_app)
    state_file = rt.persistence
    problem = state_file.problem if state_file is not None else None
    extra = {}
    if state_file is not None:
        extra["stateFile"] = {
            "path": str(state_file.path),
            "saves": state_file.saves,
            "problem": problem,
        }
    return reply(
        {
            "status": "failing" if problem else "ok",
            **extra,
            "spec": rt.contract.title,
            "operations": len(rt.contract.operations),
            "unhandled": sorted(rt.unhandled),
            "clock": rt.store.clock.describe(),
            "strict": rt.settings.strict,
        }
    )


@blueprint.post("/reset")
def reset() -> Response:
    runtime_of(current_app).reset()
    return reply()


@blueprint.get("/accounts")
def list_accounts() -> Response:
    accounts = runtime_of(current_app).store.accounts()
    return reply([{"sid": a.sid, "parent": a.parent} for a in accounts])


@blueprint.post("/accounts")
def create_account() -> Response:
    data = body()
    account = runtime_of(current_app).store.create_account(
        data.get("sid"), data.get("key"), parent=data.get("parent"), credit=data.get("credit")
    )
    return reply({"sid": account.sid, "key": account.key or None, "parent": account.parent}, 201)


@blueprint.delete("/accounts/<sid>")
def delete_account(sid: str) -> Response:
    runtime_of(current_app).store.delete_account(sid)
    return reply()


@blueprint.post("/accounts/<sid>/credit")
def top_up(sid: str) -> Response:
    data = body()
    store = runtime_of(current_app).store
    with store.lock:
        account = store.account(sid)
        if "amount" in data:
            account.credit.topup(str(data["amount"]))
        elif "balance" in data:
            account.credit.set(str(data["balance"]))
        else:
            raise InvalidInput(
                "give 'amount' (a top-up, fires v2.billing.credit.topup) or 'balance'"
            )
        return reply(account.credit.to_api())


@blueprint.post("/seed")
def seed() -> Response:
    data = body()
    if "data" in data and not isinstance(data["data"], dict):
        raise InvalidInput(
            "seed data must be an object with an 'accounts' list (a packaged set goes in 'name')",
            code="invalid-seed",
        )
    source = data.get("data") or data.get("name")
    if source is None:
        raise InvalidInput("give 'name' (a packaged seed set) or 'data' (a seed document)")
    accounts = runtime_of(current_app).seed(source, into=data.get("account"))
    return reply({"accounts": accounts})


@blueprint.get("/state")
def state() -> Response:
    return reply(runtime_of(current_app).store.snapshot(account_param()))


@blueprint.get("/clock")
def clock() -> Response:
    return reply(runtime_of(current_app).store.clock.describe())


@blueprint.post("/clock/freeze")
def freeze() -> Response:
    data = body()
    store = runtime_of(current_app).store
    at = parse(data["at"]) if data.get("at") else None
    with store.lock:
        store.clock.freeze(at)
        store.tick()
    return reply(store.clock.describe())


@blueprint.post("/clock/unfreeze")
def unfreeze() -> Response:
    store = runtime_of(current_app).store
    store.clock.unfreeze()
    return reply(store.clock.describe())


@blueprint.post("/clock/restart")
def restart_clock() -> Response:
    """Back to the clock the server started with (``--clock``; real: the machine's time)."""
    store = runtime_of(current_app).store
    with store.lock:
        store.clock.restart()
        store.tick()
    return reply(store.clock.describe())


@blueprint.post("/clock/advance")
def advance() -> Response:
    seconds = body().get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise InvalidInput("'seconds' must be a number >= 0")
    store = runtime_of(current_app).store
    store.advance(float(seconds))
    return reply(store.clock.describe())


def _since() -> int:
    return int(query().get("since", 0))


@blueprint.get("/journal")
def journal() -> Response:
    return reply(runtime_of(current_app).journal.list_entries(account_param(), _since()))


@blueprint.get("/journal/<seq>")
def journal_entry(seq: str) -> Response:
    """One entry with its request and answer: headers, bodies (cut, secrets redacted)."""
    journal = runtime_of(current_app).journal
    found = journal.entry(path_values()["seq"])
    if found is None:
        raise NotFound(
            f"no journal entry with seq {seq}: not recorded yet, cleared (reset or DELETE "
            f"/_mock/journal), older than the last {journal.entries.maxlen} entries kept, or "
            "the seq of a violation (GET /_mock/violations)"
        )
    return reply(found)


@blueprint.delete("/journal")
def clear_journal() -> Response:
    runtime_of(current_app).journal.clear()
    return reply()


@blueprint.get("/coverage")
def coverage() -> Response:
    """What the traffic exercised (all accounts, or ``?account=SID``): mockserver/coverage.py."""
    rt = runtime_of(current_app)
    account = account_param()
    return reply(
        report(
            rt.coverage.raw(None if account is None else [account]),
            spec_index(rt.contract.document),
            legacy_methods(),
            EVENT_TYPES,
        )
    )


@blueprint.get("/violations")
def violations() -> Response:
    return reply(runtime_of(current_app).journal.list_violations(account_param(), _since()))


@blueprint.get("/events")
def events() -> Response:
    store = runtime_of(current_app).store
    wanted_type = query().get("type")
    sid = account_param()
    with store.lock:
        accounts = [store.account(sid)] if sid else store.accounts()
        found = [
            e.record()
            for a in accounts
            for e in a.events
            if wanted_type is None or e.type == wanted_type
        ]
    return reply(found)


from . import calls, faults, recordings, sms, ui, vary, webhooks  # noqa: E402,F401  (routes)
