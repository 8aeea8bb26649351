"""Control routes for SMS: simulate an inbound SMS."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ....base.errors import InvalidInput
from ....state.timefmt import parse
from ...frame.frame import Answer
from .common import ControlCall, reply, route


@route("inboundSms")
def inbound_sms(call: ControlCall) -> Answer | Response:
    """``{"from", "to", "text", "at"?}`` → 201 with the inbound Sms; fires v2.sms.inbound.received."""
    sid = str(call.path["sid"])
    data = call.body
    try:
        at = parse(data["at"]) if data.get("at") else None
    except ValueError:
        raise InvalidInput("at: must be an RFC 3339 date-time") from None
    store = call.rt.store
    with store.lock:
        account = store.account(sid)
        sms = account.sms.receive(data["from"], data["to"], data["text"], at=at)
        return reply(sms.to_api(), 201)
