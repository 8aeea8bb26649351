"""``did/store.*``: reserve, buy, cancel an order, cancel a subscription, on the store-wide
number pool (``state.number_store``) and the account's numbers.

``did/store.reserve(area_code_id, class, quantity, search_type)``: REST v2 has no area
code ids; the id is the digits of a catalogue prefix (``did/areacode.get_list`` lists
them), and the reservation is ``POST /numbers/store`` with that prefix, its country and
type. ``search_type`` must be ``RANDOM`` (the only value the legacy docs show).
"""

from __future__ import annotations

from typing import Any

from callr_mock.legacy.core import Ctx, P, Registry
from callr_mock.legacy.did import resolve_number
from callr_mock.legacy.mapping import (
    BadValue,
    area_prefix,
    enum_in,
    legacy_order,
    legacy_reservation,
)
from callr_mock.legacy.state import legacy_state
from callr_mock.state.catalogue import CLASSES, catalogue
from callr_mock.state.number_store import pool_of

METHODS = Registry()
SEARCH_TYPES = ("RANDOM",)


@METHODS.method(
    "did/store.reserve",
    P("area_code_id", "integer"),
    P("class"),
    P("quantity", "integer"),
    P("search_type", optional=True),
)
def reserve(
    ctx: Ctx, area_code_id: int, number_class: str, quantity: int, search_type: str | None
) -> dict[str, Any]:
    """Hold ``quantity`` numbers of an area code for 5 minutes; returns the reservation."""
    prefix = area_prefix(area_code_id)
    area = next((a for a in catalogue().areas if a.prefix == prefix), None)
    if area is None:
        raise BadValue(
            f"area_code_id {area_code_id} is not an area code of the store "
            "(did/areacode.get_list lists them)"
        )
    rest_class = enum_in(number_class, CLASSES, "class")
    if search_type is not None and search_type not in SEARCH_TYPES:
        raise BadValue(f"search_type must be one of {', '.join(SEARCH_TYPES)}, not {search_type!r}")
    body = {
        "country": area.country,
        "type": area.type,
        "prefix": area.prefix,
        "class": rest_class,
        "quantity": quantity,
    }
    ctx.rest_input("reserveNumbers", body=body)
    reservation = pool_of(ctx.store).reserve(
        ctx.account,
        country=area.country,
        type=area.type,
        prefix=area.prefix,
        number_class=rest_class,
        quantity=quantity,
    )
    return legacy_reservation(reservation.to_api())


@METHODS.method("did/store.buy_order", P("token"))
def buy_order(ctx: Ctx, token: str) -> dict[str, Any]:
    """Buy a reservation: the numbers join the account, the credit is debited."""
    ctx.rest_input("buyReservation", path={"token": token})
    return legacy_order(pool_of(ctx.store).buy(ctx.account, token).to_api())


@METHODS.method("did/store.cancel_order", P("token"))
def cancel_order(ctx: Ctx, token: str) -> bool:
    """Cancel a reservation; its numbers go back on sale."""
    ctx.rest_input("cancelReservation", path={"token": token})
    pool_of(ctx.store).cancel(ctx.account, token)
    return True


@METHODS.method("did/store.cancel_subscription", P("did_hash"))
def cancel_subscription(ctx: Ctx, did_hash: str) -> bool:
    """Release a number: it leaves the account at once (``DELETE /numbers/{number}``)."""
    e164 = resolve_number(ctx, did_hash)
    legacy_state(ctx.account).unlink(e164)
    ctx.account.numbers.release(e164)
    return True
