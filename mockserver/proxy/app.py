"""The proxy's HTTP layer: a plain WSGI app (``running/proxy_server.py`` runs it on waitress).

- ``/v2.0/...`` and the legacy ``/json-rpc/v1.1/``: forwarded unchanged to the upstream (method, raw path and query, body,
  headers with the caller's credentials; hop-by-hop headers excepted), answered with the
  upstream's status, headers and body bytes unchanged; then checked against the spec
  (``drift``; a legacy call against a private shadow sandbox's answer, ``legacy_drift``)
  and, with ``--record``, written to disk (``recording``).
- ``GET /_mock/drift``: the drift report (JSON); ``DELETE /_mock/drift`` clears it
  (``spec/control.yaml``).
- An upstream failure is a 502 with a Callr error body naming what failed.

No web framework: the forwarding must see the raw request, and the proxy adds as little
as possible to each request (``bench/proxy_overhead.py``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from ..contract.compiled import Contract
from .drift import (
    API_PREFIX,
    LEGACY_PATH,
    DriftReport,
    Exchange,
    is_legacy_path,
    render,
)
from .encodings import decode
from .legacy_drift import LegacyDrift, Shadow, operation_of
from .recording import Recorder
from .upstream import HOP_BY_HOP, Upstream, UpstreamAnswer, UpstreamFailure

log = logging.getLogger("callr_mock.proxy")
StartResponse = Callable[..., Any]
JSON = "application/json"
# the WSGI server frames the answer itself (it has the whole body)
_NOT_PASSED_BACK = HOP_BY_HOP | {"content-length"}
DRIFT_ROUTE = "/_mock/drift"
ROUTES = (("GET", DRIFT_ROUTE), ("DELETE", DRIFT_ROUTE))  # tests/test_control_spec.py


@dataclass
class ProxySettings:
    upstream: str
    record_dir: str | None = None
    timeout: float = 30.0


class ProxyApp:
    def __init__(
        self,
        contract: Contract,
        upstream: Upstream,
        *,
        recorder: Recorder | None = None,
        max_body_bytes: int = 64 << 20,
        legacy: LegacyDrift | None = None,
    ) -> None:
        self.contract = contract
        self.upstream = upstream
        self.report = DriftReport(contract, legacy)
        self.recorder = recorder
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        if path == DRIFT_ROUTE or path == DRIFT_ROUTE + "/":
            return self._drift(method, start_response)
        if path == API_PREFIX or path.startswith(API_PREFIX + "/") or is_legacy_path(path):
            return self._forward(environ, start_response)
        code = "not-found"
        message = (
            f"callr-mock proxy forwards {API_PREFIX}/... and {LEGACY_PATH}, and serves "
            f"{DRIFT_ROUTE}; no {path}"
        )
        return _error(start_response, 404, code, message)

    # -- the control route ----------------------------------------------------------------
    def _drift(self, method: str, start_response: StartResponse) -> Iterable[bytes]:
        if method == "GET":
            body = json.dumps(self.report.to_json(), ensure_ascii=False).encode("utf-8")
            return _send(start_response, 200, [("Content-Type", JSON)], body)
        if method == "DELETE":
            self.report.clear()
            return _send(start_response, 204, [], b"")
        message = f"{method} is not allowed on {DRIFT_ROUTE}; allowed: DELETE, GET"
        return _error(
            start_response, 405, "method-not-allowed", message, [("Allow", "DELETE, GET")]
        )

    # -- forwarding -------------------------------------------------------------------------
    def _forward(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ["REQUEST_METHOD"]
        raw_path, query = _raw_target(environ)
        if _has_dot_segment(raw_path):
            message = (
                f"the path {raw_path!r} has a '.' or '..' segment; the proxy forwards paths "
                f"under {API_PREFIX} as they are, never outside it"
            )
            return _error(start_response, 400, "dot-segment", message)
        headers = _request_headers(environ)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes:
            message = f"request body is larger than the proxy's limit ({self.max_body_bytes} bytes)"
            return _error(start_response, 413, "payload-too-large", message)
        body = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
        exchange = Exchange(
            method=method,
            path=raw_path,
            query=query,
            request_headers={name.lower(): value for name, value in headers},
            request_body=body,
        )
        try:
            answer: UpstreamAnswer | None = self.upstream.send(
                method, raw_path, query, headers, body
            )
        except UpstreamFailure as failure:
            answer = None
            exchange.upstream_error = f"{failure.code}: {failure.message}"
            log.warning("upstream failure: %s", failure.message)
            result = _error(
                start_response, 502, failure.code, f"callr-mock proxy: {failure.message}"
            )
        if answer is not None:
            exchange.status = answer.status
            exchange.response_headers = {k.lower(): v for k, v in answer.headers}
            exchange.response_body, exchange.response_encoding = decode(
                answer.body, answer.header("content-encoding")
            )
            head = method == "HEAD"
            passed = [
                (k, v)
                for k, v in answer.headers
                if k.lower() not in _NOT_PASSED_BACK or (head and k.lower() == "content-length")
            ]
            result = _send(start_response, answer.status, passed, answer.body, head, answer.reason)
        # the caller's answer is decided; what follows only observes it
        try:
            findings = self.report.add(exchange)
            if self.recorder is not None:
                operation = findings[0].operation if findings else self._operation(exchange)
                self.recorder.write(
                    exchange,
                    time=datetime.now(UTC)
                    .isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z"),
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    operation=operation,
                )
        except Exception:  # an observer's bug must never change what the caller gets
            log.exception("drift check or recording failed for %s %s", method, raw_path)
        return result

    def _operation(self, exchange: Exchange) -> str:
        if is_legacy_path(exchange.path):
            return operation_of(exchange)
        path = exchange.path[len(API_PREFIX) :] or "/"
        op, _, _ = self.report.classifier.router.match(exchange.method, path)
        return op.id if op else "unknown"

    def summary(self) -> str:
        return render(self.report.to_json(), "text")


def _raw_target(environ: dict[str, Any]) -> tuple[str, str]:
    """The path and query exactly as the caller wrote them (percent-encoding kept)."""
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if uri and uri.startswith("/"):
        path, _, query = uri.partition("?")
        return path, query
    path = quote(
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~%"
    )
    return path, environ.get("QUERY_STRING", "")


def _has_dot_segment(raw_path: str) -> bool:
    """``/v2.0/../x``, ``/v2.0/%2e%2e/x``: a segment an upstream would resolve away."""
    segments = unquote(raw_path).replace("\\", "/").split("/")
    return any(segment in (".", "..") for segment in segments)


def _request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").title()
        else:
            continue
        if value == "" and key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            continue
        headers.append((name, value))
    return headers


def _send(
    start_response: StartResponse,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    head: bool = False,
    reason: str = "",
) -> list[bytes]:
    """Answer; a HEAD keeps the upstream's Content-Length (its body is not sent)."""
    framing = [] if head else [("Content-Length", str(len(body)))]
    start_response(f"{status} {reason or _reason(status)}", [*headers, *framing])
    return [] if head else [body]


def _error(
    start_response: StartResponse,
    status: int,
    code: str,
    message: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode("utf-8")
    return _send(start_response, status, [("Content-Type", JSON), *(extra or [])], body)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def build_proxy(
    settings: ProxySettings,
    *,
    spec_path: str | None = None,
    pool_size: int = 8,
    shadow: Shadow | None = None,
) -> ProxyApp:
    """The proxy; ``shadow`` answers legacy calls as the sandbox would (``legacy_drift``),
    without one legacy exchanges are forwarded and counted, not checked."""
    from ..contract.compiled import contract_for

    contract = contract_for(spec_path)
    upstream = Upstream(settings.upstream, timeout=settings.timeout, pool_size=pool_size)
    recorder = Recorder(settings.record_dir) if settings.record_dir else None
    legacy = LegacyDrift(shadow) if shadow is not None else None
    return ProxyApp(contract, upstream, recorder=recorder, legacy=legacy)
