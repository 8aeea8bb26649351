"""Calls: CDR export (a background task)."""

from __future__ import annotations

from .call import Call, Reply, handles


@handles("exportCalls")
def export_calls(call: Call) -> Reply:
    q = call.query
    task = call.account.calls.export(
        direction=q.get("direction"),
        start=call.date("from"),
        end=call.date("to"),
        export_format=q["format"],
        base_url=call.base_url,
    )
    return Reply(202, task.to_api())
