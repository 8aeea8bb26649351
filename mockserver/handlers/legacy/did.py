"""``did.search`` and ``did/areacode.*``: the account's numbers (``account.numbers``) and the
store catalogue (``state.catalogue``) seen the legacy way.

A legacy DID is addressed by its hash (see ``mapping.number_hash``); the sandbox also
takes the E.164 number itself wherever a DID hash is expected.
"""

from __future__ import annotations

from typing import Any

from ...base.errors import NotFound
from ...contract.formats import is_e164
from ...state.catalogue import CLASSES, PHONENUMBER_TYPES
from ...state.number_store import pool_of
from .core import ALL, Ctx, P, Registry, filters_of, paging
from .mapping import (
    BadValue,
    app_summary,
    enum_in,
    legacy_area_code,
    legacy_country,
    legacy_did,
    legacy_number_type,
    number_hash,
    page_envelope,
    to_sid,
)
from .state import legacy_state

METHODS = Registry()
NUMBER_TYPES = tuple(PHONENUMBER_TYPES)


def resolve_number(ctx: Ctx, did: Any) -> str:
    """The E.164 number of a legacy DID hash (or of an E.164 number) owned by the account."""
    if not isinstance(did, str):
        raise BadValue(f"a DID is given by its hash (8 letters or digits), not {did!r}")
    if is_e164(did):
        ctx.account.numbers.get(did)  # 404 unless owned
        return did
    to_sid(did, "DID hash")
    wanted = did.upper()
    for number in ctx.account.numbers.search(limit=ALL)["hits"]:
        if number_hash(number["e164"]) == wanted:
            return str(number["e164"])
    raise NotFound(f"the account owns no DID with hash {wanted}")


def render_did(ctx: Ctx, number: dict[str, Any]) -> dict[str, Any]:
    """A REST Number as a legacy DID: ``app`` is its scenario, or its legacy-only app."""
    state = legacy_state(ctx.account)
    link = state.link_of(number["e164"])
    if link is not None:
        return legacy_did(number, state.summary(link))
    scenario = number.get("scenario")
    if scenario is None:
        return legacy_did(number)
    return legacy_did(number, app_summary(scenario, ctx.account.scenarios.get(scenario).name))


FILTERS = ("country_code", "type", "class", "app")


@METHODS.method(
    "did.search",
    P("filters", "object|null", optional=True),
    P("options", "object|null", optional=True),
)
def search(ctx: Ctx, filters: dict[str, Any] | None, options: dict[str, Any] | None) -> Any:
    """The account's DIDs, newest first. ``filters``: ``country_code``, ``type``, ``class``
    (legacy enums), ``app`` (app hash). ``options``: ``offset``, ``limit``, ``order``."""
    found = filters_of(ctx, filters, FILTERS)
    offset, limit, order = paging(ctx, options)
    number_type = found.get("type")
    if number_type is not None:
        number_type = enum_in(number_type, NUMBER_TYPES, "filters.type")
    number_class = found.get("class")
    if number_class is not None:
        number_class = enum_in(number_class, CLASSES, "filters.class")
    ctx.rest_input("searchNumbers", query={"country": found.get("country_code")})
    app = to_sid(found["app"], "filters.app") if "app" in found else None
    numbers = ctx.account.numbers.search(
        country=found.get("country_code"),
        type=number_type,
        number_class=number_class,
        order=order,
        limit=ALL,
    )["hits"]
    dids = [render_did(ctx, n) for n in numbers]
    if app is not None:
        dids = [d for d in dids if d["app"] is not None and d["app"]["hash"] == app.upper()]
    return page_envelope(dids, offset, limit)


@METHODS.method("did/areacode.countries")
def countries(ctx: Ctx) -> list[dict[str, Any]]:
    """Countries where the store sells numbers (``GET /numbers/store/countries``)."""
    hits = pool_of(ctx.store).countries(limit=ALL)["hits"]
    return [legacy_country(c) for c in hits]


@METHODS.method("did/areacode.types", P("country_code"))
def types(ctx: Ctx, country: str) -> list[dict[str, Any]]:
    """Number types sold in a country (``GET /numbers/store/types``)."""
    ctx.rest_input("listStoreTypes", query={"country": country})
    hits = pool_of(ctx.store).types(country, limit=ALL)["hits"]
    return [legacy_number_type(t) for t in hits]


@METHODS.method("did/areacode.get_list", P("country_code"), P("type", "string|null", optional=True))
def get_list(ctx: Ctx, country: str, number_type: str | None) -> list[dict[str, Any]]:
    """Area codes (catalogue prefixes) of a country, with the id ``did/store.reserve`` takes."""
    rest_type = enum_in(number_type, NUMBER_TYPES, "type") if number_type is not None else None
    ctx.rest_input("listStorePrefixes", query={"country": country, "type": rest_type})
    hits = pool_of(ctx.store).prefixes(country, type=rest_type, limit=ALL)["hits"]
    return [legacy_area_code(p) for p in hits]
