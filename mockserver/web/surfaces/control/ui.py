"""The browser inspector at ``/_mock/ui``: static files shipped in ``inspector_static/``.

No server logic of its own: the page's script reads and drives the control API
(``/_mock/state``, ``/_mock/journal``, ``/_mock/clock``, ...) from the same origin. The
Content-Security-Policy keeps it self-contained (no CDN, no inline script, no other host).
"""

from __future__ import annotations

from importlib import resources

from flask import Response, abort

from .common import blueprint

FOLDER = "inspector_static"
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def _asset(name: str) -> Response:
    folder = resources.files(__package__ or "").joinpath(FOLDER)
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or name.startswith(".") or suffix not in TYPES:
        abort(404)
    if not folder.joinpath(name).is_file():
        abort(404)
    return Response(
        folder.joinpath(name).read_bytes(),
        mimetype=TYPES[suffix],
        headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"},
    )


@blueprint.get("/ui")
def inspector() -> Response:
    return _asset("index.html")


@blueprint.get("/ui/<name>")
def inspector_asset(name: str) -> Response:
    return _asset(name)
