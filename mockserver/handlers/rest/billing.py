"""Billing: prepaid credit and the destination price list."""

from __future__ import annotations

from ...state.billing import destinations
from .call import Call, Reply, handles


@handles("getCredit")
def get_credit(call: Call) -> Reply:
    return Reply(200, call.account.credit.to_api())


@handles("listDestinations")
def list_destinations(call: Call) -> Reply:
    q = call.query
    return Reply(
        200,
        destinations(
            country=q.get("country"),
            type=q.get("type"),
            offset=q["offset"],
            limit=q["limit"],
        ),
    )
