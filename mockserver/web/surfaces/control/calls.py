"""Control routes for calls: add call records (CDRs), download exports."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ....base.errors import NotFound
from ...frame.frame import Answer
from .common import ControlCall, reply, route


@route("addCall")
def add_call(call: ControlCall) -> Answer | Response:
    """Add a CDR (see ``CallRepo.add`` for the body); fires v2.call.<direction>.started/ended."""
    sid = str(call.path["sid"])
    data = call.body
    store = call.rt.store
    with store.lock:
        account = store.account(sid)
        record = account.calls.add(data)
        return reply(record.to_api(store.clock.now()), 201)


@route("downloadExport")
def download_export(call: ControlCall) -> Answer | Response:
    """The file of a finished calls export (CSV or JSON), whichever account made it."""
    taskid = str(call.path["taskid"])
    store = call.rt.store
    with store.lock:
        store.tick()
        for account in store.accounts():
            found = account.calls.exports.get(taskid)
            if found is not None:
                response = Response(found.content, status=200, content_type=found.content_type)
                response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
                return response
    raise NotFound(f"no finished calls export with task sid {taskid!r}")
