"""The control API client of the plugin: ``ControlClient`` and the two ways it is carried.

``ControlClient`` has one method per route of the ``/_mock`` control API
(``spec/control.yaml``) and raises ``CallrMockError`` when the mock refuses a call. It talks
straight into the app's WSGI callable (``_FlaskTransport``: no socket, same code path)
when the session runs its own server, or over HTTP (``_HttpTransport``) to an external
server (``--callr-mock-url``). The per-test handle and the session server are in
``handle.py``.
"""

from __future__ import annotations

import io
import json as _json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import requests
from callr_mock.base.wire import CONTROL_PREFIX
from callr_mock.state.timefmt import iso
from callr_mock.web.frame.guard import control_headers

DEFAULT_TIMEOUT = 10.0


class CallrMockError(RuntimeError):
    """The mock's control API refused something, or the mode does not allow it."""


class _FlaskTransport:
    """Control API calls straight into the app's WSGI callable: in-process, no socket.

    The environ is built here rather than by Flask's test client, whose request builder
    cost more than the control route itself (a test account is several calls)."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def request(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> tuple[int, Any]:
        body = b"" if json is None else _json.dumps(json).encode("utf-8")
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": urlencode({k: v for k, v in (params or {}).items() if v is not None}),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "localhost",
            "CONTENT_TYPE": "application/json" if json is not None else "",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        status: list[str] = []

        def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(line)
            return lambda data: None

        chunks = self._app(environ, start_response)
        try:
            raw = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        try:
            answer = _json.loads(raw) if raw else None
        except ValueError:
            answer = None
        return int(status[0].split(" ", 1)[0]), answer

    def close(self) -> None:
        return None


class _HttpTransport:
    def __init__(self, root_url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._root = root_url.rstrip("/")
        self._session = requests.Session()
        self._session.headers.update(control_headers())  # CALLR_MOCK_CONTROL_TOKEN
        self._timeout = timeout

    def request(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> tuple[int, Any]:
        try:
            response = self._session.request(
                method, self._root + path, json=json, params=params, timeout=self._timeout
            )
        except requests.RequestException as error:
            raise CallrMockError(
                f"cannot reach the callr-mock control API at {self._root}: {error}"
            ) from None
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        return response.status_code, body

    def close(self) -> None:
        self._session.close()


class ControlClient:
    """The ``/_mock`` control API (spec/control.yaml), one method per route."""

    def __init__(self, transport: _FlaskTransport | _HttpTransport) -> None:
        self.transport = transport

    def call(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        status, body = self.transport.request(
            method, CONTROL_PREFIX + path, json=json, params=clean
        )
        if status >= 400:
            message = body.get("message") if isinstance(body, dict) else body
            if status == 404 and path in ("/deliveries", "/deliveries/flush"):
                message = (
                    "this callr-mock server has no webhook deliveries route (GET /_mock/deliveries)"
                )
            raise CallrMockError(f"control API {method} /_mock{path} answered {status}: {message}")
        return body

    def health(self) -> dict[str, Any]:
        return dict(self.call("GET", "/health"))

    def create_account(
        self,
        *,
        sid: str | None = None,
        key: str | None = None,
        parent: str | None = None,
        credit: str | None = None,
    ) -> dict[str, Any]:
        payload = {
            k: v
            for k, v in {"sid": sid, "key": key, "parent": parent, "credit": credit}.items()
            if v
        }
        return dict(self.call("POST", "/accounts", json=payload))

    def delete_account(self, sid: str) -> None:
        self.call("DELETE", f"/accounts/{quote(sid, safe='')}")

    def credit(
        self, sid: str, *, amount: str | None = None, balance: str | None = None
    ) -> dict[str, Any]:
        payload = {"amount": amount} if amount is not None else {"balance": balance}
        return dict(self.call("POST", f"/accounts/{quote(sid, safe='')}/credit", json=payload))

    def seed(self, source: str | dict[str, Any], *, into: str | None = None) -> list[str]:
        payload: dict[str, Any] = {"data": source} if isinstance(source, dict) else {"name": source}
        if into is not None:
            payload["account"] = into
        return list(self.call("POST", "/seed", json=payload)["accounts"])

    def clock(self) -> dict[str, Any]:
        return dict(self.call("GET", "/clock"))

    def freeze(self, at: datetime | None = None) -> dict[str, Any]:
        return dict(self.call("POST", "/clock/freeze", json={"at": iso(at)} if at else {}))

    def unfreeze(self) -> dict[str, Any]:
        return dict(self.call("POST", "/clock/unfreeze"))

    def restart_clock(self) -> dict[str, Any]:
        return dict(self.call("POST", "/clock/restart"))

    def advance(self, seconds: float) -> dict[str, Any]:
        return dict(self.call("POST", "/clock/advance", json={"seconds": seconds}))

    def journal(self, account: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        return list(self.call("GET", "/journal", params={"account": account, "since": since}))

    def journal_entry(self, seq: int) -> dict[str, Any]:
        return dict(self.call("GET", f"/journal/{int(seq)}"))

    def violations(self, account: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        return list(self.call("GET", "/violations", params={"account": account, "since": since}))

    def events(self, account: str | None = None, type: str | None = None) -> list[dict[str, Any]]:
        return list(self.call("GET", "/events", params={"account": account, "type": type}))

    def deliveries(self, account: str | None = None, **filters: str | None) -> list[dict[str, Any]]:
        return list(self.call("GET", "/deliveries", params={"account": account, **filters}))

    def delivery(self, delivery_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/deliveries/{quote(delivery_id, safe='')}"))

    def redeliver(self, delivery_id: str) -> dict[str, Any]:
        return dict(self.call("POST", f"/deliveries/{quote(delivery_id, safe='')}/redeliver"))

    def flush_deliveries(self, timeout: float = 10.0) -> dict[str, Any]:
        return dict(self.call("POST", "/deliveries/flush", json={"timeout": timeout}))

    def runs(self, account: str | None = None, scenario: str | None = None) -> list[dict[str, Any]]:
        return list(self.call("GET", "/runs", params={"account": account, "scenario": scenario}))

    def flush_runs(self, timeout: float = 10.0) -> dict[str, Any]:
        return dict(self.call("POST", "/runs/flush", json={"timeout": timeout}))

    def inbound_sms(self, account: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = f"/accounts/{quote(account, safe='')}/sms/inbound"
        return dict(self.call("POST", path, json=dict(body)))

    def add_call(self, account: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return dict(
            self.call("POST", f"/accounts/{quote(account, safe='')}/calls", json=dict(body))
        )

    def state(self, account: str | None = None) -> dict[str, Any]:
        return dict(self.call("GET", "/state", params={"account": account}))

    def add_fault(self, fault: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", "/faults", json=dict(fault)))

    def faults(self, account: str | None = None) -> list[dict[str, Any]]:
        return list(self.call("GET", "/faults", params={"account": account}))

    def remove_fault(self, fault_id: str) -> None:
        self.call("DELETE", f"/faults/{quote(fault_id, safe='')}")

    def clear_faults(self, account: str | None = None) -> int:
        return int(self.call("DELETE", "/faults", params={"account": account})["removed"])

    def add_rate_limit(self, limit: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", "/rate-limits", json=dict(limit)))

    def rate_limits(self, account: str | None = None) -> list[dict[str, Any]]:
        return list(self.call("GET", "/rate-limits", params={"account": account}))

    def remove_rate_limit(self, limit_id: str) -> None:
        self.call("DELETE", f"/rate-limits/{quote(limit_id, safe='')}")

    def clear_rate_limits(self, account: str | None = None) -> int:
        return int(self.call("DELETE", "/rate-limits", params={"account": account})["removed"])

    def set_vary(self, account: str | None, seed: int | None = None) -> int:
        payload: dict[str, Any] = {"account": account}
        if seed is not None:
            payload["seed"] = seed
        return int(self.call("POST", "/vary", json=payload)["seed"])

    def clear_vary(self, account: str | None = None) -> None:
        self.call("DELETE", "/vary", params={"account": account})
