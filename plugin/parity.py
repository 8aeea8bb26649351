"""Parity helper: run the same scenario through the legacy JSON-RPC API and REST v2, and
compare what each says about the same object, after the documented migration mapping.

    def test_sms_parity(callr_legacy_client, callr_client):
        sms_hash = callr_legacy_client.call("sms.send", "SMS", "+33612345678", "Hello", None)
        legacy = callr_legacy_client.call("sms.get", sms_hash)
        rest = callr_client.get(f"/sms/{sms_hash.lower()}").json()
        assert_parity("sms", legacy, rest)          # AssertionError listing every difference

or, shorter, ``callr_parity.check("sms", sms_hash)`` (reads both sides itself).

The mapping here is written from the migration guide, independently of the mock's own
legacy layer (``callr_mock.handlers.legacy.mapping``), so a wrong mapping on either side shows up
as a difference:

- ``hash`` → ``sid`` in lower case;
- legacy dates ``YYYY-MM-DD HH:MM:SS`` (UTC) equal the REST RFC 3339 dates to the second;
- legacy enums are the REST ones in upper case with ``_`` for ``-``; SMS ``RECEIVED`` is
  ``delivered``, SMS ``IN``/``OUT`` are ``inbound``/``outbound``;
- DIDs are compared on their E.164 number (``intl_number``), never on their hash;
- media items' integer ``id`` is ignored; their ``duration`` is REST's, rounded;
- legacy webhook type names are mapped to the v2 names;
- apps of other packages than ``ACTIONS10`` have no REST equivalent (a difference).

Kinds: ``sms``, ``app``, ``did``, ``job``, ``media``, ``recording``, ``webhook``.

Fixtures (define them in a conftest or import them from here): ``callr_legacy_client``
(a :class:`LegacyClient` authenticated as the test's account) and ``callr_parity``
(a :class:`Parity` bundling both clients). This module imports only pytest and the
standard library; ``requests`` loads when a client is made.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from callr_mock.base.wire import LEGACY_ENDPOINT_PATH

if TYPE_CHECKING:
    from ._client import CallrClient
    from .handle import CallrMock

LEGACY_PATH = LEGACY_ENDPOINT_PATH
KINDS = ("sms", "app", "did", "job", "media", "recording", "webhook")


# -- the JSON-RPC client -------------------------------------------------------------------------
class LegacyError(Exception):
    """A JSON-RPC error answer: ``code``, ``message``, ``data`` and the HTTP status."""

    def __init__(self, code: int, message: str, data: Any = None, http_status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data
        self.http_status = http_status


class LegacyClient:
    """A minimal JSON-RPC 2.0 client for the legacy endpoint (``POST /json-rpc/v1.1/``).

    ``LegacyClient(url, login=SID, password=KEY)`` (HTTP Basic, the legacy login/password)
    or ``LegacyClient(url, api_key=KEY)`` (``Authorization: Api-Key KEY``). ``transport``
    may be any object with ``post(url, data=..., headers=...)`` returning a response with
    ``status_code`` and ``content`` (or ``data``), e.g. a Flask test client with
    ``url="/json-rpc/v1.1/"``; the default is a ``requests.Session``.
    """

    def __init__(
        self,
        url: str,
        *,
        login: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        transport: Any = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self._ids = itertools.count(1)
        self.headers = {"Content-Type": "application/json-rpc; charset=utf-8"}
        if api_key is not None:
            self.headers["Authorization"] = f"Api-Key {api_key}"
        elif login is not None:
            token = base64.b64encode(f"{login}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self._own_session = transport is None
        if transport is None:
            import requests

            transport = requests.Session()
        self.transport = transport

    @classmethod
    def for_mock(cls, mock: Any, **kwargs: Any) -> LegacyClient:
        """A client for a ``callr_mock`` handle (the test's account, HTTP Basic)."""
        sid, key = mock.auth
        return cls(mock.url.rstrip("/") + LEGACY_PATH, login=sid, password=key, **kwargs)

    def request(self, method: str, params: Any = None, *, request_id: Any = None) -> Any:
        """Send one request; returns ``(http_status, response body)`` untouched."""
        envelope = {
            "jsonrpc": "2.0",
            "id": next(self._ids) if request_id is None else request_id,
            "method": method,
            "params": [] if params is None else params,
        }
        return self.send(json.dumps(envelope))

    def send(self, raw: str | bytes) -> tuple[int, Any]:
        """POST a raw body (for protocol tests); returns ``(http_status, parsed body)``."""
        kwargs: dict[str, Any] = {"data": raw, "headers": dict(self.headers)}
        if self._own_session:
            kwargs["timeout"] = self.timeout
        response = self.transport.post(self.url, **kwargs)
        content = getattr(response, "content", None)
        if content is None:
            content = response.data
        try:
            body = json.loads(content)
        except ValueError:
            body = content
        return response.status_code, body

    def call(self, method: str, *params: Any) -> Any:
        """Call ``method`` with positional ``params``; the result, or :class:`LegacyError`."""
        status, body = self.request(method, list(params))
        if not isinstance(body, dict) or body.get("jsonrpc") != "2.0":
            raise LegacyError(
                -32603, f"not a JSON-RPC answer (HTTP {status}): {body!r}", None, status
            )
        if "error" in body:
            error = body["error"]
            raise LegacyError(error["code"], error["message"], error.get("data"), status)
        return body["result"]

    def close(self) -> None:
        if self._own_session:
            self.transport.close()


# -- the documented mapping, legacy → REST ----------------------------------------------------
def _hash(value: Any) -> Any:
    """Legacy hash → REST sid: the same value in lower case; a hash must be upper case."""
    if isinstance(value, str) and value != value.upper():
        return f"{value} (a legacy hash is upper case)"
    return value.lower() if isinstance(value, str) else value


def _enum(value: Any) -> Any:
    """Legacy enum → REST enum (``REMOTE_QUEUED`` → ``remote-queued``); legacy enums are
    upper case."""
    if isinstance(value, str) and value != value.upper():
        return f"{value} (a legacy constant is upper case)"
    return value.lower().replace("_", "-") if isinstance(value, str) else value


def _date(value: Any) -> Any:
    """``YYYY-MM-DD HH:MM:SS`` (UTC) → RFC 3339 (``…T…Z``)."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return f"{value} (not a legacy date YYYY-MM-DD HH:MM:SS)"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


SMS_STATUS = {
    "CREATED": "created",
    "PENDING": "pending",
    "SENT": "sent",
    "REMOTE_QUEUED": "remote-queued",
    "RECEIVED": "delivered",
    "ERROR": "error",
    "FAILED": "failed",
    "EXPIRED": "expired",
}
SMS_DIRECTION = {"IN": "inbound", "OUT": "outbound"}


def _closed(table: dict[str, str], value: Any, what: str) -> Any:
    """A value of a closed legacy enum, or a marker that never equals a REST value."""
    if value is MISSING or value is None:
        return value
    return table.get(value, f"{value} (not a legacy {what})")


DATE_FIELDS = frozenset(
    {"created", "updated", "sent", "delivered", "createdAt", "updatedAt", "assigned", "readAt"}
)
MISSING = object()


def _get(obj: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return MISSING
        obj = obj[key]
    return obj


def _sms(legacy: dict[str, Any]) -> dict[str, Any]:
    error = _get(legacy, "status_error")
    return {
        "sid": _hash(_get(legacy, "hash")),
        "direction": _closed(SMS_DIRECTION, _get(legacy, "type"), "SMS type (IN, OUT)"),
        "from": _get(legacy, "from"),
        "to": _get(legacy, "to"),
        "body": {"text": _get(legacy, "text")},
        "status": _closed(SMS_STATUS, _get(legacy, "status"), "SMS status"),
        "error": "" if error is None else error,  # REST: a string, empty when none
        "parts": _get(legacy, "parts"),
        "encoding": _enum(_get(legacy, "options", "force_encoding")),
        "trafficType": _enum(_get(legacy, "options", "nature")),
        "paymentType": _enum(_get(legacy, "b_customer_mode")),
        "cost": _get(legacy, "b_customer_debit"),
        "created": _date(_get(legacy, "date_creation")),
        "updated": _date(_get(legacy, "date_update")),
        "sent": _date(_get(legacy, "date_sent")),
        "delivered": _date(_get(legacy, "date_received")),
    }


def _assigned(did: dict[str, Any]) -> dict[str, Any]:
    return {
        "e164": _get(did, "intl_number"),
        "country": _get(did, "country_code"),
        "class": _enum(_get(did, "class")),
        "type": _enum(_get(did, "type")),
        "assigned": _date(_get(did, "assigned_at")),
    }


def _did(legacy: dict[str, Any]) -> dict[str, Any]:
    app = _get(legacy, "app")  # null, or {hash, name, package: {name, type}}
    app_hash = _get(legacy, "app", "hash") if isinstance(app, dict) else app
    mapped = {**_assigned(legacy), "scenario": _hash(app_hash)}
    if "contract_auto_renew" in legacy:
        mapped["autoRenew"] = legacy["contract_auto_renew"]
    return mapped


def _app(legacy: dict[str, Any]) -> dict[str, Any]:
    package = _get(legacy, "package", "name")
    if package != "ACTIONS10":
        raise ParityError(
            [f"app {_get(legacy, 'hash')} is a {package} app: REST v2 has only Callr Actions"]
        )
    dids = _get(legacy, "did")
    return {
        "sid": _hash(_get(legacy, "hash")),
        "name": _get(legacy, "name"),
        "script": _get(legacy, "p", "script"),
        "format": _enum(_get(legacy, "p", "format")),
        "numbers": [_assigned(d) for d in dids] if isinstance(dids, list) else dids,
        "created": _date(_get(legacy, "date_creation")),
        "updated": _date(_get(legacy, "date_update")),
    }


def _job(legacy: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": _hash(_get(legacy, "hash")),
        "type": _enum(_get(legacy, "type")),
        "status": _enum(_get(legacy, "status")),
        "progress": _get(legacy, "progress"),
        "result": _get(legacy, "result"),
        "error": _get(legacy, "error"),
        "created": _date(_get(legacy, "date_creation")),
        "updated": _date(_get(legacy, "date_update")),
    }


def _media(legacy: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": _hash(_get(legacy, "hash")),
        "name": _get(legacy, "name"),
        "status": _enum(_get(legacy, "status")),
        "duration": _get(legacy, "duration"),
        "created": _date(_get(legacy, "date_creation")),
        "updated": _date(_get(legacy, "date_update")),
    }


def _recording(legacy: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": _hash(_get(legacy, "hash")),
        "callid": _get(legacy, "callid"),
        "number": _get(legacy, "did_intl_number"),
        "callerNumber": _get(legacy, "cli_number"),
        "duration": _get(legacy, "duration"),
        "read": _get(legacy, "read"),
        "readAt": _date(_get(legacy, "date_read")),
        "status": _enum(_get(legacy, "status")),
        "url": _get(legacy, "url"),
        "size": _get(legacy, "file_size_total"),
        "created": _date(_get(legacy, "date")),
    }


def _webhook(legacy: dict[str, Any]) -> dict[str, Any]:
    # imported here: the plugin loads no server module until a fixture is used
    from callr_mock.state.events import LEGACY_EVENT_TYPES

    kind = _get(legacy, "type")
    algo = _get(legacy, "options", "hmac_algo")
    return {
        "sid": _hash(_get(legacy, "hash")),
        "type": LEGACY_EVENT_TYPES.get(kind, kind),
        "endpoint": _get(legacy, "endpoint"),
        "enabled": _get(legacy, "active"),
        "signed": MISSING if algo is MISSING else algo is not None,
        "created": _date(_get(legacy, "date_creation")),
        "updated": _date(_get(legacy, "date_update")),
    }


MAPPERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "sms": _sms,
    "app": _app,
    "did": _did,
    "job": _job,
    "media": _media,
    "recording": _recording,
    "webhook": _webhook,
}


class ParityError(AssertionError):
    def __init__(self, differences: list[str]) -> None:
        super().__init__("\n".join(differences))
        self.differences = differences


def legacy_to_rest(kind: str, legacy_obj: dict[str, Any]) -> dict[str, Any]:
    """What REST v2 should say, field by field, about the object the legacy API returned.

    A field the legacy object lacks maps to :data:`MISSING` (reported by :func:`diff_parity`).
    """
    if kind not in MAPPERS:
        raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    if not isinstance(legacy_obj, dict):
        raise ParityError([f"the legacy {kind} is not an object: {legacy_obj!r}"])
    return MAPPERS[kind](legacy_obj)


def _same_second(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is actual
    try:
        left = datetime.fromisoformat(str(expected).replace("Z", "+00:00"))
        right = datetime.fromisoformat(str(actual).replace("Z", "+00:00"))
    except ValueError:
        return False
    return left.replace(microsecond=0) == right.replace(microsecond=0)


def _compare(kind: str, path: str, expected: Any, actual: Any, out: list[str]) -> None:
    name = path.rsplit(".", 1)[-1].split("[")[0]
    if expected is MISSING:
        out.append(f"{kind}.{path}: the legacy object has no field for it (REST says {actual!r})")
    elif actual is MISSING:
        out.append(f"{kind}.{path}: REST has no such field (legacy maps to {expected!r})")
    elif isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            _compare(kind, f"{path}.{key}", value, actual.get(key, MISSING), out)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{kind}.{path}: legacy lists {len(expected)}, REST {len(actual)}")
            return
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            _compare(kind, f"{path}[{index}]", left, right, out)
    elif name in DATE_FIELDS:
        if not _same_second(expected, actual):
            out.append(f"{kind}.{path}: legacy says {expected!r}, REST says {actual!r}")
    elif kind == "media" and name == "duration" and isinstance(actual, int | float):
        if expected != round(actual):
            out.append(f"{kind}.{path}: legacy says {expected!r}, REST says {actual!r} (rounded)")
    elif expected != actual:
        out.append(f"{kind}.{path}: legacy says {expected!r}, REST says {actual!r}")


def diff_parity(kind: str, legacy_obj: dict[str, Any], rest_obj: dict[str, Any]) -> list[str]:
    """Readable differences between a legacy object and the REST object, after the
    documented mapping (empty when they agree)."""
    try:
        expected = legacy_to_rest(kind, legacy_obj)
    except ParityError as error:
        return error.differences
    differences: list[str] = []
    for key, value in expected.items():
        actual = rest_obj.get(key, MISSING) if isinstance(rest_obj, dict) else MISSING
        _compare(kind, key, value, actual, differences)
    return differences


def assert_parity(kind: str, legacy_obj: dict[str, Any], rest_obj: dict[str, Any]) -> None:
    """``AssertionError`` (a :class:`ParityError`) listing every difference, if any."""
    differences = diff_parity(kind, legacy_obj, rest_obj)
    if differences:
        head = f"legacy and REST v2 disagree about this {kind} ({len(differences)} difference(s)):"
        raise ParityError([head, *(f"  - {d}" for d in differences)])


# -- both clients together ------------------------------------------------------------------------
REST_PATHS = {
    "sms": "/sms/{sid}",
    "app": "/actions/{sid}",
    "job": "/tasks/{sid}",
    "media": "/audio-files/{sid}",
    "recording": "/recordings/{sid}",
    "webhook": "/webhooks/{sid}",
}


class Parity:
    """The legacy client and a REST client (``requests``-like, relative paths) together."""

    def __init__(self, legacy: LegacyClient, rest: Any) -> None:
        self.legacy = legacy
        self.rest = rest

    def legacy_object(self, kind: str, ref: str) -> dict[str, Any]:
        """Read one object through JSON-RPC (``ref``: hash, or E.164 for a DID)."""
        if kind == "sms":
            return dict(self.legacy.call("sms.get", ref))
        if kind == "job":
            return dict(self.legacy.call("jobs.get", ref))
        if kind == "media":
            return dict(self.legacy.call("media/library.get", ref))
        listings: dict[str, tuple[str, tuple[Any, ...], str]] = {
            "app": ("apps.search", ({}, {"limit": 100}), "hash"),
            "did": ("did.search", ({}, {"limit": 100}), "intl_number"),
            "recording": ("media/recording.search", ({}, {"limit": 100}), "hash"),
            "webhook": ("webhooks.get_list", (), "hash"),
        }
        method, params, key = listings[kind]
        found = self.legacy.call(method, *params)
        items = found["hits"] if isinstance(found, dict) else found
        wanted = ref if kind == "did" else ref.upper()
        for item in items:
            if item.get(key) == wanted or (kind == "did" and item.get("hash") == ref.upper()):
                return dict(item)
        raise LookupError(f"{method} lists no {kind} {ref}")

    def rest_object(self, kind: str, ref: str) -> dict[str, Any]:
        path = f"/numbers/{ref}" if kind == "did" else REST_PATHS[kind].format(sid=ref.lower())
        response = self.rest.get(path)
        status = getattr(response, "status_code", None)
        if status != 200:
            raise LookupError(f"GET {path} answered {status}")
        body = response.json() if callable(getattr(response, "json", None)) else response.get_json()
        return dict(body)

    def check(self, kind: str, ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Read ``ref`` both ways and :func:`assert_parity`; returns (legacy, rest)."""
        legacy = self.legacy_object(kind, ref)
        rest_ref = legacy["intl_number"] if kind == "did" else ref
        rest = self.rest_object(kind, rest_ref)
        assert_parity(kind, legacy, rest)
        return legacy, rest


# -- pytest fixtures -------------------------------------------------------------------------------
@pytest.fixture
def callr_legacy_client(callr_mock: CallrMock) -> Iterator[LegacyClient]:
    """A :class:`LegacyClient` for the legacy endpoint, authenticated as the test's account
    (HTTP Basic ``ACCOUNT_SID:API_KEY``, the legacy login/password)."""
    client = LegacyClient.for_mock(callr_mock)
    yield client
    client.close()


@pytest.fixture
def callr_parity(callr_legacy_client: LegacyClient, callr_client: CallrClient) -> Parity:
    """Both clients of the test's account: ``.legacy``, ``.rest``, ``.check(kind, ref)``."""
    return Parity(callr_legacy_client, callr_client)


__all__ = [
    "KINDS",
    "LegacyClient",
    "LegacyError",
    "Parity",
    "ParityError",
    "assert_parity",
    "callr_legacy_client",
    "callr_parity",
    "diff_parity",
    "legacy_to_rest",
]
