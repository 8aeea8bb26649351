"""``cdr.export_async``: export call detail records in the background
(``account.calls.export``, a ``calls-export`` task); the result is the job hash."""

from __future__ import annotations

from typing import Any

from callr_mock.legacy.core import Ctx, P, Registry, invalid_params
from callr_mock.legacy.mapping import SMS_DIRECTION, enum_in, parse_legacy_date, rest_date, to_hash

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
