"""Where Callr serves its contract, the sandbox serves the spec in use, and a reference page.

- ``GET /v2.0/openapi.json`` and ``/v2.0/openapi.yaml``: the spec (``publish.py``), with
  the sandbox's URL first in ``servers``. No authentication, as for Callr's own file.
- ``GET /v2.0/docs``: Swagger UI (static files shipped in ``docs_static/``, no CDN) on that
  spec, each operation labelled with its ``x-provenance``.

A user's spec that defines one of these paths itself keeps it: the route is not added.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from flask import Blueprint, Flask, Response, abort, request

from ...base.wire import API_PREFIX
from ...contract.publish import Publication

SPEC_ROUTES = {"/openapi.json": "json", "/openapi.yaml": "yaml"}
DOCS_ROUTE = "/docs"
MEDIA_TYPES = {"json": "application/json", "yaml": "application/yaml"}
ASSET_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
}
STATIC_FOLDER = "docs_static"


def _asset(name: str) -> bytes:
    folder = resources.files(__package__ or "").joinpath(STATIC_FOLDER)
    if "/" in name or name.startswith(".") or not folder.joinpath(name).is_file():
        abort(404)
    return folder.joinpath(name).read_bytes()


def api_url() -> str:
    return request.host_url.rstrip("/") + API_PREFIX


def register(app: Flask, document: dict[str, Any], taken: set[str]) -> None:
    """Add the routes the spec in use leaves free (``taken``: its paths)."""
    publication = Publication(document)
    blueprint = Blueprint("reference", __name__, url_prefix=API_PREFIX)

    def spec_view(fmt: str) -> Any:
        def view() -> Response:
            return Response(
                publication.text(api_url(), fmt),
                mimetype=MEDIA_TYPES[fmt],
                headers={"Access-Control-Allow-Origin": "*"},
            )

        view.__name__ = f"openapi_{fmt}"
        return view

    for path, fmt in SPEC_ROUTES.items():
        if path not in taken:
            blueprint.add_url_rule(
                path, view_func=spec_view(fmt), methods=["GET"], provide_automatic_options=False
            )

    if DOCS_ROUTE not in taken and not any(p.startswith(DOCS_ROUTE + "/") for p in taken):

        @blueprint.get(DOCS_ROUTE, provide_automatic_options=False)
        def docs_page() -> Response:
            return Response(_asset("index.html"), mimetype="text/html")

        @blueprint.get(DOCS_ROUTE + "/<name>", provide_automatic_options=False)
        def docs_asset(name: str) -> Response:
            suffix = name[name.rfind(".") :] if "." in name else ""
            if suffix not in ASSET_TYPES:
                abort(404)
            return Response(
                _asset(name),
                mimetype=ASSET_TYPES[suffix],
                headers={"Cache-Control": "public, max-age=3600"},
            )

    app.register_blueprint(blueprint)
