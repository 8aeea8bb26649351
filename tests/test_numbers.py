"""Owned numbers over HTTP, the three assignment routes, and the whole journey.

Journey: browse the store -> reserve -> buy -> create a scenario -> assign by each route
-> run -> release, every response checked against the spec by the strict server.
"""

from __future__ import annotations

from typing import Any

import pytest
from callr_mock.state.store import Store

SCRIPT = "branches:\n  inbound-call:\n    actions: []\n  api-initiated:\n    actions:\n      - action: log@v1\n"
GOLD: dict[str, Any] = {"class": "gold"}  # "class" is a keyword: passed as **GOLD


def buy(api: Any, quantity: int = 1, **criteria: Any) -> list[str]:
    body = {"country": "FR", "area": "paris", "quantity": quantity, **criteria}
    reservation = api.post(
        "/numbers/store", json={k: v for k, v in body.items() if v is not None}
    ).get_json()
    order = api.post(f"/numbers/store/{reservation['token']}")
    assert order.status_code == 200, order.get_json()
    return [n["e164"] for n in order.get_json()["numbers"]]


def scenario(api: Any, name: str = "Forwarding") -> str:
    response = api.post("/actions", json={"name": name, "script": SCRIPT})
    assert response.status_code == 201, response.get_json()
    sid: str = response.get_json()["sid"]
    return sid


def events(client: Any, kind: str) -> list[dict[str, Any]]:
    return [e["payload"] for e in client.get(f"/_mock/events?type={kind}").get_json()]


# -- the journey -------------------------------------------------------------------------
def test_the_whole_journey(api: Any, client: Any) -> None:
    countries = api.get("/numbers/store/countries").get_json()["hits"]
    assert "FR" in {c["country"] for c in countries}
    types = api.get("/numbers/store/types?country=FR").get_json()["hits"]
    assert "geographic" in {t["type"] for t in types}
    paris = api.get("/numbers/store/prefixes?country=FR&area=paris").get_json()["hits"][0]
    assert paris["prefix"] == "+331" and paris["available"] > 3

    reservation = api.post("/numbers/store", json={"country": "FR", "area": "paris", "quantity": 3})
    assert reservation.status_code == 201
    order = api.post(f"/numbers/store/{reservation.get_json()['token']}")
    assert order.status_code == 200
    first, second, third = [n["e164"] for n in order.get_json()["numbers"]]

    sid = scenario(api)
    # route 1: PUT /actions/{sid}/numbers/{number} answers the Scenario
    by_action = api.put(f"/actions/{sid}/numbers/{first}")
    assert by_action.status_code == 200
    assert [n["e164"] for n in by_action.get_json()["numbers"]] == [first]
    # route 2: PUT /numbers/{number}/scenario/{sid} answers the Number
    by_number = api.put(f"/numbers/{second}/scenario/{sid}")
    assert by_number.status_code == 200 and by_number.get_json()["scenario"] == sid
    # route 3: PATCH /numbers/{number}
    by_patch = api.patch(f"/numbers/{third}", json={"scenario": sid})
    assert by_patch.status_code == 200 and by_patch.get_json()["assigned"] is not None

    shown = api.get(f"/actions/{sid}").get_json()
    assert [n["e164"] for n in shown["numbers"]] == [first, second, third]
    listed = api.get(f"/numbers?scenario={sid}").get_json()
    assert listed["total"] == 3
    assert len(events(client, "v2.number.assigned")) == 3

    run = api.post(f"/actions/{sid}/runs", json={"variables": {"$caller": first}})
    assert run.status_code == 202
    api.advance(5)
    task = api.get(f"/tasks/{run.get_json()['sid']}").get_json()
    assert task["status"] == "done"
    assert task["result"] == {"scenario": sid, "variables": {"$caller": first}}

    for number in (first, second, third):
        assert api.delete(f"/numbers/{number}").status_code == 204
    assert api.get(f"/actions/{sid}").get_json()["numbers"] == []
    assert api.get("/numbers").get_json()["total"] == 0
    assert len(events(client, "v2.number.unassigned")) == 3


# -- owned numbers -------------------------------------------------------------------------
def test_get_accepts_literal_and_encoded_plus(api: Any) -> None:
    (e164,) = buy(api)
    literal = api.get(f"/numbers/{e164}")
    encoded = api.get(f"/numbers/%2B{e164[1:]}")
    assert literal.status_code == encoded.status_code == 200
    assert literal.get_json() == encoded.get_json()
    assert literal.get_json()["e164"] == e164
    assert api.put(f"/numbers/%2B{e164[1:]}/scenario/{scenario(api)}").status_code == 200


def test_number_object(api: Any) -> None:
    (e164,) = buy(api, **GOLD)
    number = api.get(f"/numbers/{e164}").get_json()
    assert number == {
        "e164": e164,
        "country": "FR",
        "type": "geographic",
        "class": "gold",
        "scenario": None,
        "assigned": None,
        "autoRenew": True,
        "monthlyPrice": "500.00",
        "currency": "EUR",
        "created": number["created"],
    }


@pytest.mark.parametrize(
    ("path", "status"), [("/numbers/+33100000000", 404), ("/numbers/0612345678", 400)]
)
def test_unknown_or_malformed_number(api: Any, path: str, status: int) -> None:
    for method in ("get", "delete"):
        assert getattr(api, method)(path).status_code == status
    assert api.patch(path, json={"autoRenew": False}).status_code == status


def test_numbers_are_private_to_their_account(api: Any, other_api: Any) -> None:
    (e164,) = buy(api)
    assert other_api.get(f"/numbers/{e164}").status_code == 404
    assert other_api.delete(f"/numbers/{e164}").status_code == 404
    assert other_api.get("/numbers").get_json()["total"] == 0


def test_search_filters_sort_and_pages(api: Any) -> None:
    paris = buy(api, quantity=3)
    api.advance(1)
    gold = buy(api, **GOLD)
    api.advance(1)
    mobile = buy(api, area=None, type="mobile")
    api.advance(1)
    london = buy(api, country="GB", area="london")
    newest_first = [n["e164"] for n in api.get("/numbers?limit=100").get_json()["hits"]]
    assert newest_first[:3] == [*london, *mobile, *gold]
    assert set(newest_first[3:]) == set(paris)
    assert [
        n["e164"] for n in api.get("/numbers?sort=e164&order=asc&limit=100").get_json()["hits"]
    ] == sorted(newest_first)
    assert [n["e164"] for n in api.get("/numbers?country=GB").get_json()["hits"]] == london
    assert [n["e164"] for n in api.get("/numbers?type=mobile").get_json()["hits"]] == mobile
    assert [n["e164"] for n in api.get("/numbers?class=gold").get_json()["hits"]] == gold
    page = api.get("/numbers?limit=2&offset=2").get_json()
    assert page["total"] == 6 and page["hasMore"] is True and len(page["hits"]) == 2
    assert api.get("/numbers?class=silver").status_code == 400


def test_patch_auto_renew(api: Any) -> None:
    (e164,) = buy(api)
    response = api.patch(f"/numbers/{e164}", json={"autoRenew": False})
    assert response.status_code == 200 and response.get_json()["autoRenew"] is False
    assert api.get(f"/numbers/{e164}").get_json()["autoRenew"] is False
    assert api.patch(f"/numbers/{e164}", json={}).status_code == 400
    assert api.patch(f"/numbers/{e164}", json={"label": "x"}).status_code == 400


def test_patch_with_unknown_scenario_changes_nothing(api: Any) -> None:
    (e164,) = buy(api)
    response = api.patch(f"/numbers/{e164}", json={"scenario": "zzzzzzzz", "autoRenew": False})
    assert response.status_code == 404 and response.get_json()["code"] == "not-found"
    assert api.get(f"/numbers/{e164}").get_json()["autoRenew"] is True


# -- assignment: three routes, one truth ------------------------------------------------------
def test_assigning_elsewhere_moves_the_number(api: Any, client: Any) -> None:
    (e164,) = buy(api)
    one, two = scenario(api, "One"), scenario(api, "Two")
    api.put(f"/actions/{one}/numbers/{e164}")
    api.advance(2)
    moved = api.put(f"/numbers/{e164}/scenario/{two}").get_json()
    assert moved["scenario"] == two and moved["assigned"] == "2026-01-01T12:00:02.000Z"
    assert api.get(f"/actions/{one}").get_json()["numbers"] == []
    assert [n["e164"] for n in api.get(f"/actions/{two}").get_json()["numbers"]] == [e164]
    kinds = [
        (e["type"], e["payload"]["scenario"])
        for e in client.get("/_mock/events").get_json()
        if e["type"].startswith("v2.number.")
    ]
    assert kinds == [
        ("v2.number.assigned", one),
        ("v2.number.unassigned", None),
        ("v2.number.assigned", two),
    ]


def test_reassigning_to_the_same_scenario_is_idempotent(api: Any, client: Any) -> None:
    (e164,) = buy(api)
    sid = scenario(api)
    first = api.put(f"/actions/{sid}/numbers/{e164}").get_json()
    api.advance(5)
    again = api.put(f"/actions/{sid}/numbers/{e164}").get_json()
    assert first == again
    assert (
        api.patch(f"/numbers/{e164}", json={"scenario": sid}).get_json()["assigned"]
        == first["numbers"][0]["assigned"]
    )
    assert len(events(client, "v2.number.assigned")) == 1


@pytest.mark.parametrize("route", ["actions", "numbers", "patch"])
def test_unassign_by_each_route(api: Any, client: Any, route: str) -> None:
    (e164,) = buy(api)
    sid = scenario(api)
    api.patch(f"/numbers/{e164}", json={"scenario": sid})
    if route == "actions":
        assert api.delete(f"/actions/{sid}/numbers/{e164}").status_code == 204
    elif route == "numbers":
        assert api.delete(f"/numbers/{e164}/scenario/{sid}").status_code == 204
    else:
        assert api.patch(f"/numbers/{e164}", json={"scenario": None}).get_json()["scenario"] is None
    number = api.get(f"/numbers/{e164}").get_json()
    assert number["scenario"] is None and number["assigned"] is None
    assert api.get(f"/actions/{sid}").get_json()["numbers"] == []
    (payload,) = events(client, "v2.number.unassigned")
    assert payload == number


def test_unassign_errors(api: Any) -> None:
    (e164,) = buy(api)
    one, two = scenario(api, "One"), scenario(api, "Two")
    api.put(f"/actions/{one}/numbers/{e164}")
    wrong = api.delete(f"/actions/{two}/numbers/{e164}")
    assert (
        wrong.status_code == 404
        and f"not assigned to scenario {two}" in wrong.get_json()["message"]
    )
    assert api.delete(f"/numbers/{e164}/scenario/{two}").status_code == 404
    assert api.get(f"/numbers/{e164}").get_json()["scenario"] == one
    assert api.delete(f"/actions/zzzzzzzz/numbers/{e164}").status_code == 404
    assert api.delete(f"/actions/{one}/numbers/+33100000000").status_code == 404
    api.delete(f"/actions/{one}/numbers/{e164}")
    assert api.delete(f"/actions/{one}/numbers/{e164}").status_code == 404
    # PATCH scenario: null on an unassigned number is a no-op, not an error
    assert api.patch(f"/numbers/{e164}", json={"scenario": None}).status_code == 200


def test_assign_errors(api: Any, other_api: Any) -> None:
    (e164,) = buy(api)
    sid = scenario(api)
    assert api.put(f"/actions/zzzzzzzz/numbers/{e164}").status_code == 404
    assert api.put(f"/numbers/{e164}/scenario/zzzzzzzz").status_code == 404
    assert api.put(f"/actions/{sid}/numbers/+33100000000").status_code == 404
    assert api.put(f"/numbers/+33100000000/scenario/{sid}").status_code == 404
    assert api.put(f"/actions/BADSID!!/numbers/{e164}").status_code == 400
    theirs = scenario(other_api)
    assert api.put(f"/actions/{theirs}/numbers/{e164}").status_code == 404
    assert other_api.put(f"/actions/{theirs}/numbers/{e164}").status_code == 404
    assert api.get(f"/numbers/{e164}").get_json()["scenario"] is None


def test_deleting_a_scenario_unassigns_its_numbers(api: Any, client: Any) -> None:
    numbers = buy(api, quantity=2)
    sid = scenario(api)
    for e164 in numbers:
        api.put(f"/actions/{sid}/numbers/{e164}")
    assert api.delete(f"/actions/{sid}").status_code == 204
    for e164 in numbers:
        assert api.get(f"/numbers/{e164}").get_json()["scenario"] is None
    assert len(events(client, "v2.number.unassigned")) == 2
    assert api.get(f"/numbers?scenario={sid}").get_json()["total"] == 0


def test_release_detaches_then_forgets(api: Any, client: Any) -> None:
    (e164,) = buy(api)
    sid = scenario(api)
    api.put(f"/actions/{sid}/numbers/{e164}")
    assert api.delete(f"/numbers/%2B{e164[1:]}").status_code == 204
    assert api.get(f"/numbers/{e164}").status_code == 404
    assert api.delete(f"/numbers/{e164}").status_code == 404
    assert api.get(f"/actions/{sid}").get_json()["numbers"] == []
    (payload,) = events(client, "v2.number.unassigned")
    assert payload["e164"] == e164 and payload["scenario"] is None


# -- state rules and seeds ------------------------------------------------------------------
def test_repo_rules_without_http() -> None:
    store = Store(seed=7)
    account = store.create_account("acc0unt1", "k1")
    from decimal import Decimal

    number = account.numbers.add(
        "+33142000000",
        country="FR",
        type="geographic",
        number_class="classic",
        monthly_price=Decimal("1"),
        created=store.clock.now(),
    )
    sid = account.scenarios.create(name="A", script="branches: {}").sid
    account.numbers.assign(number.e164, sid)
    assert account.numbers.assigned_to(sid) == [number]
    account.numbers.release(number.e164)
    assert account.numbers.find(number.e164) is None
    assert [e.type for e in account.events] == ["v2.number.assigned", "v2.number.unassigned"]


def test_seed_numbers_and_scenarios(api: Any, client: Any) -> None:
    seed = {
        "accounts": [
            {
                "sid": "seedacc1",
                "key": "seed-key-1",
                "scenarios": [
                    {
                        "sid": "callrsid",
                        "name": "Seeded",
                        "script": SCRIPT,
                        "format": "yaml",
                        "numbers": [
                            {
                                "e164": "+33142000001",
                                "class": "classic",
                                "type": "geographic",
                                "assigned": "2024-04-24T17:42:28.000Z",
                                "country": "FR",
                            }
                        ],
                        "version": "1.0",
                        "created": "2024-04-24T17:42:28.000Z",
                        "updated": "2024-04-24T17:42:28.000Z",
                    }
                ],
                "numbers": [
                    {
                        "e164": "+33142000002",
                        "country": "FR",
                        "type": "geographic",
                        "class": "gold",
                        "scenario": "callrsid",
                        "assigned": "2024-05-01T00:00:00.000Z",
                        "autoRenew": False,
                        "monthlyPrice": "500.00",
                        "currency": "EUR",
                        "created": "2024-04-01T00:00:00.000Z",
                    }
                ],
            }
        ]
    }
    assert client.post("/_mock/seed", json={"data": seed}).status_code == 200
    seeded = type(api)(client, "seed-key-1")
    shown = seeded.get("/actions/callrsid").get_json()
    assert [n["e164"] for n in shown["numbers"]] == ["+33142000001", "+33142000002"]
    first = seeded.get("/numbers/+33142000001").get_json()
    assert first["scenario"] == "callrsid" and first["monthlyPrice"] == "100.00"
    assert seeded.get("/numbers/+33142000002").get_json()["autoRenew"] is False
    state = client.get("/_mock/state?account=seedacc1").get_json()["accounts"][0]
    assert len(state["numbers"]) == 2 and state["scenarios"][0]["sid"] == "callrsid"
