"""``list.destinations``: the priced destinations (``state.billing.destinations``)."""

from __future__ import annotations

from typing import Any

from callr_mock.legacy.core import ALL, Ctx, P, Registry
from callr_mock.legacy.mapping import legacy_destination
from callr_mock.state.billing import destinations as rest_destinations

METHODS = Registry()


@METHODS.method("list.destinations", P("country_code", "string|null", optional=True))
def destinations(ctx: Ctx, country: str | None) -> list[dict[str, Any]]:
    """Every priced destination (SMS per part, numbers per month), optionally of one
    country (``GET /billing/destinations``)."""
    ctx.rest_input("listDestinations", query={"country": country})
    return [
        legacy_destination(row) for row in rest_destinations(country=country, limit=ALL)["hits"]
    ]
