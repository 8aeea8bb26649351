"""The browser inspector at ``/_mock/ui``: static files shipped in ``inspector_static/``.

No server logic of its own: the page's script reads and drives the control API
(``/_mock/state``, ``/_mock/journal``, ``/_mock/clock``, ...) from the same origin. The
Content-Security-Policy keeps it self-contained (no CDN, no inline script, no other host).
"""

from __future__ import annotations

from importlib import resources

from werkzeug.wrappers import Response

from ....base.errors import NotFound
from ...frame.frame import Answer
from .common import ControlCall, route

FOLDER = "inspector_static"
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def _asset(name: str) -> Response:
    folder = resources.files(__package__ or "").joinpath(FOLDER)
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or name.startswith(".") or suffix not in TYPES:
        raise NotFound(f"no inspector file {name!r}")
    if not folder.joinpath(name).is_file():
        raise NotFound(f"no inspector file {name!r}")
    return Response(
        folder.joinpath(name).read_bytes(),
        mimetype=TYPES[suffix],
        headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"},
    )


@route("inspector")
def inspector(call: ControlCall) -> Answer | Response:
    return _asset("index.html")


@route("inspectorAsset")
def inspector_asset(call: ControlCall) -> Answer | Response:
    name = str(call.path["name"])
    return _asset(name)
