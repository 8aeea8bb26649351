"""System: ``GET /ping``."""

from __future__ import annotations

from callr_mock.resources import Call, Reply, handles
from callr_mock.state.timefmt import iso


@handles("ping")
def ping(call: Call) -> Reply:
    return Reply(200, {"pong": "pong", "time": iso(call.store.clock.now())})
