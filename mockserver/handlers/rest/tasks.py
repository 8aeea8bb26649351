"""Tasks: get (GET and POST, as the migration table prints it), search, cancel."""

from __future__ import annotations

from .call import Call, Reply, handles


@handles("getTask")
@handles("getTaskPost")
def get_task(call: Call) -> Reply:
    return Reply(200, call.account.tasks.get(call.path["taskid"]).to_api())


@handles("searchTasks")
def search_tasks(call: Call) -> Reply:
    q = call.query
    return Reply(
        200,
        call.account.tasks.search(
            type=q.get("type"),
            status=q.get("status"),
            order=q["order"],
            offset=q["offset"],
            limit=q["limit"],
        ),
    )


@handles("cancelTask")
def cancel_task(call: Call) -> Reply:
    call.account.tasks.cancel(call.path["taskid"])
    return Reply(204)
