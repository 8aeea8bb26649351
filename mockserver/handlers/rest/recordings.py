"""Recordings: search, get, mark read/unread, delete one, delete in bulk (a task).
Rules in ``callr_mock.state.recordings``; recordings are created by the control API."""

from __future__ import annotations

from .call import Call, Reply, handles


@handles("searchRecordings")
def search_recordings(call: Call) -> Reply:
    q = call.query
    return Reply(
        200,
        call.account.recordings.search(
            read=q.get("read"),
            created_after=q.get("createdAfter"),
            created_before=q.get("createdBefore"),
            order=q["order"],
            offset=q["offset"],
            limit=q["limit"],
        ),
    )


@handles("getRecording")
def get_recording(call: Call) -> Reply:
    return Reply(200, call.account.recordings.get(call.path["sid"]).to_api())


@handles("updateRecording")
def update_recording(call: Call) -> Reply:
    return Reply(200, call.account.recordings.mark(call.path["sid"], call.body["read"]).to_api())


@handles("deleteRecording")
def delete_recording(call: Call) -> Reply:
    call.account.recordings.delete(call.path["sid"])
    return Reply(204)


@handles("deleteRecordings")
def delete_recordings(call: Call) -> Reply:
    q = call.query
    task = call.account.recordings.delete_matching(
        read=q.get("read"),
        created_after=q.get("createdAfter"),
        created_before=q.get("createdBefore"),
    )
    return Reply(202, task.to_api())
