"""Legacy ``did.*``, ``did/areacode.*`` and ``did/store.*`` on the REST numbers and store:
numbers carry a hash in JSON-RPC and are addressed by E.164 in REST; area code ids are
the catalogue prefixes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from callr_mock.handlers.legacy.mapping import local_number, number_hash
from callr_mock.plugin.parity import LegacyClient, assert_parity
from legacy_support import buy_number, legacy_client, ok, rpc_error


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


# -- catalogue -------------------------------------------------------------------------------------
def test_countries_types_and_area_codes_are_the_rest_catalogue(rpc: LegacyClient, api: Any) -> None:
    rest_countries = ok(api.get("/numbers/store/countries", query_string={"limit": 100}))["hits"]
    assert rpc.call("did/areacode.countries") == [
        {"code": c["country"], "name": c["name"], "prefix": c["callingCode"]}
        for c in rest_countries
    ]
    rest_types = ok(api.get("/numbers/store/types", query_string={"country": "FR", "limit": 100}))
    assert rpc.call("did/areacode.types", "FR") == [
        {"code": t["type"].upper(), "name": t["name"]} for t in rest_types["hits"]
    ]
    rest_prefixes = ok(
        api.get(
            "/numbers/store/prefixes",
            query_string={"country": "FR", "type": "geographic", "limit": 100},
        )
    )["hits"]
    area_codes = rpc.call("did/areacode.get_list", "FR", "GEOGRAPHIC")
    assert [(a["id"], a["prefix"], a["name"]) for a in area_codes] == [
        (int(p["prefix"][1:]), p["prefix"], p["name"]) for p in rest_prefixes
    ]
    paris = next(a for a in area_codes if a["prefix"] == "+331")
    assert paris == {
        "id": 331,
        "country_code": "FR",
        "type": "GEOGRAPHIC",
        "prefix": "+331",
        "name": "Paris / Île-de-France (01)",
    }
    assert {a["type"] for a in rpc.call("did/areacode.get_list", "FR")} >= {"GEOGRAPHIC", "MOBILE"}


def test_catalogue_errors(rpc: LegacyClient) -> None:
    assert rpc_error(rpc, "did/areacode.types", "ZZ").data["code"] == "not-sold"
    assert rpc_error(rpc, "did/areacode.types", "fr").code == -32602  # REST country pattern
    assert rpc_error(rpc, "did/areacode.get_list", "FR", "geographic").code == -32602


# -- reserve, buy, cancel ------------------------------------------------------------------------------
def test_reserve_and_buy_through_json_rpc_read_through_rest(rpc: LegacyClient, api: Any) -> None:
    reservation = rpc.call("did/store.reserve", 331, "CLASSIC", 2, "RANDOM")
    assert reservation["expire"] == "2026-01-01 12:05:00" and len(reservation["token"]) == 40
    assert [i["intl_number"][:4] for i in reservation["items"]] == ["+331", "+331"]
    for item in reservation["items"]:
        assert item["hash"] == number_hash(item["intl_number"])
        assert (
            item["local_number"] == local_number(item["intl_number"])
            and item["local_number"][:2] == "01"
        )
    cost = reservation["cost"]
    assert (cost["quantity"], cost["amount_unit"]) == (2, "EUR")
    order = rpc.call("did/store.buy_order", reservation["token"])
    assert order["success"] == reservation["items"]  # hashes do not change with the purchase
    assert order["customer_debit"] == cost["amount_prepaid_debit"]
    credit = ok(api.get("/billing/credit"))
    assert Decimal(credit["balance"]) == Decimal("10000") - Decimal(order["customer_debit"])
    assert rpc.call("billing.get_prepaid_credit") == float(credit["balance"])
    for item in order["success"]:
        number = ok(api.get(f"/numbers/{item['intl_number']}"))
        assert (number["country"], number["type"], number["class"], number["scenario"]) == (
            "FR",
            "geographic",
            "classic",
            None,
        )
    dids = rpc.call("did.search", {}, {})["hits"]
    assert sorted(d["hash"] for d in dids) == sorted(i["hash"] for i in order["success"])
    for did in dids:
        assert (did["app"], did["assigned_at"], did["contract_auto_renew"]) == (None, None, True)
        assert_parity("did", did, ok(api.get(f"/numbers/{did['intl_number']}")))
    assert api.post(f"/numbers/store/{reservation['token']}").status_code == 404  # used up


def test_reserved_by_json_rpc_bought_by_rest(rpc: LegacyClient, api: Any) -> None:
    reservation = rpc.call("did/store.reserve", 33472, "GOLD", 1, "RANDOM")  # Lyon
    order = ok(api.post(f"/numbers/store/{reservation['token']}"))
    [number] = order["numbers"]
    assert number["e164"] == reservation["items"][0]["intl_number"] and number["class"] == "gold"
    [did] = rpc.call("did.search", {"class": "GOLD"}, None)["hits"]
    assert did["hash"] == reservation["items"][0]["hash"]


def test_bought_by_rest_is_a_did(rpc: LegacyClient, api: Any) -> None:
    reservation = ok(api.post("/numbers/store", json={"country": "FR", "area": "paris"}), 201)
    [number] = ok(api.post(f"/numbers/store/{reservation['token']}"))["numbers"]
    [did] = rpc.call("did.search", None, None)["hits"]
    assert did == {
        "hash": number_hash(number["e164"]),
        "intl_number": number["e164"],
        "local_number": local_number(number["e164"]),
        "country_code": "FR",
        "class": "CLASSIC",
        "type": "GEOGRAPHIC",
        "app": None,
        "assigned_at": None,
        "contract_auto_renew": True,
    }


def test_cancel_order(rpc: LegacyClient, api: Any) -> None:
    reservation = rpc.call("did/store.reserve", 331, "CLASSIC", 1, None)
    assert rpc.call("did/store.cancel_order", reservation["token"]) is True
    assert api.post(f"/numbers/store/{reservation['token']}").status_code == 404
    assert rpc_error(rpc, "did/store.cancel_order", reservation["token"]).code == -32004
    assert rpc_error(rpc, "did/store.buy_order", reservation["token"]).code == -32004


def test_expired_reservation(rpc: LegacyClient, api: Any) -> None:
    reservation = rpc.call("did/store.reserve", 331, "CLASSIC", 1, "RANDOM")
    api.advance(300)
    error = rpc_error(rpc, "did/store.buy_order", reservation["token"])
    assert error.code == -32004 and "expired" in error.message


def test_cancel_subscription(rpc: LegacyClient, api: Any) -> None:
    item = buy_number(rpc)
    assert rpc.call("did/store.cancel_subscription", item["hash"]) is True
    assert api.get(f"/numbers/{item['intl_number']}").status_code == 404
    assert rpc.call("did.search", {}, {})["total"] == 0
    assert rpc_error(rpc, "did/store.cancel_subscription", item["hash"]).code == -32004


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ([-1, "GOLD", 1, "RANDOM"], -32602, "positive integer"),  # 0 is "any area"
        ([999, "CLASSIC", 1, "RANDOM"], -32602, "not an area code"),
        ([331, "classic", 1, "RANDOM"], -32602, "CLASSIC, GOLD"),
        ([331, "CLASSIC", 1, "SEQUENTIAL"], -32602, "RANDOM"),
        ([331, "CLASSIC", 11, "RANDOM"], -32602, "quantity"),
        ([331, "CLASSIC", 0, "RANDOM"], -32602, "quantity"),
        ([33199, "CLASSIC", 1, "RANDOM"], -32000, "sold"),
    ],
)
def test_reserve_errors(rpc: LegacyClient, params: list[Any], code: int, words: str) -> None:
    error = rpc_error(rpc, "did/store.reserve", *params)
    assert error.code == code and words in error.message, error.message


def test_area_code_id_as_a_string(rpc: LegacyClient) -> None:
    """Callr's own sample script passes the id read from the command line."""
    reservation = rpc.call("did/store.reserve", "331", "CLASSIC", 1, "RANDOM")
    assert reservation["items"][0]["intl_number"].startswith("+331")


def test_did_search_filters(rpc: LegacyClient, api: Any) -> None:
    paris = buy_number(rpc, 331)
    api.advance(1)
    mobile = buy_number(rpc, rpc.call("did/areacode.get_list", "FR", "MOBILE")[0]["id"])

    def found(filters: Any, options: Any = None) -> list[str]:
        return [d["intl_number"] for d in rpc.call("did.search", filters, options)["hits"]]

    assert found({}) == [mobile["intl_number"], paris["intl_number"]]
    assert found({}, {"order": "ASC"}) == [paris["intl_number"], mobile["intl_number"]]
    assert found({"type": "MOBILE"}) == [mobile["intl_number"]]
    assert found({"country_code": "FR", "class": "CLASSIC"}) == [
        mobile["intl_number"],
        paris["intl_number"],
    ]
    assert found({"country_code": "BE"}) == []
    assert found({}, {"limit": 1, "offset": 1}) == [paris["intl_number"]]
    assert rpc_error(rpc, "did.search", {"type": "FIXED"}, None).code == -32602
    assert rpc_error(rpc, "did.search", {"hash": "X"}, None).code == -32602
