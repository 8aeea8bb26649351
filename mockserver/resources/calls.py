"""Calls: CDR export (a background task)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callr_mock.resources import Call, Reply, handles
from callr_mock.state.errors import InvalidInput
from callr_mock.state.timefmt import parse


def query_date(query: dict[str, Any], name: str) -> datetime | None:
    """An RFC 3339 query parameter (already format-checked), or None when absent."""
    if name not in query:
        return None
    try:
        return parse(query[name])
    except ValueError as error:
        raise InvalidInput(f"{name}: not a valid RFC 3339 date-time ({error})") from None


@handles("exportCalls")
def export_calls(call: Call) -> Reply:
    q = call.query
    task = call.account.calls.export(
        direction=q.get("direction"),
        start=query_date(q, "from"),
        end=query_date(q, "to"),
        export_format=q.get("format", "csv"),
        base_url=call.base_url,
    )
    return Reply(202, task.to_api())
