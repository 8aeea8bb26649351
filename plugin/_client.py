"""The HTTP client of the fixtures (``callr_client``) and the credentials it uses."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from callr_mock.state.timefmt import iso

from ._control import DEFAULT_TIMEOUT, CallrMockError

if TYPE_CHECKING:
    from callr_mock.contract.compiled import Contract


def wire_value(value: Any) -> str:
    """A query value as the mock reads it: ``true``/``false``, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(wire_value(item) for item in value)
    if isinstance(value, datetime):
        return iso(value) or ""
    return str(value)


def wire_params(params: Any) -> Any:
    if not isinstance(params, Mapping):
        return params
    return {name: wire_value(value) for name, value in params.items() if value is not None}


class CallrClient(requests.Session):
    """A ``requests.Session`` for the mock: auth set, relative paths under ``base_url``.

    ``client.get("/sms", params={"limit": 5})`` → ``GET {base_url}/sms?limit=5``. Query
    values are put on the wire as the API reads them (booleans ``true``/``false``, lists
    comma-separated). ``client.call(operation_id, path=..., query=..., body=...)`` sends
    one operation of the spec (what ``strategies.requests_for`` draws).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        contract: Callable[[], Contract] | None = None,
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._contract = contract
        if api_key:
            self.headers["x-api-key"] = api_key

    def request(
        self, method: str | bytes, url: str | bytes, params: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        if isinstance(url, str) and not url.startswith(("http://", "https://")):
            url = self.base_url + "/" + url.lstrip("/")
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, wire_params(params), *args, **kwargs)

    def call(
        self,
        operation_id: str,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one spec operation by its operationId."""
        if self._contract is None:
            raise CallrMockError("this client has no contract; use the callr_client fixture")
        contract = self._contract()
        op = contract.operations.get(operation_id)
        if op is None:
            raise CallrMockError(f"{contract.title} has no operation {operation_id!r}")
        values = dict(path or {})
        url = op.path
        for name in [p.name for p in op.parameters.get("path", [])]:
            if name not in values:
                raise CallrMockError(f"{operation_id} needs the path parameter {name!r}")
            url = url.replace("{" + name + "}", quote(wire_value(values[name]), safe=""))
        if body is not None and op.body is not None:
            if "application/json" in op.body.schemas:
                kwargs["json"] = body
            elif "multipart/form-data" in op.body.schemas and isinstance(body, Mapping):
                kwargs["files"] = {k: ("file", v) for k, v in body.items() if isinstance(v, bytes)}
                kwargs["data"] = {k: v for k, v in body.items() if not isinstance(v, bytes)}
            else:
                kwargs["data"] = body
        return self.request(op.method, url, dict(query or {}), **kwargs)


@dataclass(frozen=True)
class Credentials:
    """An account of the mock: sid and key, with ready-made auth for requests."""

    sid: str
    key: str | None
    parent: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """``x-api-key``, or HTTP Basic ``SUB_SID:MASTER_KEY`` for a sub-account."""
        if self.parent:
            token = base64.b64encode(f"{self.sid}:{self.key or ''}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {"x-api-key": self.key} if self.key else {}

    @property
    def auth(self) -> tuple[str, str]:
        """``(sid, key)`` for ``requests``' HTTP Basic (a sub-account uses the master key)."""
        return (self.sid, self.key or "")
