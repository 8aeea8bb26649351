"""Control routes for SMS: simulate an inbound SMS."""

from __future__ import annotations

from flask import Response, current_app

from ....base.errors import InvalidInput
from ....state.timefmt import parse
from ...frame.runtime import runtime_of
from .common import blueprint, body, reply


@blueprint.post("/accounts/<sid>/sms/inbound")
def inbound_sms(sid: str) -> Response:
    """``{"from", "to", "text", "at"?}`` → 201 with the inbound Sms; fires v2.sms.inbound.received."""
    data = body()
    for name in ("from", "to", "text"):
        if not isinstance(data.get(name), str):
            raise InvalidInput(f"{name}: required string (give 'from', 'to' and 'text')")
    try:
        at = parse(data["at"]) if data.get("at") else None
    except ValueError:
        raise InvalidInput("at: must be an RFC 3339 date-time") from None
    store = runtime_of(current_app).store
    with store.lock:
        account = store.account(sid)
        sms = account.sms.receive(data["from"], data["to"], data["text"], at=at)
        return reply(sms.to_api(), 201)
