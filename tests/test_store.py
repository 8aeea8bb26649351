"""The number store over HTTP: browse, reserve, buy, cancel, expiry, and every error path."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.state.catalogue import is_memorable
from callr_mock.state.number_store import pool_of

TOKEN = re.compile(r"^[A-Za-z0-9]{40}$")
GOLD: dict[str, Any] = {"class": "gold"}  # "class" is a keyword: passed as **GOLD


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def reserve(api: Any, status: int = 201, **body: Any) -> dict[str, Any]:
    response = api.post("/numbers/store", json={"country": "FR", **body})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def available(api: Any, area: str, country: str = "FR") -> int:
    hits = api.get(f"/numbers/store/prefixes?country={country}&area={area}").get_json()["hits"]
    return next(h["available"] for h in hits if h["area"] == area)


def balance(api: Any) -> Decimal:
    return Decimal(api.get("/billing/credit").get_json()["balance"])


# -- browsing ------------------------------------------------------------------------
def test_countries_sorted_and_paged(api: Any) -> None:
    body = api.get("/numbers/store/countries?limit=100").get_json()
    codes = [c["country"] for c in body["hits"]]
    assert codes == sorted(codes)
    assert {"FR", "GB", "US", "DE", "ES", "BE", "CH", "IT", "NL"} <= set(codes)
    assert {"country": "FR", "name": "France", "callingCode": "+33"} in body["hits"]
    page = api.get("/numbers/store/countries?limit=3&offset=3").get_json()
    assert page["hits"] == body["hits"][3:6]
    assert page["total"] == len(codes) and page["hasMore"] is True


def test_types_of_a_country(api: Any) -> None:
    body = api.get("/numbers/store/types?country=FR").get_json()
    assert [t["type"] for t in body["hits"]] == ["geographic", "mobile", "tollfree", "national"]
    assert body["hits"][0] == {"country": "FR", "type": "geographic", "name": "Geographic"}
    assert [t["type"] for t in api.get("/numbers/store/types?country=US").get_json()["hits"]] == [
        "geographic",
        "tollfree",
    ]


@pytest.mark.parametrize(
    ("query", "code", "named"),
    [
        ("country=JP", "not-sold", "FR"),
        ("", "missing-parameter", "country"),
        ("country=fr", "invalid-parameter", "country"),
    ],
)
def test_types_errors(api: Any, query: str, code: str, named: str) -> None:
    response = api.get(f"/numbers/store/types?{query}")
    assert response.status_code == 400
    assert response.get_json()["code"] == code
    assert named in response.get_json()["message"]


def test_prefixes_filter_by_prefix_area_and_type(api: Any) -> None:
    every = api.get("/numbers/store/prefixes?country=FR&prefix=%2B33&limit=100").get_json()
    assert every["total"] == len(every["hits"]) > 30
    paris = api.get("/numbers/store/prefixes?country=FR&prefix=%2B331").get_json()["hits"]
    assert [(h["prefix"], h["area"]) for h in paris] == [("+331", "paris"), ("+33199", "sold-out")]
    lyon = api.get("/numbers/store/prefixes?country=FR&area=lyon").get_json()["hits"]
    assert lyon == [
        {
            "country": "FR",
            "type": "geographic",
            "prefix": "+33472",
            "area": "lyon",
            "name": "Lyon",
            "available": 48,
        }
    ]
    region = api.get("/numbers/store/prefixes?country=FR&area=north-west").get_json()
    areas = [h["area"] for h in region["hits"]]
    assert areas[0] == "north-west" and {"rennes", "nantes"} <= set(areas)
    assert region["hits"][0]["available"] == sum(h["available"] for h in region["hits"][1:])
    mobile = api.get("/numbers/store/prefixes?country=FR&type=mobile").get_json()["hits"]
    assert [h["prefix"] for h in mobile] == ["+336", "+337"]
    assert api.get("/numbers/store/prefixes?country=FR&prefix=%2B44").get_json()["total"] == 0
    assert available(api, "sold-out") == 0


def test_prefix_with_a_literal_plus_in_the_query_is_a_space(api: Any) -> None:
    response = api.get("/numbers/store/prefixes?country=FR&prefix=+331")
    assert response.status_code == 400  # "+" in a query string means a space; send %2B


# -- reserve ---------------------------------------------------------------------------
def test_reserve_returns_a_priced_five_minute_hold(api: Any) -> None:
    body = reserve(api, area="lyon", quantity=3)
    assert TOKEN.match(body["token"])
    assert body["status"] == "reserved" and body["quantity"] == 3
    assert (body["country"], body["type"], body["class"]) == ("FR", "geographic", "classic")
    assert when(body["expires"]) - when(body["created"]) == timedelta(minutes=5)
    assert len({n["e164"] for n in body["numbers"]}) == 3
    for number in body["numbers"]:
        assert number["e164"].startswith("+33472") and not is_memorable(number["e164"])
        assert number == {
            "e164": number["e164"],
            "country": "FR",
            "type": "geographic",
            "class": "classic",
        }
    assert body["price"] == {
        "setup": "100.00",
        "monthly": "100.00",
        "total": "600.00",
        "currency": "EUR",
    }
    assert available(api, "lyon") == 45


def test_gold_numbers_are_memorable_and_cost_more(api: Any) -> None:
    gold = reserve(api, area="paris", quantity=2, **GOLD)
    assert all(is_memorable(n["e164"]) and n["class"] == "gold" for n in gold["numbers"])
    classic = reserve(api, area="paris")
    assert Decimal(gold["price"]["setup"]) > Decimal(classic["price"]["setup"])
    assert Decimal(gold["price"]["monthly"]) > Decimal(classic["price"]["monthly"])


def test_reserve_by_prefix_narrower_than_an_area(api: Any) -> None:
    body = reserve(api, prefix="+332", quantity=10)
    assert all(n["e164"].startswith("+332") for n in body["numbers"])
    narrow = reserve(api, prefix="+33299", area="north-west")
    assert narrow["numbers"][0]["e164"].startswith("+33299")
    other = reserve(api, country="GB", type="mobile")
    assert other["numbers"][0]["e164"].startswith("+447")


def test_reserved_numbers_are_not_offered_to_another_account(api: Any, other_api: Any) -> None:
    mine = reserve(api, area="rennes", **GOLD, quantity=8)  # the whole gold stock
    assert available(other_api, "rennes") == 40
    response = other_api.post(
        "/numbers/store", json={"country": "FR", "area": "rennes", "class": "gold"}
    )
    assert response.status_code == 400 and response.get_json()["code"] == "sold-out"
    assert api.delete(f"/numbers/store/{mine['token']}").status_code == 204
    theirs = reserve(other_api, area="rennes", **GOLD, quantity=8)
    assert {n["e164"] for n in theirs["numbers"]} == {n["e164"] for n in mine["numbers"]}


def test_not_enough_numbers_left(api: Any) -> None:
    reserve(api, area="brest", **GOLD, quantity=5)
    response = api.post(
        "/numbers/store", json={"country": "FR", "area": "brest", "class": "gold", "quantity": 4}
    )
    assert response.status_code == 400
    error = response.get_json()
    assert error["code"] == "not-enough-numbers" and "only 3" in error["message"]


@pytest.mark.parametrize("criteria", [{"area": "sold-out"}, {"prefix": "+33199"}])
def test_magic_sold_out_prefix(api: Any, criteria: dict[str, str]) -> None:
    response = api.post("/numbers/store", json={"country": "FR", **criteria})
    assert response.status_code == 400
    assert response.get_json()["code"] == "sold-out"
    assert "magic" in response.get_json()["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"country": "JP"}, "not-sold"),
        ({"country": "US", "type": "mobile"}, "not-sold"),
        ({"country": "FR", "area": "atlantis"}, "unknown-area"),
        ({"country": "FR", "prefix": "+44"}, "unknown-prefix"),
        ({"country": "FR", "type": "geographic", "prefix": "+3399"}, "unknown-prefix"),
        ({"country": "FR", "prefix": "+334", "area": "paris"}, "prefix-area-mismatch"),
        ({"country": "FR", "quantity": 11}, "invalid-body"),
        ({"country": "FR", "quantity": 0}, "invalid-body"),
        ({"country": "FR", "class": "platinum"}, "invalid-body"),
        ({"country": "FR", "colour": "red"}, "invalid-body"),
        ({}, "country-required"),
    ],
)
def test_reserve_errors(api: Any, body: dict[str, Any], code: str) -> None:
    response = api.post("/numbers/store", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["code"] == code


# -- buy / cancel / expiry ---------------------------------------------------------------
def test_buy_debits_the_credit_and_hands_over_the_numbers(api: Any) -> None:
    before = balance(api)
    reservation = reserve(api, area="paris", quantity=2)
    response = api.post(f"/numbers/store/{reservation['token']}")
    assert response.status_code == 200
    order = response.get_json()
    assert order["status"] == "bought" and order["token"] == reservation["token"]
    assert order["debited"] == "400.00" and order["price"] == reservation["price"]
    assert [n["e164"] for n in order["numbers"]] == [n["e164"] for n in reservation["numbers"]]
    assert all(n["scenario"] is None and n["assigned"] is None for n in order["numbers"])
    assert balance(api) == before - Decimal("400.00")
    owned = api.get("/numbers").get_json()
    assert {n["e164"] for n in owned["hits"]} == {n["e164"] for n in reservation["numbers"]}
    again = api.post(f"/numbers/store/{reservation['token']}")
    assert again.status_code == 404 and "already bought" in again.get_json()["message"]
    assert api.delete(f"/numbers/store/{reservation['token']}").status_code == 404
    assert available(api, "paris") == 46


def test_buy_without_enough_credit_changes_nothing(api: Any, client: Any) -> None:
    reservation = reserve(api, area="paris", **GOLD)  # 1500.00
    client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/credit", json={"balance": "1000"})
    response = api.post(f"/numbers/store/{reservation['token']}")
    assert response.status_code == 403 and response.get_json()["code"] == "insufficient-credit"
    assert balance(api) == Decimal("1000.00")
    assert api.get("/numbers").get_json()["total"] == 0
    client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/credit", json={"amount": "1000"})
    assert api.post(f"/numbers/store/{reservation['token']}").status_code == 200
    assert balance(api) == Decimal("500.00")


def test_cancel_returns_the_numbers_and_kills_the_token(api: Any) -> None:
    reservation = reserve(api, area="nice", quantity=4)
    assert available(api, "nice") == 44
    assert api.delete(f"/numbers/store/{reservation['token']}").status_code == 204
    assert available(api, "nice") == 48
    for response in (
        api.post(f"/numbers/store/{reservation['token']}"),
        api.delete(f"/numbers/store/{reservation['token']}"),
    ):
        assert response.status_code == 404 and "cancelled" in response.get_json()["message"]


def test_reservation_expires_after_five_minutes(api: Any) -> None:
    reservation = reserve(api, area="dijon", quantity=2)
    api.advance(299)
    assert available(api, "dijon") == 46
    api.advance(1)
    assert available(api, "dijon") == 48
    response = api.post(f"/numbers/store/{reservation['token']}")
    assert response.status_code == 404 and "expired" in response.get_json()["message"]
    assert api.get("/numbers").get_json()["total"] == 0


def test_expiry_without_the_scheduler_is_still_enforced(api: Any, runtime: Any) -> None:
    reservation = reserve(api, area="metz")
    store = runtime.store
    with store.lock:
        store.scheduler.clear()  # even if the expiry job were lost...
        store.clock.advance(301)
    assert api.post(f"/numbers/store/{reservation['token']}").status_code == 404


@pytest.mark.parametrize("method", ["post", "delete"])
def test_unknown_and_foreign_tokens(api: Any, other_api: Any, method: str) -> None:
    assert getattr(api, method)("/numbers/store/" + "A" * 40).status_code == 404
    assert getattr(api, method)("/numbers/store/short").status_code == 400
    theirs = reserve(other_api, area="lille")
    response = getattr(api, method)(f"/numbers/store/{theirs['token']}")
    assert response.status_code == 404
    assert other_api.post(f"/numbers/store/{theirs['token']}").status_code == 200


def test_released_numbers_go_back_on_sale(api: Any) -> None:
    reservation = reserve(api, area="toulon")
    api.post(f"/numbers/store/{reservation['token']}")
    assert available(api, "toulon") == 47
    e164 = reservation["numbers"][0]["e164"]
    assert api.delete(f"/numbers/{e164}").status_code == 204
    assert available(api, "toulon") == 48


def test_pool_is_store_wide_and_reset_drops_it(api: Any, client: Any, runtime: Any) -> None:
    pool = pool_of(runtime.store)
    assert pool is pool_of(runtime.store)
    reservation = reserve(api, area="reims")
    assert reservation["token"] in pool.reservations
    assert client.post("/_mock/reset").status_code == 204
    assert pool_of(runtime.store) is not pool
    assert api.post(f"/numbers/store/{reservation['token']}").status_code == 404


def test_the_state_snapshot_lists_live_reservations(api: Any) -> None:
    reservation = api.post("/numbers/store", json={"country": "FR", "area": "paris"}).get_json()
    state = api.client.get("/_mock/state?account=sandbox1").get_json()["accounts"][0]
    assert [r["token"] for r in state["reservations"]] == [reservation["token"]]
    api.advance(300)
    state = api.client.get("/_mock/state?account=sandbox1").get_json()["accounts"][0]
    assert state["reservations"] == []
