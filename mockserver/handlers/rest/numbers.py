"""Numbers: the account's numbers and their scenario link (rules in state.numbers)."""

from __future__ import annotations

from ...state.numbers import UNSET
from .call import Call, Reply, handles


@handles("searchNumbers")
def search_numbers(call: Call) -> Reply:
    q = call.query
    found = call.account.numbers.search(
        country=q.get("country"),
        type=q.get("type"),
        number_class=q.get("class"),
        scenario=q.get("scenario"),
        sort=q["sort"],
        order=q["order"],
        offset=q["offset"],
        limit=q["limit"],
    )
    return Reply(200, found)


@handles("getNumber")
def get_number(call: Call) -> Reply:
    return Reply(200, call.account.numbers.get(call.path["number"]).to_api())


@handles("updateNumber")
def update_number(call: Call) -> Reply:
    b = call.body
    number = call.account.numbers.update(
        call.path["number"], scenario=b.get("scenario", UNSET), auto_renew=b.get("autoRenew")
    )
    return Reply(200, number.to_api())


@handles("releaseNumber")
def release_number(call: Call) -> Reply:
    call.account.numbers.release(call.path["number"])
    return Reply(204)


@handles("assignNumberScenario")
def assign_number_scenario(call: Call) -> Reply:
    number = call.account.numbers.assign(call.path["number"], call.path["sid"])
    return Reply(200, number.to_api())


@handles("unassignNumberScenario")
def unassign_number_scenario(call: Call) -> Reply:
    call.account.numbers.unassign(call.path["number"], call.path["sid"])
    return Reply(204)
