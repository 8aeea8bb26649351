"""Control routes for calls: add call records (CDRs), download exports."""

from __future__ import annotations

from flask import Response, current_app

from ....base.errors import NotFound
from ...frame.runtime import runtime_of
from .common import blueprint, body, reply


@blueprint.post("/accounts/<sid>/calls")
def add_call(sid: str) -> Response:
    """Add a CDR (see ``CallRepo.add`` for the body); fires v2.call.<direction>.started/ended."""
    data = body()
    store = runtime_of(current_app).store
    with store.lock:
        account = store.account(sid)
        record = account.calls.add(data)
        return reply(record.to_api(store.clock.now()), 201)


@blueprint.get("/exports/<taskid>")
def download_export(taskid: str) -> Response:
    """The file of a finished calls export (CSV or JSON), whichever account made it."""
    store = runtime_of(current_app).store
    with store.lock:
        store.tick()
        for account in store.accounts():
            found = account.calls.exports.get(taskid)
            if found is not None:
                response = Response(found.content, status=200, content_type=found.content_type)
                response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
                return response
    raise NotFound(f"no finished calls export with task sid {taskid!r}")
