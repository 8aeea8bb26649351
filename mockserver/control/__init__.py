"""The control API under ``/_mock/`` (outside Callr's contract; see spec/control.yaml).

Reset, accounts, seeding, state snapshots, the sandbox clock, the request journal,
contract violations and recorded events. No authentication: it is a local sandbox.
Resource-specific control routes live in the sibling modules imported at the end.
"""

from __future__ import annotations

import json
from typing import Any

from callr_mock.state.errors import ApiError, InvalidInput
from callr_mock.state.timefmt import parse
from flask import Blueprint, Response, current_app, request

blueprint = Blueprint("control", __name__, url_prefix="/_mock")


def runtime() -> Any:
    return current_app.extensions["callr_mock"]


def reply(body: Any = None, status: int = 200) -> Response:
    if body is None:
        return Response(status=204 if status == 200 else status)
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


def body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise InvalidInput(
            f"control API body is not valid JSON: {error}", code="malformed-json"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("control API body must be a JSON object", code="invalid-body")
    return data


def account_param() -> str | None:
    return request.args.get("account") or None


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return reply(error.body(), error.status)


@blueprint.get("/")
@blueprint.get("/health")
def health() -> Response:
    rt = runtime()
    return reply(
        {
            "status": "ok",
            "spec": rt.contract.title,
            "operations": len(rt.contract.operations),
            "unhandled": sorted(rt.unhandled),
            "clock": rt.store.clock.describe(),
            "strict": rt.settings.strict,
        }
    )


@blueprint.post("/reset")
def reset() -> Response:
    runtime().reset()
    return reply()


@blueprint.get("/accounts")
def list_accounts() -> Response:
    accounts = runtime().store.accounts()
    return reply([{"sid": a.sid, "parent": a.parent} for a in accounts])


@blueprint.post("/accounts")
def create_account() -> Response:
    data = body()
    account = runtime().store.create_account(
        data.get("sid"), data.get("key"), parent=data.get("parent"), credit=data.get("credit")
    )
    return reply({"sid": account.sid, "key": account.key or None, "parent": account.parent}, 201)


@blueprint.delete("/accounts/<sid>")
def delete_account(sid: str) -> Response:
    runtime().store.delete_account(sid)
    return reply()


@blueprint.post("/accounts/<sid>/credit")
def top_up(sid: str) -> Response:
    data = body()
    store = runtime().store
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
    source = data.get("data") or data.get("name")
    if source is None:
        raise InvalidInput("give 'name' (a packaged seed set) or 'data' (a seed document)")
    accounts = runtime().seed(source, into=data.get("account"))
    return reply({"accounts": accounts})


@blueprint.get("/state")
def state() -> Response:
    return reply(runtime().store.snapshot(account_param()))


@blueprint.get("/clock")
def clock() -> Response:
    return reply(runtime().store.clock.describe())


@blueprint.post("/clock/freeze")
def freeze() -> Response:
    data = body()
    store = runtime().store
    at = parse(data["at"]) if data.get("at") else None
    with store.lock:
        store.clock.freeze(at)
        store.tick()
    return reply(store.clock.describe())


@blueprint.post("/clock/unfreeze")
def unfreeze() -> Response:
    store = runtime().store
    store.clock.unfreeze()
    return reply(store.clock.describe())


@blueprint.post("/clock/advance")
def advance() -> Response:
    seconds = body().get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise InvalidInput("'seconds' must be a number >= 0")
    store = runtime().store
    store.advance(float(seconds))
    return reply(store.clock.describe())


def _since() -> int:
    try:
        return int(request.args.get("since", "0"))
    except ValueError:
        raise InvalidInput("'since' must be an integer") from None


@blueprint.get("/journal")
def journal() -> Response:
    return reply(runtime().journal.list_entries(account_param(), _since()))


@blueprint.delete("/journal")
def clear_journal() -> Response:
    runtime().journal.clear()
    return reply()


@blueprint.get("/violations")
def violations() -> Response:
    return reply(runtime().journal.list_violations(account_param(), _since()))


@blueprint.get("/events")
def events() -> Response:
    store = runtime().store
    wanted_type = request.args.get("type")
    with store.lock:
        accounts = [store.account(account_param())] if account_param() else store.accounts()
        found = [
            e.envelope()
            for a in accounts
            for e in a.events
            if wanted_type is None or e.type == wanted_type
        ]
    return reply(found)


from callr_mock.control import calls, recordings, sms, webhooks  # noqa: E402,F401  (routes)
