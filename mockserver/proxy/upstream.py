"""The HTTP client to the real API: forwards one request, returns the raw answer.

No retries (a failure is reported as it happened), no redirects followed (a 3XX is the
answer), no proxy variables (urllib3's pool manager ignores them), one connection pool
shared by the proxy's threads. Failures raise ``UpstreamFailure`` with a Callr-style code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import SKIP_HEADER

from ..base.wire import API_PREFIX

# hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, never forwarded
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class UpstreamFailure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class UpstreamAnswer:
    status: int
    headers: list[tuple[str, str]]  # as received, duplicates kept
    body: bytes  # as received (still content-encoded)
    reason: str = ""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


class Upstream:
    """``base_url`` is the real API's base, e.g. ``https://api.callr.com/v2.0``: a request
    to ``/v2.0/sms`` goes to ``https://api.callr.com/v2.0/sms``, one to the legacy
    ``/json-rpc/v1.1/`` to ``https://api.callr.com/json-rpc/v1.1/``. A base without the
    ``/v2.0`` suffix gets the whole path appended."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, pool_size: int = 8) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"upstream must be an http:// or https:// URL, not {base_url!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"upstream URL takes no query or fragment: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.pool = urllib3.PoolManager(
            num_pools=4,
            maxsize=pool_size,
            retries=False,
            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
        )

    def url_for(self, raw_path: str, query: str) -> str:
        path, prefix = raw_path, self.prefix
        if prefix.endswith(API_PREFIX) and raw_path.startswith(API_PREFIX):
            path = raw_path[len(API_PREFIX) :]
        elif prefix.endswith(API_PREFIX):  # the legacy /json-rpc/v1.1/ sits beside /v2.0
            prefix = prefix[: -len(API_PREFIX)]
        url = self.origin + prefix + path
        return f"{url}?{query}" if query else url

    def send(
        self,
        method: str,
        raw_path: str,
        query: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
    ) -> UpstreamAnswer:
        url = self.url_for(raw_path, query)
        forwarded = urllib3.HTTPHeaderDict()
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() not in ("host", "content-length"):
                forwarded.add(name, value)
        if "user-agent" not in forwarded:
            forwarded["User-Agent"] = SKIP_HEADER  # add nothing the caller did not send
        try:
            response = self.pool.urlopen(
                method,
                url,
                body=body or None,
                headers=forwarded,
                redirect=False,
                retries=False,
                preload_content=True,
                decode_content=False,
                assert_same_host=False,
            )
        except MaxRetryError as error:  # not raised with retries=False, but be sure
            raise _failure(error.reason or error, url) from None
        except HTTPError as error:
            raise _failure(error, url) from None
        return UpstreamAnswer(
            status=response.status,
            headers=list(response.headers.iteritems()),
            body=response.data or b"",
            reason=response.reason or "",
        )

    def close(self) -> None:
        self.pool.clear()


def _failure(error: BaseException, url: str) -> UpstreamFailure:
    where = f"the upstream {url}"
    if isinstance(error, NewConnectionError):  # (a subclass of ConnectTimeoutError)
        reason = str(error).rsplit(":", 1)[-1].strip() or "connection failed"
        return UpstreamFailure("upstream-unreachable", f"cannot connect to {where}: {reason}")
    if isinstance(error, ConnectTimeoutError):
        return UpstreamFailure("upstream-timeout", f"connecting to {where} timed out")
    if isinstance(error, ReadTimeoutError):
        return UpstreamFailure("upstream-timeout", f"{where} did not answer in time")
    if isinstance(error, SSLError):
        return UpstreamFailure("upstream-tls-error", f"TLS with {where} failed: {error}")
    if isinstance(error, ProtocolError):
        return UpstreamFailure("upstream-error", f"{where} broke the connection: {error}")
    return UpstreamFailure("upstream-error", f"{where} failed: {type(error).__name__}: {error}")
