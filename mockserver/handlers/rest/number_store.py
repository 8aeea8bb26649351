"""Numbers Store: browse the catalogue, reserve, buy, cancel (rules in state.number_store)."""

from __future__ import annotations

from ...state.number_store import pool_of
from .call import Call, Reply, handles


@handles("listStoreCountries")
def list_store_countries(call: Call) -> Reply:
    q = call.query
    return Reply(200, pool_of(call.store).countries(offset=q["offset"], limit=q["limit"]))


@handles("listStoreTypes")
def list_store_types(call: Call) -> Reply:
    q = call.query
    return Reply(200, pool_of(call.store).types(q["country"], offset=q["offset"], limit=q["limit"]))


@handles("listStorePrefixes")
def list_store_prefixes(call: Call) -> Reply:
    q = call.query
    found = pool_of(call.store).prefixes(
        q.get("country"),
        type=q.get("type"),
        prefix=q.get("prefix"),
        area=q.get("area"),
        offset=q["offset"],
        limit=q["limit"],
    )
    return Reply(200, found)


@handles("reserveNumbers")
def reserve_numbers(call: Call) -> Reply:
    b = call.body
    reservation = pool_of(call.store).reserve(
        call.account,
        country=b.get("country"),
        type=b.get("type"),
        prefix=b.get("prefix"),
        area=b.get("area"),
        number_class=b.get("class", "classic"),
        quantity=b.get("quantity", 1),
    )
    return Reply(201, reservation.to_api())


@handles("buyReservation")
def buy_reservation(call: Call) -> Reply:
    return Reply(200, pool_of(call.store).buy(call.account, call.path["token"]).to_api())


@handles("cancelReservation")
def cancel_reservation(call: Call) -> Reply:
    pool_of(call.store).cancel(call.account, call.path["token"])
    return Reply(204)
