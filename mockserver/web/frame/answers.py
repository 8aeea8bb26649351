"""Answers in the Callr error shape outside any door: 404, 405, 413 of no operation."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request, Response

from ...base.wire import API_PREFIX, JSON
from .recording import answer_message, record_exchange
from .runtime import Runtime


def encode_json(body: Any, status: int) -> bytes | None:
    """An answer's bytes on the wire (None: no body)."""
    if body is None or status == 204:
        return None
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        return payload.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from seed data: escape it instead
        return json.dumps(body, separators=(",", ":")).encode("ascii")


class WireResponse:
    """A ready JSON (or other bytes) answer, as a WSGI app: what werkzeug's ``Response``
    does for the frame's answers (``Content-Type``, ``Content-Length``, no body for HEAD or
    a bodiless status) in a tenth of its time, since nothing else of it is used."""

    __slots__ = ("data", "headers", "status_code")

    def __init__(self, data: bytes, status: int, content_type: str) -> None:
        self.data = data
        self.status_code = status
        self.headers: dict[str, str] = {"Content-Type": content_type}

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        status = self.status_code
        bodiless = status in (204, 304) or 100 <= status < 200
        headers = list(self.headers.items())
        if not bodiless:
            headers.insert(1, ("Content-Length", str(len(self.data))))
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN')}", headers)
        if bodiless or environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return [self.data]


NAMES = {
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


def http_error(rt: Runtime, request: Request, error: HTTPException) -> Response:
    """404/405/413 and friends outside any operation, in the Callr error shape."""
    code = error.code or 500
    if code == 404:
        message = f"no such path: {request.path}"
    allowed: list[str] = []
    if code == 405 and isinstance(error, MethodNotAllowed):
        # /numbers/store is a path of its own even though /numbers/{number} also matches it
        allowed = rt.contract.literal_paths.get(request.path.removeprefix(API_PREFIX)) or [
            m for m in (error.valid_methods or []) if m not in ("HEAD", "OPTIONS")
        ]
        allowed = sorted(allowed)
        message = (
            f"{request.method} is not allowed on {request.path}; allowed: {', '.join(allowed)}"
        )
        search = request.path.removeprefix(API_PREFIX).rstrip("/") + "/search"
        if request.method == "GET" and "GET" in rt.contract.literal_paths.get(search, []):
            message += f". To list or search, use GET {API_PREFIX}{search}"
    elif code != 404:
        message = error.description or error.name
    body = {"code": NAMES.get(code, "http-error"), "message": message}
    headers = {"Allow": ", ".join(allowed)} if allowed else {}
    data = None if request.method == "HEAD" else encode_json(body, code)
    record_exchange(
        rt,
        request,
        started=None,
        account=None,
        operation=None,
        status=code,
        error=body,
        response=answer_message(list(headers.items()), JSON, data),
    )
    response = Response(data, status=code, content_type=JSON) if data else Response(status=code)
    response.headers.update(headers)
    return response
