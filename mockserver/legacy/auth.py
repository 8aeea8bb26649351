"""Legacy credentials → account, reusing the REST rules of ``callr_mock.auth``.

- ``Authorization: Basic base64(login:password)``: the legacy *login* is the account sid
  and the *password* its API key (``Basic SID:KEY``, exactly the REST v2 Basic form; a
  sub-account is ``SUB_SID:MASTER_KEY``). Existing credentials work on both APIs.
- ``Authorization: Api-Key KEY`` (what Callr's legacy SDKs send for API keys) is the REST
  ``x-api-key: KEY``.

Anything else (no header, ``Session`` tokens, the REST ``x-api-key`` header alone) is
refused with HTTP 401 and a JSON-RPC error.
"""

from __future__ import annotations

from callr_mock.auth import Headers, authenticate
from callr_mock.state.errors import Unauthorized
from callr_mock.state.store import AccountState, Store

HOW = "send 'Authorization: Basic base64(ACCOUNT_SID:API_KEY)' or 'Authorization: Api-Key API_KEY'"


def authenticate_legacy(store: Store, headers: Headers) -> AccountState:
    authorization = (headers.get("Authorization") or "").strip()
    if not authorization:
        raise Unauthorized(f"no credentials; {HOW}", code="missing-credentials")
    scheme, _, value = authorization.partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        return authenticate(store, {"Authorization": f"Basic {value}"})
    if scheme.lower() == "api-key":
        if not value:
            raise Unauthorized(f"the Api-Key is empty; {HOW}", code="invalid-credentials")
        return authenticate(store, {"x-api-key": value})
    raise Unauthorized(
        f"unsupported authorization scheme {scheme!r} on the legacy API; {HOW}",
        code="invalid-credentials",
    )
