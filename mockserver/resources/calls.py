"""Calls: CDR export (a background task)."""

from __future__ import annotations

from callr_mock.resources import Call, Reply, handles
from callr_mock.state.timefmt import parse


@handles("exportCalls")
def export_calls(call: Call) -> Reply:
    q = call.query
    task = call.account.calls.export(
        direction=q.get("direction"),
        start=parse(q["from"]) if "from" in q else None,
        end=parse(q["to"]) if "to" in q else None,
        export_format=q.get("format", "csv"),
        base_url=call.base_url,
    )
    return Reply(202, task.to_api())
