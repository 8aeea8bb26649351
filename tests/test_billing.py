"""Billing: the prepaid credit (warning, shutdown, top-up) and the destination price list,
which must be what SMS sends are charged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import phonenumbers
import pytest
from callr_mock.base.errors import InsufficientCredit, InvalidInput
from callr_mock.state.billing import Credit, destination_rows
from callr_mock.state.pricing import number_price, price_list
from callr_mock.state.store import Store

SANDBOX = "sandbox1"


def all_destinations(api: Any, query: str = "") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        sep = "&" if query else ""
        page = api.get(f"/billing/destinations?{query}{sep}limit=100&offset={offset}").get_json()
        rows += page["hits"]
        if not page["hasMore"]:
            return rows
        offset += 100


# ------------------------------------------------------------------ credit


def test_get_credit(api: Any) -> None:
    credit = api.get("/billing/credit").get_json()
    assert credit == {
        "balance": "10000.00",
        "currency": "EUR",
        "warningLevel": "500.00",
        "shutdownLevel": "0.00",
        "updated": "2026-01-01T12:00:00.000Z",
    }


def test_credit_follows_the_control_api(api: Any, client: Any, other_api: Any) -> None:
    client.post("/_mock/clock/advance", json={"seconds": 60})
    topped = client.post(f"/_mock/accounts/{SANDBOX}/credit", json={"amount": "250"}).get_json()
    assert topped["balance"] == "10250.00"
    assert api.get("/billing/credit").get_json() == topped
    assert topped["updated"] == "2026-01-01T12:01:00.000Z"
    assert other_api.get("/billing/credit").get_json()["balance"] == "10000.00"
    refused = client.post(f"/_mock/accounts/{SANDBOX}/credit", json={"amount": "-1"})
    assert refused.status_code == 400
    events = client.get(f"/_mock/events?account={SANDBOX}&type=v2.billing.credit.topup").get_json()
    assert [e["payload"] for e in events] == [topped]


def test_credit_rules_unit() -> None:
    store = Store()
    account = store.create_account("acc00001", "k1", credit="600.00")
    credit: Credit = account.credit
    with pytest.raises(InsufficientCredit):
        credit.charge(Decimal("600.01"), "too much")
    assert credit.balance == Decimal("600.00")
    credit.charge(Decimal("50"), "a")  # 550: above the warning level
    credit.charge(Decimal("50"), "b")  # 500: reaches it
    credit.charge(Decimal("50"), "c")  # below, already warned
    assert [e.type for e in account.events] == ["v2.billing.credit.warning"]
    assert account.events[0].payload["balance"] == "500.00"
    credit.charge(Decimal("450"), "d")
    assert [e.type for e in account.events][-1] == "v2.billing.credit.shutdown"
    assert credit.balance == Decimal("0")
    with pytest.raises(InsufficientCredit, match="top up"):
        credit.ensure(Decimal("0.01"), "anything")
    with pytest.raises(InvalidInput):
        credit.topup("0")
    credit.topup("1000")
    credit.charge(Decimal("600"), "e")  # 1000 → 400: crosses the warning level again
    assert [e.type for e in account.events][-2:] == [
        "v2.billing.credit.topup",
        "v2.billing.credit.warning",
    ]


# ------------------------------------------------------------------ destinations


def test_destinations_are_the_price_list(api: Any) -> None:
    rows = all_destinations(api)
    assert rows == destination_rows()
    prices = price_list()
    countries = sorted(c for c in prices if c != "default")
    expected_count = sum(
        1 + sum(len(classes) for classes in prices[c].get("numbers", {}).values())
        for c in countries
    )
    assert len(rows) == expected_count
    assert api.get("/billing/destinations").get_json()["total"] == expected_count
    assert sorted({r["country"] for r in rows}) == countries
    for row in rows:
        if row["type"] == "sms":
            assert (row["class"], row["unit"]) == (None, "message")
            assert row["label"] == f"{row['country']}-SMS"
            assert Decimal(row["price"]) == Decimal(prices[row["country"]]["sms"])
        else:
            assert row["unit"] == "month"
            assert row["label"] == f"{row['country']}-{row['type'].upper()}-{row['class'].upper()}"
            monthly = number_price(row["country"], row["type"], row["class"])[1]
            assert Decimal(row["price"]) == monthly


def test_destination_filters_and_pages(api: Any) -> None:
    fr = all_destinations(api, "country=FR")
    assert {r["country"] for r in fr} == {"FR"}
    assert [r["label"] for r in fr][:3] == ["FR-SMS", "FR-GEOGRAPHIC-CLASSIC", "FR-GEOGRAPHIC-GOLD"]
    sms_rows = all_destinations(api, "type=sms")
    assert {r["type"] for r in sms_rows} == {"sms"}
    assert len(sms_rows) == len([c for c in price_list() if c != "default"])
    assert all_destinations(api, "country=US&type=mobile") == []
    assert all_destinations(api, "country=JP") == []
    page = api.get("/billing/destinations?country=FR&limit=4&offset=4").get_json()
    assert (page["offset"], page["total"], page["hasMore"]) == (4, 9, True)
    assert page["hits"] == fr[4:8]
    assert api.get("/billing/destinations?type=fax").status_code == 400
    assert api.get("/billing/destinations?country=france").status_code == 400


def mobile_of(country: str) -> str:
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None, country
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("country", ["FR", "GB", "DE", "US", "CH"])
def test_sms_cost_is_parts_times_the_listed_price(api: Any, country: str) -> None:
    listed = api.get(f"/billing/destinations?country={country}&type=sms").get_json()["hits"]
    assert len(listed) == 1
    price = Decimal(listed[0]["price"])
    before = Decimal(api.get("/billing/credit").get_json()["balance"])
    to = mobile_of(country).replace("+", "%2B")
    sms = api.post(f"/sms?to={to}", json={"text": "x" * 200}).get_json()  # 2 GSM parts
    assert sms["parts"] == 2
    assert Decimal(sms["cost"]) == 2 * price
    assert Decimal(api.get("/billing/credit").get_json()["balance"]) == before - 2 * price


def test_unlisted_countries_pay_the_default_sms_price(api: Any) -> None:
    sms = api.post("/sms?to=" + mobile_of("JP").replace("+", "%2B"), json={"text": "hi"}).get_json()
    assert Decimal(sms["cost"]) == Decimal(price_list()["default"]["sms"])
