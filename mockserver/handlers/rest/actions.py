"""Actions: Callr Actions scenarios, their runs and numbers (rules in state.scenarios)."""

from __future__ import annotations

from .call import Call, Reply, handles


@handles("searchScenarios")
def search_scenarios(call: Call) -> Reply:
    q = call.query
    found = call.account.scenarios.search(
        name=q.get("name"), sort=q["sort"], order=q["order"], offset=q["offset"], limit=q["limit"]
    )
    return Reply(200, found)


@handles("createScenario")
def create_scenario(call: Call) -> Reply:
    b = call.body
    scenario = call.account.scenarios.create(
        name=b["name"], script=b["script"], format=b.get("format", "yaml")
    )
    return Reply(201, scenario.to_api())


@handles("getScenario")
def get_scenario(call: Call) -> Reply:
    return Reply(200, call.account.scenarios.get(call.path["sid"]).to_api())


@handles("updateScenario")
def update_scenario(call: Call) -> Reply:
    b = call.body
    scenario = call.account.scenarios.update(
        call.path["sid"], name=b.get("name"), script=b.get("script"), format=b.get("format")
    )
    return Reply(200, scenario.to_api())


@handles("deleteScenario")
def delete_scenario(call: Call) -> Reply:
    call.account.scenarios.delete(call.path["sid"])
    return Reply(204)


@handles("runScenario")
def run_scenario(call: Call) -> Reply:
    variables = (call.body or {}).get("variables")
    return Reply(202, call.account.scenarios.run(call.path["sid"], variables).to_api())


@handles("assignScenarioNumber")
def assign_scenario_number(call: Call) -> Reply:
    call.account.numbers.assign(call.path["number"], call.path["sid"])
    return Reply(200, call.account.scenarios.get(call.path["sid"]).to_api())


@handles("unassignScenarioNumber")
def unassign_scenario_number(call: Call) -> Reply:
    call.account.numbers.unassign(call.path["number"], call.path["sid"])
    return Reply(204)
