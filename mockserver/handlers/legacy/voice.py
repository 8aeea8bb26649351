"""Legacy-only voice: broadcast and REALTIME calls, click-to-call, conference rooms.

Callr serves these until the JSON-RPC API shuts down on 30 June 2027 (REST v2 has none of
them: ``rosetta`` says what to use instead), and its SDK READMEs call them, so the sandbox
answers them on the shared state. Every call they start is a real outbound call record of
the account (``account.calls``): REST v2 sees it in ``POST /calls/export``, the
``v2.call.outbound.started``/``ended`` webhooks fire on the sandbox clock, and its minutes
are debited when it ends, exactly like a call added on the control API.

How a sandbox call goes [I: ours, Callr documents no outcome]: the callee answers after
``RING_SECONDS`` and the call lasts ``TALK_SECONDS`` (a broadcast: ``MESSAGE_SECONDS`` per
message, times ``loop``). A ``cli`` of ``BLOCKED`` (or none) hides the caller. The methods
answer the call's ``callid`` as a string (the ``callid`` of its legacy CDR).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ...state.calls import CallRecord
from ...state.phone import is_possible_number
from .apps import find_app
from .core import Ctx, P, Registry, RpcError, invalid_params, state_error_code
from .did import resolve_number
from .mapping import (
    BadValue,
    app_summary,
    legacy_date,
    parse_legacy_date,
    to_hash,
    to_sid,
)
from .state import legacy_state

METHODS = Registry()
RING_SECONDS = 5
TALK_SECONDS = 30
MESSAGE_SECONDS = 10
TIMEOUT_MAX = 300
BLOCKED = "BLOCKED"


# -- calls ---------------------------------------------------------------------------------
def target_of(value: Any, what: str = "target") -> dict[str, Any]:
    """A legacy ``Target`` ``{number, timeout}``: an E.164 number, a timeout 1..300 s."""
    if not isinstance(value, dict):
        raise BadValue(f"{what} must be an object {{number, timeout}}, not {value!r}")
    unknown = sorted(set(value) - {"number", "timeout"})
    if unknown:
        raise BadValue(
            f"{what}: unknown member(s) {', '.join(unknown)} (a Target is {{number, timeout}})"
        )
    number = value.get("number")
    if not isinstance(number, str) or not is_possible_number(number):
        raise BadValue(f"{what}.number must be a phone number in E.164 format, not {number!r}")
    timeout = value.get("timeout", 30)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= TIMEOUT_MAX:
        raise BadValue(f"{what}.timeout must be an integer 1..{TIMEOUT_MAX} (seconds)")
    return {"number": number, "timeout": timeout}


def cli_of(ctx: Ctx, cli: Any) -> str | None:
    """The caller id to show: ``None`` for ``BLOCKED`` or none, else one of the account's
    numbers (Callr only presents numbers the account may use)."""
    if cli is None or cli == BLOCKED:
        return None
    if not isinstance(cli, str) or ctx.account.numbers.find(cli) is None:
        raise BadValue(f"cli must be BLOCKED or one of this account's numbers, not {cli!r}")
    return cli


def place_call(
    ctx: Ctx, number: str, *, cli: str | None, talk: int, start: datetime | None = None
) -> CallRecord:
    """An outbound call to ``number``, answered after the ring."""
    data: dict[str, Any] = {
        "direction": "outbound",
        "callee": number,
        "started": (start or ctx.store.clock.now()).isoformat(),
        "durationTotal": RING_SECONDS + talk,
        "durationAnswered": talk,
    }
    if cli is None:
        data["callerRestricted"] = True
    else:
        data["callerNumber"] = cli
    return ctx.account.calls.add(data)


def _options(ctx: Ctx, options: Any, known: tuple[str, ...]) -> dict[str, Any]:
    options = dict(options or {})
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise invalid_params(
            f"{ctx.method}: unknown option(s) {', '.join(unknown)} (options: {', '.join(known)})"
        )
    return options


BROADCAST_OPTIONS = ("cdr_field", "cli", "loop")


@METHODS.method(
    "calls.broadcast_1",
    P("target", "object"),
    P("messages", "array"),
    P("options", "object|null", optional=True),
)
def calls_broadcast(ctx: Ctx, target: Any, messages: Any, options: Any) -> str:
    """Call ``target`` and play ``messages`` (media ids or ``TTS|VOICE|text``); the call's
    id (an outbound call record)."""
    found = target_of(target)
    if not isinstance(messages, list) or not messages:
        raise BadValue("messages must be a non-empty array of media ids or 'TTS|VOICE|text'")
    for index, message in enumerate(messages):
        if isinstance(message, bool) or not isinstance(message, int | str) or message == "":
            raise BadValue(f"messages[{index}] must be a media id or 'TTS|VOICE|text'")
    opts = _options(ctx, options, BROADCAST_OPTIONS)
    loop = opts.get("loop", 1)
    if not isinstance(loop, int) or isinstance(loop, bool) or not 1 <= loop <= 10:
        raise BadValue("options.loop must be an integer 1..10")
    talk = MESSAGE_SECONDS * len(messages) * loop
    cli = cli_of(ctx, opts.get("cli"))
    return str(place_call(ctx, found["number"], cli=cli, talk=talk).callid)


REALTIME_OPTIONS = ("cdr_field", "cli")


@METHODS.method(
    "calls.realtime",
    P("app"),
    P("target", "object"),
    P("options", "object|null", optional=True),
)
def calls_realtime(ctx: Ctx, app_hash: Any, target: Any, options: Any) -> str:
    """Start an outbound call driven by a REALTIME10 app; the call's id."""
    sid, app = find_app(ctx, app_hash)
    if app is None or app.package != "REALTIME10":
        raise BadValue(f"app {to_hash(sid)} is not a REALTIME10 app")
    found = target_of(target)
    opts = _options(ctx, options, REALTIME_OPTIONS)
    cli = cli_of(ctx, opts.get("cli"))
    return str(place_call(ctx, found["number"], cli=cli, talk=TALK_SECONDS).callid)


METHODS.alias(
    "dialr/call.realtime", METHODS["calls.realtime"], "The older name of ``calls.realtime``."
)


# -- click-to-call ----------------------------------------------------------------------------
CLICK_KIND = "clicktocall"
START_OPTIONS = ("schedule", "cli", "cdr_field")


def _targets(value: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise BadValue(f"{what} must be a non-empty array of targets {{number, timeout}}")
    return [target_of(item, f"{what}[{i}]") for i, item in enumerate(value)]


@METHODS.method(
    "clicktocall/calls.start_2",
    P("app"),
    P("a_targets", "array"),
    P("b_targets", "array"),
    P("options", "object|null", optional=True),
)
def click_start(ctx: Ctx, app_hash: Any, a_targets: Any, b_targets: Any, options: Any) -> str:
    """Call the first A target, then bridge it to the first B target; the click-to-call
    call's hash (``clicktocall/calls.get_status``)."""
    sid, app = find_app(ctx, app_hash)
    if app is None or app.package != "CLICKTOCALL10":
        raise BadValue(f"app {to_hash(sid)} is not a CLICKTOCALL10 app")
    side_a, side_b = _targets(a_targets, "a_targets"), _targets(b_targets, "b_targets")
    opts = _options(ctx, options, START_OPTIONS)
    cli = cli_of(ctx, opts.get("cli"))
    now = ctx.store.clock.now()
    start = now
    if opts.get("schedule") is not None:
        start = max(now, parse_legacy_date(opts["schedule"], "options.schedule"))
    talk = TALK_SECONDS
    # A rings and answers; B is dialled once A answers; both legs end together
    leg_a = place_call(ctx, side_a[0]["number"], cli=cli, talk=RING_SECONDS + talk, start=start)
    leg_b = place_call(
        ctx, side_b[0]["number"], cli=cli, talk=talk, start=start + timedelta(seconds=RING_SECONDS)
    )
    key = ctx.store.ids.sid()
    legacy_state(ctx.account).table(CLICK_KIND)[key] = {
        "hash": to_hash(key),
        "app": app_summary(app.sid, app.name, app.package),
        "a_targets": side_a,
        "b_targets": side_b,
        "a_callid": leg_a.callid,
        "b_callid": leg_b.callid,
        "cli": opts.get("cli") or BLOCKED,
        "cdr_field": opts.get("cdr_field"),
        "date_creation": now.isoformat(),
        "date_scheduled": start.isoformat() if start > now else None,
        "date_started": start.isoformat(),
        "date_update": now.isoformat(),
        "aborted": False,
    }
    return str(to_hash(key))


def _leg_status(ctx: Ctx, callid: int, number: str, aborted: bool) -> dict[str, Any]:
    now = ctx.store.clock.now()
    record = next((r for r in ctx.account.calls.items.values() if r.callid == callid), None)
    if record is None or aborted:
        status = "ABORTED"
    elif record.started > now:
        status = "DIALING"
    elif record.ended is not None and record.ended <= now:
        status = "HANGUP"
    elif record.answered is not None and record.answered <= now:
        status = "ANSWER"
    else:
        status = "DIALING"
    return {"callid": callid, "number": number, "status": status, "try": 1}


def _render_click(ctx: Ctx, call: dict[str, Any]) -> dict[str, Any]:
    aborted = bool(call["aborted"])
    return {
        "hash": call["hash"],
        "app": call["app"],
        "a_targets": call["a_targets"],
        "b_targets": call["b_targets"],
        "a_status": _leg_status(ctx, call["a_callid"], call["a_targets"][0]["number"], aborted),
        "b_status": _leg_status(ctx, call["b_callid"], call["b_targets"][0]["number"], aborted),
        "cli": call["cli"],
        "cdr_field": call["cdr_field"],
        "date_creation": legacy_date(call["date_creation"]),
        "date_scheduled": legacy_date(call["date_scheduled"]),
        "date_started": legacy_date(call["date_started"]),
        "date_update": legacy_date(call["date_update"]),
    }


def _click(ctx: Ctx, call_hash: Any) -> dict[str, Any]:
    return legacy_state(ctx.account).find(
        CLICK_KIND, to_sid(call_hash, "call hash"), "click-to-call call"
    )


@METHODS.method("clicktocall/calls.get_status", P("hash"))
def click_status(ctx: Ctx, call_hash: Any) -> dict[str, Any]:
    """A click-to-call call and the status of its two legs (``DIALING``, ``ANSWER``,
    ``HANGUP``, ``ABORTED``) on the sandbox clock."""
    return _render_click(ctx, _click(ctx, call_hash))


@METHODS.method("clicktocall/calls.get_list", P("app"), P("from"), P("to"))
def click_list(ctx: Ctx, app_hash: Any, date_from: Any, date_to: Any) -> list[dict[str, Any]]:
    """The app's click-to-call calls created from ``from`` to ``to`` (legacy dates)."""
    sid, _ = find_app(ctx, app_hash)
    after, before = parse_legacy_date(date_from, "from"), parse_legacy_date(date_to, "to")
    calls = legacy_state(ctx.account).table(CLICK_KIND).values()
    return [
        _render_click(ctx, call)
        for call in calls
        if call["app"]["hash"] == to_hash(sid)
        and after <= datetime.fromisoformat(call["date_creation"]) <= before + timedelta(seconds=1)
    ]


@METHODS.method("clicktocall/calls.cancel", P("hash"))
def click_cancel(ctx: Ctx, call_hash: Any) -> bool:
    """Cancel a scheduled click-to-call call (its legs are never dialled)."""
    call = _click(ctx, call_hash)
    now = ctx.store.clock.now()
    if datetime.fromisoformat(call["date_started"]) <= now:
        raise RpcError(
            state_error_code(400),
            f"{ctx.method}: call {call['hash']} has started; only a scheduled call can be cancelled",
            data={"code": "call-started", "status": 400},
        )
    for callid in (call["a_callid"], call["b_callid"]):
        for key, record in list(ctx.account.calls.items.items()):
            if record.callid == callid:
                ctx.account.calls.remove(key)
    call["aborted"] = True
    call["date_update"] = now.isoformat()
    return True


# -- conference rooms --------------------------------------------------------------------------
ROOM_KIND = "rooms"
ACCESS_LEVELS = ("GUEST", "ADMIN")
ROOM_PARAMS = ("open", "moh", "record", "lock_on_admin_leave", "start_on_admin_join")


def _access(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise BadValue("access must be an array of {pin, level, phone_number?}")
    found = []
    for index, item in enumerate(value):
        where = f"access[{index}]"
        if not isinstance(item, dict):
            raise BadValue(f"{where} must be an object {{pin, level, phone_number?}}")
        unknown = sorted(set(item) - {"pin", "level", "phone_number", "name"})
        if unknown:
            raise BadValue(f"{where}: unknown member(s) {', '.join(unknown)}")
        pin = item.get("pin")
        if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 8:
            raise BadValue(f"{where}.pin must be 4 to 8 digits, as a string")
        if item.get("level") not in ACCESS_LEVELS:
            raise BadValue(f"{where}.level must be GUEST or ADMIN")
        phone = item.get("phone_number")
        if phone is not None and not (isinstance(phone, str) and is_possible_number(phone)):
            raise BadValue(f"{where}.phone_number must be a phone number in E.164 format")
        found.append(item)
    return found


@METHODS.method(
    "conference/10.create_room",
    P("name"),
    P("params", "object|null"),
    P("access", "array|null", optional=True),
)
def create_room(ctx: Ctx, name: Any, params: Any, access: Any) -> dict[str, Any]:
    """Create a conference room (``CONFERENCE10``) with its PIN accesses."""
    if not name.strip() or len(name) > 64:
        raise BadValue("name must be 1 to 64 characters")
    params = dict(params or {})
    unknown = sorted(set(params) - set(ROOM_PARAMS))
    if unknown:
        raise BadValue(
            f"params: unknown member(s) {', '.join(unknown)} (params: {', '.join(ROOM_PARAMS)})"
        )
    accesses = []
    for item in _access(access or []):
        access_id = ctx.store.ids.sid()
        accesses.append(
            {
                "id": to_hash(access_id),
                "level": item["level"],
                "pin": item["pin"],
                "phone_number": item.get("phone_number"),
                "name": item.get("name"),
            }
        )
    key = ctx.store.ids.sid()
    now = ctx.store.clock.now()
    room = {
        "id": to_hash(key),
        "name": name,
        "params": {"open": bool(params.get("open", True)), **params},
        "access": accesses,
        "did": [],
        "date_creation": legacy_date(now),
    }
    legacy_state(ctx.account).table(ROOM_KIND)[key] = room
    return _render_room(ctx, room)


def _render_room(ctx: Ctx, room: dict[str, Any]) -> dict[str, Any]:
    owned = [e164 for e164 in room["did"] if ctx.account.numbers.find(e164) is not None]
    room["did"] = owned
    return {**room, "did": list(owned)}


def _room(ctx: Ctx, room_id: Any) -> dict[str, Any]:
    return legacy_state(ctx.account).find(ROOM_KIND, to_sid(room_id, "room id"), "conference room")


@METHODS.method("conference/10.assign_did", P("room_id"), P("did"))
def assign_did(ctx: Ctx, room_id: Any, did: Any) -> bool:
    """Route one of the account's numbers to a room (it leaves its REST scenario)."""
    room = _room(ctx, room_id)
    e164 = resolve_number(ctx, did)
    if ctx.account.numbers.get(e164).scenario is not None:
        ctx.account.numbers.unassign(e164)
    legacy_state(ctx.account).unlink(e164)
    for other in legacy_state(ctx.account).table(ROOM_KIND).values():
        if e164 in other["did"]:
            other["did"].remove(e164)
    room["did"].append(e164)
    return True


@METHODS.method(
    "conference/10.call_room_access",
    P("room_access_id"),
    P("cli", "string|null", optional=True),
    P("return_call_id", "boolean|null", optional=True),
)
def call_room_access(ctx: Ctx, access_id: Any, cli: Any, return_call_id: Any) -> Any:
    """Call the phone number of a room access and put it in the room; the call's id when
    ``return_call_id`` is true, else ``true``."""
    wanted = str(access_id).upper()
    for room in legacy_state(ctx.account).table(ROOM_KIND).values():
        for access in room["access"]:
            if access["id"] == wanted:
                if not access.get("phone_number"):
                    raise BadValue(f"room access {wanted} has no phone_number to call")
                record = place_call(
                    ctx, access["phone_number"], cli=cli_of(ctx, cli), talk=TALK_SECONDS
                )
                return str(record.callid) if return_call_id else True
    raise RpcError(
        state_error_code(404),
        f"{ctx.method}: no room access {wanted} on this account",
        data={"code": "not-found", "status": 404},
    )
