"""Control routes for the sandbox as a whole: health, reset, accounts, seeding, state,
the sandbox clock, the request journal, coverage, contract violations, recorded events."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ....base.errors import InvalidInput, NotFound
from ....contract.coverage import report, spec_index
from ....handlers.legacy import methods as legacy_methods
from ....state.events import EVENT_TYPES
from ....state.timefmt import parse
from ...frame.frame import Answer
from .common import ControlCall, reply, route


@route("index")
@route("health")
def health(call: ControlCall) -> Answer | Response:
    rt = call.rt
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


@route("reset")
def reset(call: ControlCall) -> Answer | Response:
    call.rt.reset()
    return reply()


@route("listAccounts")
def list_accounts(call: ControlCall) -> Answer | Response:
    accounts = call.rt.store.accounts()
    return reply([{"sid": a.sid, "parent": a.parent} for a in accounts])


@route("createAccount")
def create_account(call: ControlCall) -> Answer | Response:
    data = call.body
    account = call.rt.store.create_account(
        data.get("sid"), data.get("key"), parent=data.get("parent"), credit=data.get("credit")
    )
    return reply({"sid": account.sid, "key": account.key or None, "parent": account.parent}, 201)


@route("deleteAccount")
def delete_account(call: ControlCall) -> Answer | Response:
    sid = str(call.path["sid"])
    call.rt.store.delete_account(sid)
    return reply()


@route("changeCredit")
def top_up(call: ControlCall) -> Answer | Response:
    sid = str(call.path["sid"])
    data = call.body
    store = call.rt.store
    with store.lock:
        account = store.account(sid)
        if "amount" in data:  # control.yaml: exactly one of amount, balance
            account.credit.topup(str(data["amount"]))
        else:
            account.credit.set(str(data["balance"]))
        return reply(account.credit.to_api())


@route("seed")
def seed(call: ControlCall) -> Answer | Response:
    data = call.body
    if "data" in data and not isinstance(data["data"], dict):
        raise InvalidInput(
            "seed data must be an object with an 'accounts' list (a packaged set goes in 'name')",
            code="invalid-seed",
        )
    source = data.get("data") or data.get("name")
    if source is None:
        raise InvalidInput("give 'name' (a packaged seed set) or 'data' (a seed document)")
    accounts = call.rt.seed(source, into=data.get("account"))
    return reply({"accounts": accounts})


@route("snapshot")
def state(call: ControlCall) -> Answer | Response:
    return reply(call.rt.store.snapshot(call.account_param))


@route("getClock")
def clock(call: ControlCall) -> Answer | Response:
    return reply(call.rt.store.clock.describe())


@route("freezeClock")
def freeze(call: ControlCall) -> Answer | Response:
    data = call.body
    store = call.rt.store
    at = parse(data["at"]) if data.get("at") else None
    with store.lock:
        store.clock.freeze(at)
        store.tick()
    return reply(store.clock.describe())


@route("unfreezeClock")
def unfreeze(call: ControlCall) -> Answer | Response:
    store = call.rt.store
    store.clock.unfreeze()
    return reply(store.clock.describe())


@route("restartClock")
def restart_clock(call: ControlCall) -> Answer | Response:
    """Back to the clock the server started with (``--clock``; real: the machine's time)."""
    store = call.rt.store
    with store.lock:
        store.clock.restart()
        store.tick()
    return reply(store.clock.describe())


@route("advanceClock")
def advance(call: ControlCall) -> Answer | Response:
    seconds = call.body["seconds"]  # control.yaml: required, a number from 0
    store = call.rt.store
    store.advance(float(seconds))
    return reply(store.clock.describe())


def _since(call: ControlCall) -> int:
    return int(call.query.get("since", 0))


@route("journal")
def journal(call: ControlCall) -> Answer | Response:
    return reply(call.rt.journal.list_entries(call.account_param, _since(call)))


@route("journalEntry")
def journal_entry(call: ControlCall) -> Answer | Response:
    """One entry with its request and answer: headers, bodies (cut, secrets redacted)."""
    seq = str(call.path["seq"])
    journal = call.rt.journal
    found = journal.entry(call.path["seq"])
    if found is None:
        raise NotFound(
            f"no journal entry with seq {seq}: not recorded yet, cleared (reset or DELETE "
            f"/_mock/journal), older than the last {journal.entries.maxlen} entries kept, or "
            "the seq of a violation (GET /_mock/violations)"
        )
    return reply(found)


@route("clearJournal")
def clear_journal(call: ControlCall) -> Answer | Response:
    call.rt.journal.clear()
    return reply()


@route("coverage")
def coverage(call: ControlCall) -> Answer | Response:
    """What the traffic exercised (all accounts, or ``?account=SID``): mockserver/coverage.py."""
    rt = call.rt
    account = call.account_param
    return reply(
        report(
            rt.coverage.raw(None if account is None else [account]),
            spec_index(rt.contract.document),
            legacy_methods(),
            EVENT_TYPES,
        )
    )


@route("violations")
def violations(call: ControlCall) -> Answer | Response:
    return reply(call.rt.journal.list_violations(call.account_param, _since(call)))


@route("events")
def events(call: ControlCall) -> Answer | Response:
    store = call.rt.store
    wanted_type = call.query.get("type")
    sid = call.account_param
    with store.lock:
        accounts = [store.account(sid)] if sid else store.accounts()
        found = [
            e.record()
            for a in accounts
            for e in a.events
            if wanted_type is None or e.type == wanted_type
        ]
    return reply(found)
