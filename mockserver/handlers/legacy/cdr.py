"""``cdr.export_async``: export call detail records in the background
(``account.calls.export``, a ``calls-export`` task); the result is the job hash.
``cdr.get``: the same records at once, as legacy ``CDR.In`` / ``CDR.Out`` objects (REST v2
has only the export)."""

from __future__ import annotations

from typing import Any

from .core import Ctx, P, Registry, invalid_params
from .mapping import (
    SMS_DIRECTION,
    enum_in,
    legacy_cdr,
    parse_legacy_date,
    rest_date,
    to_hash,
)

METHODS = Registry()
FORMATS = {"CSV": "csv", "JSON": "json"}


@METHODS.method(
    "cdr.export_async",
    P("type", "string|null"),
    P("from", "string|null"),
    P("to", "string|null"),
    P("options", "object|null", optional=True),
)
def export_async(
    ctx: Ctx, direction: str | None, start: str | None, end: str | None, options: Any
) -> str:
    """Export the CDRs of calls started in ``[from, to)`` (legacy UTC dates), ``type`` IN or
    OUT (``null`` = both); ``options.format`` CSV (default) or JSON. Returns the job hash;
    ``jobs.get`` gives ``result.url`` when it is DONE."""
    options = dict(options or {})
    unknown = sorted(set(options) - {"format"})
    if unknown:
        raise invalid_params(
            f"cdr.export_async: unknown option(s) {', '.join(unknown)} (options: format)"
        )
    export_format = options.get("format", "CSV")
    if export_format not in FORMATS:
        raise invalid_params(
            f"cdr.export_async: options.format must be CSV or JSON, not {export_format!r}"
        )
    rest_direction = (
        enum_in(direction, ("inbound", "outbound"), "type", SMS_DIRECTION) if direction else None
    )
    query = {
        "direction": rest_direction,
        "from": rest_date(start, "from") if start is not None else None,
        "to": rest_date(end, "to") if end is not None else None,
        "format": FORMATS[export_format],
    }
    ctx.rest_input("exportCalls", query=query)
    task = ctx.account.calls.export(
        direction=rest_direction,
        start=parse_legacy_date(start, "from") if start is not None else None,
        end=parse_legacy_date(end, "to") if end is not None else None,
        export_format=FORMATS[export_format],
        base_url=ctx.base_url,
    )
    return str(to_hash(task.sid))


@METHODS.method(
    "cdr.get",
    P("type"),
    P("from"),
    P("to"),
    P("filters", "object|null", optional=True),
    P("sub_account", "string|null", optional=True),
)
def get(
    ctx: Ctx, direction: str, start: str, end: str, filters: Any, sub_account: str | None
) -> list[dict[str, Any]]:
    """The CDRs of the ended calls of one ``type`` (IN or OUT) started in ``[from, to)``
    (legacy UTC dates), oldest first: sdk READMEs, ``cdr.get('OUT', from, to, null, null)``.
    ``filters`` and ``sub_account`` must be null (no filter is documented; a sub-account
    reads its own CDRs with its own credentials)."""
    if filters or sub_account:
        raise invalid_params(
            "cdr.get: filters and sub_account are not supported by the sandbox (pass null)"
        )
    rest_direction = enum_in(direction, ("inbound", "outbound"), "type", SMS_DIRECTION)
    query = {
        "direction": rest_direction,
        "from": rest_date(start, "from"),
        "to": rest_date(end, "to"),
    }
    ctx.rest_input("exportCalls", query=query)
    now = ctx.store.clock.now()
    records = ctx.account.calls.ended(
        now,
        direction=rest_direction,
        start=parse_legacy_date(start, "from"),
        end=parse_legacy_date(end, "to"),
    )
    return [legacy_cdr(record.to_api(now)) for record in records]
