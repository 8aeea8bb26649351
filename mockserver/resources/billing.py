"""Billing: prepaid credit and the destination price list."""

from __future__ import annotations

from callr_mock.resources import Call, Reply, handles
from callr_mock.state.billing import destinations


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
