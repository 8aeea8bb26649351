"""``apps.*``: voice apps. ``ACTIONS10`` apps are the REST Callr Actions scenarios
(``account.scenarios``; numbers through ``account.numbers``); ``CALLTRACKING10``,
``CLICKTOCALL10`` and ``REALTIME10`` apps live only in the legacy layer
(``legacy.state``) and are invisible to REST, as the migration guide says."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...state.timefmt import parse
from .core import ALL, Ctx, P, Registry, filters_of, invalid_params, paging
from .did import resolve_number
from .mapping import (
    ACTIONS_PACKAGE,
    LEGACY_ONLY_PACKAGES,
    BadValue,
    enum_in,
    legacy_app,
    page_envelope,
    to_sid,
)
from .state import LegacyApp, legacy_state

METHODS = Registry()
PACKAGES = (ACTIONS_PACKAGE, *LEGACY_ONLY_PACKAGES)
ACTIONS_PARAMS = ("format", "script")
NAME_MAX = 64


def _actions_params(ctx: Ctx, params: dict[str, Any] | None, *, required: bool) -> dict[str, Any]:
    """``{format: "YAML", script}`` → the REST body fields (``format: yaml``)."""
    params = dict(params or {})
    unknown = sorted(set(params) - set(ACTIONS_PARAMS))
    if unknown:
        raise invalid_params(
            f"{ctx.method}: unknown ACTIONS10 parameter(s) {', '.join(unknown)} "
            f"(an ACTIONS10 app takes {{format: 'YAML', script}})"
        )
    body: dict[str, Any] = {}
    if "format" in params:
        body["format"] = enum_in(params["format"], ("yaml",), "p.format", {"yaml": "YAML"})
    if "script" in params:
        body["script"] = params["script"]
    elif required:
        raise invalid_params(f"{ctx.method}: an ACTIONS10 app needs p.script (the YAML scenario)")
    return body


def _legacy_name(ctx: Ctx, name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        raise invalid_params(f"{ctx.method}: name must be 1 to {NAME_MAX} characters")
    return name


def find_app(ctx: Ctx, app_hash: Any) -> tuple[str, LegacyApp | None]:
    """(sid, the legacy-only app or None for a REST scenario); 404 when neither exists."""
    sid = to_sid(app_hash, "app hash")
    legacy = legacy_state(ctx.account).apps.get(sid)
    if legacy is None:
        ctx.account.scenarios.get(sid)
    return sid, legacy


@METHODS.method("apps.create", P("type"), P("name"), P("params", "object|null", optional=True))
def create(ctx: Ctx, package: str, name: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Create an app. ``ACTIONS10``: ``params = {format: "YAML", script}`` → a REST scenario.
    ``CALLTRACKING10``/``CLICKTOCALL10``/``REALTIME10``: stored in the legacy layer only."""
    if package not in PACKAGES:
        raise BadValue(f"type must be one of {', '.join(PACKAGES)}, not {package!r}")
    if package != ACTIONS_PACKAGE:
        app = legacy_state(ctx.account).create(package, _legacy_name(ctx, name), dict(params or {}))
        return legacy_state(ctx.account).render(app)
    body = {"name": name, **_actions_params(ctx, params, required=True)}
    ctx.rest_input("createScenario", body=body)
    scenario = ctx.account.scenarios.create(
        name=name, script=body["script"], format=body.get("format", "yaml")
    )
    return legacy_app(scenario.to_api())


@METHODS.method(
    "apps.edit",
    P("hash"),
    P("name", "string|null", optional=True),
    P("params", "object|null", optional=True),
)
def edit(ctx: Ctx, app_hash: str, name: str | None, params: dict[str, Any] | None) -> Any:
    """Change the name and/or the parameters (``null`` = keep); returns the app."""
    sid, legacy = find_app(ctx, app_hash)
    if legacy is not None:
        if name is not None:
            legacy.name = _legacy_name(ctx, name)
        if params is not None:
            legacy.params = dict(params)
        if name is not None or params is not None:
            legacy.updated = ctx.store.clock.now()
        return legacy_state(ctx.account).render(legacy)
    body = _actions_params(ctx, params, required=False)
    if name is not None:
        body["name"] = name
    if body:
        ctx.rest_input("updateScenario", path={"sid": sid}, body=body)
        ctx.account.scenarios.update(
            sid, name=body.get("name"), script=body.get("script"), format=body.get("format")
        )
    return legacy_app(ctx.account.scenarios.get(sid).to_api())


@METHODS.method("apps.delete", P("hash"))
def delete(ctx: Ctx, app_hash: str) -> bool:
    """Delete an app; its numbers are unassigned."""
    sid, legacy = find_app(ctx, app_hash)
    if legacy is not None:
        legacy_state(ctx.account).delete(sid)
    else:
        ctx.account.scenarios.delete(sid)
    return True


FILTERS = ("name", "type")


@METHODS.method(
    "apps.search",
    P("filters", "object|null", optional=True),
    P("options", "object|null", optional=True),
)
def search(ctx: Ctx, filters: dict[str, Any] | None, options: dict[str, Any] | None) -> Any:
    """Every app, last updated first: REST scenarios and legacy-only apps. ``filters``:
    ``name`` (part of it, any case), ``type`` (package name)."""
    found = filters_of(ctx, filters, FILTERS)
    offset, limit, order = paging(ctx, options)
    package = found.get("type")
    if package is not None and package not in PACKAGES:
        raise BadValue(f"filters.type must be one of {', '.join(PACKAGES)}, not {package!r}")
    name = found.get("name")
    ctx.rest_input("searchScenarios", query={"name": name})
    # (last update, tie-breaker, app): REST scenarios in the repository's own order first
    apps: list[tuple[datetime, tuple[int, int], dict[str, Any]]] = []
    if package in (None, ACTIONS_PACKAGE):
        scenarios = ctx.account.scenarios.search(name=name, sort="updated", order="asc", limit=ALL)
        for rank, scenario in enumerate(scenarios["hits"]):
            apps.append((parse(scenario["updated"]), (0, rank), legacy_app(scenario)))
    state = legacy_state(ctx.account)
    wanted = name.casefold() if name else None
    for app in state.apps.values():
        if package not in (None, app.package) or (wanted and wanted not in app.name.casefold()):
            continue
        apps.append((app.updated, (1, app.seq), state.render(app)))
    apps.sort(key=lambda item: (item[0], item[1]), reverse=order == "desc")
    return page_envelope([rendered for *_, rendered in apps], offset, limit)


@METHODS.method("apps.get", P("hash"))
def get(ctx: Ctx, app_hash: str) -> dict[str, Any]:
    """One app (a REST scenario, ``GET /actions/{sid}``, or a legacy-only app)."""
    sid, legacy = find_app(ctx, app_hash)
    if legacy is not None:
        return legacy_state(ctx.account).render(legacy)
    return legacy_app(ctx.account.scenarios.get(sid).to_api())


@METHODS.method("apps.get_list", P("with_numbers", "boolean|null", optional=True))
def get_list(ctx: Ctx, with_numbers: bool | None) -> list[dict[str, Any]]:
    """Every app, as ``apps.search`` orders them; ``did`` is left empty unless
    ``with_numbers`` is true."""
    apps = search(ctx, None, {"limit": 100})
    everything = list(apps["hits"])
    offset = len(everything)
    while len(everything) < apps["total"]:
        more = search(ctx, None, {"limit": 100, "offset": offset})
        everything.extend(more["hits"])
        offset += len(more["hits"])
    if not with_numbers:
        everything = [{**app, "did": []} for app in everything]
    return everything


@METHODS.method("apps.assign_did", P("app_hash"), P("did_hash"))
def assign_did(ctx: Ctx, app_hash: str, did_hash: str) -> bool:
    """Link a DID to an app (a number has one app: it moves from any other)."""
    sid, legacy = find_app(ctx, app_hash)
    e164 = resolve_number(ctx, did_hash)
    state = legacy_state(ctx.account)
    if legacy is not None:
        state.link(e164, sid)
    else:
        state.unlink(e164)
        ctx.account.numbers.assign(e164, sid)
    return True


@METHODS.method("apps.remove_did", P("did_hash"))
def remove_did(ctx: Ctx, did_hash: str) -> bool:
    """Unlink a DID from its app (nothing happens when it has none)."""
    e164 = resolve_number(ctx, did_hash)
    state = legacy_state(ctx.account)
    if state.link_of(e164) is not None:
        state.unlink(e164)
    else:
        ctx.account.numbers.unassign(e164)
    return True
