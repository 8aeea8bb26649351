"""``did/store.*``: reserve, buy, cancel an order, cancel a subscription, on the store-wide
number pool (``state.number_store``) and the account's numbers.

``did/store.reserve(area_code_id, class, quantity, search_type)``: REST v2 has no area
code ids; the id is the digits of a catalogue prefix (``did/areacode.get_list`` lists
them), and the reservation is ``POST /numbers/store`` with that prefix, its country and
type. ``search_type`` must be ``RANDOM`` (the only value the legacy docs show).

Area code id ``0`` is what every SDK README passes (``did/store.reserve(0, 'GOLD', 1,
'RANDOM')``, ``did/store.get_quote(0, 'GOLD', 1)``). No source says what it means; the
sandbox reads it as "no area preference" in France (Callr's home store, whose area code
``1`` is ``+331`` in Callr's own example): ``POST /numbers/store`` with ``{"country":
"FR", "type": "geographic"}``, any area.

``did/store.get_quote`` prices the same criteria without reserving (legacy
``DID.Store.Quote``: the ``cost`` and ``contract`` of a reservation, field names of the
reservation [S]); ``did/store.view_order`` shows a live reservation again (REST v2 has no
read of a reservation; the token must still hold); ``did/store.get_quota_status`` answers
an empty ``DID.Store.QuotaStatus`` (its fields are unknown, see the method).
"""

from __future__ import annotations

from typing import Any

from ...state.catalogue import CLASSES, catalogue
from ...state.number_store import pool_of
from .core import Ctx, P, Registry
from .did import resolve_number
from .mapping import (
    BadValue,
    area_prefix,
    enum_in,
    legacy_order,
    legacy_quote,
    legacy_reservation,
)
from .state import legacy_state

METHODS = Registry()
SEARCH_TYPES = ("RANDOM",)


ANY_AREA = 0
ANY_AREA_CRITERIA = {"country": "FR", "type": "geographic"}


def _criteria(area_code_id: Any, number_class: str) -> dict[str, Any]:
    """The REST reservation criteria (without quantity) of a legacy area code and class."""
    rest_class = enum_in(number_class, CLASSES, "class")
    if area_code_id in (ANY_AREA, str(ANY_AREA)):
        return {**ANY_AREA_CRITERIA, "class": rest_class}
    prefix = area_prefix(area_code_id)
    area = next((a for a in catalogue().areas if a.prefix == prefix), None)
    if area is None:
        raise BadValue(
            f"area_code_id {area_code_id} is not an area code of the store "
            "(did/areacode.get_list lists them; 0 means any area)"
        )
    return {"country": area.country, "type": area.type, "prefix": area.prefix, "class": rest_class}


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
    """Hold ``quantity`` numbers of an area code (0: any area) for 5 minutes; returns the
    reservation."""
    criteria = _criteria(area_code_id, number_class)
    if search_type is not None and search_type not in SEARCH_TYPES:
        raise BadValue(f"search_type must be one of {', '.join(SEARCH_TYPES)}, not {search_type!r}")
    body = {**criteria, "quantity": quantity}
    ctx.rest_input("reserveNumbers", body=body)
    reservation = pool_of(ctx.store).reserve(
        ctx.account,
        country=criteria["country"],
        type=criteria["type"],
        prefix=criteria.get("prefix"),
        number_class=criteria["class"],
        quantity=quantity,
    )
    return legacy_reservation(reservation.to_api())


@METHODS.method(
    "did/store.get_quote", P("area_code_id", "integer"), P("class"), P("quantity", "integer")
)
def get_quote(ctx: Ctx, area_code_id: int, number_class: str, quantity: int) -> dict[str, Any]:
    """The price of ``quantity`` numbers of an area code (0: any area), nothing reserved."""
    criteria = _criteria(area_code_id, number_class)
    ctx.rest_input("reserveNumbers", body={**criteria, "quantity": quantity})
    return legacy_quote(
        pool_of(ctx.store).quote(criteria["country"], criteria["type"], criteria["class"], quantity)
    )


@METHODS.method("did/store.view_order", P("token"))
def view_order(ctx: Ctx, token: str) -> dict[str, Any]:
    """A live reservation again (404 once bought, cancelled or expired)."""
    ctx.rest_input("buyReservation", path={"token": token})
    return legacy_reservation(pool_of(ctx.store).get(ctx.account, token).to_api())


@METHODS.method("did/store.get_quota_status")
def get_quota_status(ctx: Ctx) -> dict[str, Any]:
    """``DID.Store.QuotaStatus`` (every SDK README, "View your store quota status").

    The method is deprecated with the whole JSON-RPC API, not retired: Callr answers it
    until the shutdown. Its fields are not documented in any source we could read, and no
    published client reads one, so the sandbox answers an empty object instead of guessed
    fields: a client that reads a field fails here rather than passing here and failing
    at Callr. The sandbox's store limits nothing but credit (``POST /numbers/store``, 403).
    """
    return {}


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
