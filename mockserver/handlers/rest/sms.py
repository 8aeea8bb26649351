"""SMS: send, search, get."""

from __future__ import annotations

from .call import Call, Reply, handles


@handles("sendSms")
def send_sms(call: Call) -> Reply:
    q = call.query
    sms = call.account.sms.send(
        q["to"],
        call.body["text"],
        sender_id=q.get("from"),
        encoding=q.get("encoding"),
        traffic_type=q["trafficType"],
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
        created_after=call.date("createdAfter"),
        created_before=call.date("createdBefore"),
        sort=q["sort"],
        order=q["order"],
        offset=q["offset"],
        limit=q["limit"],
    )
    return Reply(200, result)


@handles("getSms")
def get_sms(call: Call) -> Reply:
    return Reply(200, call.account.sms.get(call.path["sid"]).to_api())
