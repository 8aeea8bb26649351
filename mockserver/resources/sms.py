"""SMS: send, search, get."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callr_mock.resources import Call, Reply, handles
from callr_mock.state.errors import InvalidInput
from callr_mock.state.timefmt import parse


def query_date(query: dict[str, Any], name: str) -> datetime | None:
    """An RFC 3339 query parameter (already format-checked), or None when absent."""
    if name not in query:
        return None
    try:
        return parse(query[name])
    except ValueError as error:
        raise InvalidInput(f"{name}: not a valid RFC 3339 date-time ({error})") from None


@handles("sendSms")
def send_sms(call: Call) -> Reply:
    q = call.query
    sms = call.account.sms.send(
        q["to"],
        call.body["text"],
        sender_id=q.get("from"),
        encoding=q.get("encoding"),
        traffic_type=q.get("trafficType", "marketing"),
    )
    return Reply(201, sms.to_api())


@handles("searchSms")
def search_sms(call: Call) -> Reply:
    q = call.query
    result = call.account.sms.search(
        direction=q.get("direction"),
        sid=q.get("sid"),
        sender_prefix=q.get("from"),
        recipient_prefix=q.get("to"),
        text=q.get("text"),
        traffic_type=q.get("trafficType"),
        status=q.get("status"),
        created_after=query_date(q, "createdAfter"),
        created_before=query_date(q, "createdBefore"),
        sort=q.get("sort", "created"),
        order=q.get("order", "desc"),
        offset=q.get("offset", 0),
        limit=q.get("limit", 10),
    )
    return Reply(200, result)


@handles("getSms")
def get_sms(call: Call) -> Reply:
    return Reply(200, call.account.sms.get(call.path["sid"]).to_api())
