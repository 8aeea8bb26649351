"""Who may drive a sandbox: the checks in front of every request (a WSGI middleware).

The sandbox runs on developers' machines next to a browser and, in containers and CI,
next to other people's processes. The standard is that of the local tools developers
already trust (dev servers that refuse foreign Hosts and Origins, databases that want a
password off loopback):

- **Host**: a request whose ``Host`` is not a name of this server is answered 421
  (``misdirected-request``): bound to loopback, the names are ``localhost`` (and
  ``*.localhost``), ``127.0.0.1``, ``[::1]``, the bound address and ``--allowed-host``
  names; so a page that rebinds its own DNS name to 127.0.0.1 reads nothing. Bound to a
  wildcard address (``0.0.0.0``, ``::``) the operator chose to be reachable under any name:
  every Host is served and the control token is what guards the control API.
- **Origin** (control API, inspector: ``/_mock/*``): a request a browser sends from another
  origin (its ``Origin`` is not this server's, or ``Sec-Fetch-Site: cross-site``) is
  refused 403 (``foreign-origin``), so no web page the developer visits can reset, seed,
  fault or read the sandbox. Bodies of the control API are JSON only (``control.common``).
- **Control token** (``--control-token``, ``CALLR_MOCK_CONTROL_TOKEN``; generated and
  printed whenever ``serve`` or ``proxy`` binds off loopback): required on ``/_mock/*``
  from every client, loopback ones included, in the ``X-Callr-Mock-Token`` header. The
  inspector opened once as ``/_mock/ui?token=TOKEN`` keeps it in a same-site, HTTP-only
  cookie, so its own requests carry it. The Callr API (``/v2.0``, ``/json-rpc/v1.1/``)
  keeps its own credentials. Compared in constant time.

Every refusal has the Callr error body ``{code, message}``. No Flask here.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ...base.wire import CONTROL_PREFIX

TOKEN_HEADER = "X-Callr-Mock-Token"
TOKEN_ENV = "CALLR_MOCK_CONTROL_TOKEN"
TOKEN_COOKIE = "callr_mock_token"
INSPECTOR = CONTROL_PREFIX + "/ui"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
StartResponse = Callable[..., Any]


def is_loopback(host: str) -> bool:
    """Whether a bind address only listens on this machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def control_headers() -> dict[str, str]:
    """The header a client of a served sandbox sends: the token of ``CALLR_MOCK_CONTROL_TOKEN``
    (``callr-mock coverage``, the plugin with ``--callr-mock-url``)."""
    token = os.environ.get(TOKEN_ENV)
    return {TOKEN_HEADER: token} if token else {}


def _hostname(host_header: str) -> str:
    """``Host`` without its port, lower case (``[::1]:4010`` → ``::1``)."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The Host names a server bound to ``bind_host`` answers; None = any (a wildcard)."""
    if bind_host.strip("[]") in WILDCARDS:
        return None
    names = set(LOOPBACK_NAMES) | {bind_host.strip("[]").lower()}
    names |= {name.strip().strip("[]").lower() for name in extra if name.strip()}
    return frozenset(names)


class Guard:
    """WSGI middleware: Host, Origin and control-token checks (see the module)."""

    def __init__(
        self,
        app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]],
        *,
        hosts: frozenset[str] | None,
        token: str | None,
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.token = token or None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or ""
        if not self._host_ok(host):
            return _refuse(
                start_response,
                421,
                "misdirected-request",
                f"this sandbox does not answer to the host {host!r}; use 127.0.0.1 or "
                "localhost, or start it with --allowed-host NAME",
            )
        path = environ.get("PATH_INFO", "")
        if path != CONTROL_PREFIX and not path.startswith(CONTROL_PREFIX + "/"):
            return self.app(environ, start_response)
        if self._cross_origin(environ, host):
            return _refuse(
                start_response,
                403,
                "foreign-origin",
                "the control API and the inspector refuse requests from other web origins",
            )
        if self.token is None:
            return self.app(environ, start_response)
        if path == INSPECTOR and self._query_token(environ):
            return self._keep_in_cookie(environ, start_response)
        if not self._token_ok(environ):
            return _refuse(
                start_response,
                401,
                "control-token-required",
                f"the control API needs the control token in the {TOKEN_HEADER} header (the "
                f"token serve printed, or {TOKEN_ENV}); open the inspector as "
                f"{INSPECTOR}?token=TOKEN",
            )
        return self.app(environ, start_response)

    # -- the checks ------------------------------------------------------------------------
    def _host_ok(self, host: str) -> bool:
        if self.hosts is None:
            return True
        name = _hostname(host)
        return name in self.hosts or name.endswith(".localhost")

    @staticmethod
    def _cross_origin(environ: dict[str, Any], host: str) -> bool:
        if environ.get("HTTP_SEC_FETCH_SITE", "").lower() == "cross-site":
            return True
        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            return False
        scheme = environ.get("wsgi.url_scheme", "http")
        return origin.rstrip("/").lower() != f"{scheme}://{host}".lower()

    def _token_ok(self, environ: dict[str, Any]) -> bool:
        given = environ.get("HTTP_" + TOKEN_HEADER.upper().replace("-", "_"))
        if given is None:
            given = _cookie(environ.get("HTTP_COOKIE", ""), TOKEN_COOKIE)
        return self._is_token(given)

    def _query_token(self, environ: dict[str, Any]) -> bool:
        return self._is_token(dict(parse_qsl(environ.get("QUERY_STRING", ""))).get("token"))

    def _is_token(self, given: str | None) -> bool:
        """``given`` is the control token (compared in constant time)."""
        assert self.token is not None
        return given is not None and hmac.compare_digest(
            given.encode("utf-8", "replace"), self.token.encode("utf-8")
        )

    def _keep_in_cookie(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> list[bytes]:
        """``/_mock/ui?token=T``: keep T in a cookie and open the inspector without it."""
        rest = [(k, v) for k, v in parse_qsl(environ.get("QUERY_STRING", "")) if k != "token"]
        location = INSPECTOR + (f"?{urlencode(rest)}" if rest else "")
        cookie = f"{TOKEN_COOKIE}={self.token}; Path={CONTROL_PREFIX}; HttpOnly; SameSite=Strict"
        start_response(
            "303 See Other",
            [("Location", location), ("Set-Cookie", cookie), ("Content-Length", "0")],
        )
        return [b""]


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _refuse(start_response: StartResponse, status: int, code: str, message: str) -> list[bytes]:
    body = json.dumps({"code": code, "message": message}).encode("utf-8")
    reasons = {401: "Unauthorized", 403: "Forbidden", 421: "Misdirected Request"}
    start_response(
        f"{status} {reasons[status]}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
