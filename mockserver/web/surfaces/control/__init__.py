"""The control API under ``/_mock/`` (outside Callr's contract; see spec/control.yaml).

One module per concern; each marks its route functions with ``@route("operationId")``
(``common.py``), and ``ROUTE_MODULES`` lists the modules: the table is built from that list
(``routes()``), with no import side effect. A route gets a ``ControlCall`` (the runtime,
the path, query and body read and checked against control.yaml by the request frame) and
returns an ``Answer`` (``reply(...)``) or a ready werkzeug ``Response`` (a file, a stream).
"""

from __future__ import annotations

from . import calls, faults, recordings, runs, sandbox, sms, ui, vary, webhooks
from .common import CONTROL, ControlCall, Route, reply, route, routes_of

ROUTE_MODULES = (sandbox, calls, faults, recordings, runs, sms, ui, vary, webhooks)
"""Every module holding control routes."""


def routes() -> dict[str, Route]:
    """operationId of control.yaml → its route function."""
    return routes_of(ROUTE_MODULES)


__all__ = ["CONTROL", "ROUTE_MODULES", "ControlCall", "Route", "reply", "route", "routes"]
