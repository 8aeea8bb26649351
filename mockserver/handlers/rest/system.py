"""System: ``GET /ping``."""

from __future__ import annotations

from ...state.timefmt import iso
from .call import Call, Reply, handles


@handles("ping")
def ping(call: Call) -> Reply:
    return Reply(200, {"pong": "pong", "time": iso(call.store.clock.now())})
