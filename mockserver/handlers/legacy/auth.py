"""Legacy credentials → account, reusing the REST rules of ``callr_mock.state.auth``.

- ``Authorization: Basic base64(login:password)``: the legacy *login* is the account sid
  and the *password* its API key (``Basic SID:KEY``, exactly the REST v2 Basic form; a
  sub-account is ``SUB_SID:MASTER_KEY``). Existing credentials work on both APIs.
- ``Authorization: Api-Key KEY`` (what Callr's legacy SDKs send for API keys) is the REST
  ``x-api-key: KEY``.
- ``Authorization: Session TOKEN``: a user session token from ``session.create``
  (``sessions``).
- ``CALLR-Login-As: account.hash HASH`` or ``CALLR-Login-As: user.login LOGIN`` (Callr's
  SDKs: sdk-nodejs ``lib/callr.js``, sdk-java ``auth/LoginAs.java``, sdk-php and sdk-ruby
  write the type ``Account.hash``/``User.login``) with any of the above acts as that
  sub-account of the authenticated account [C]. ``HASH`` is the sub-account's hash (its sid
  in upper case); a sandbox account has one user whose login is its sid [I]. Anything else,
  or a target that is not a sub-account of the caller, is refused (403).

Anything else (no header, the REST ``x-api-key`` header alone) is refused with HTTP 401
and a JSON-RPC error.
"""

from __future__ import annotations

from ...base.errors import Forbidden, Unauthorized
from ...state.auth import Headers, authenticate
from ...state.store import AccountState, Store
from .sessions import session_account

HOW = (
    "send 'Authorization: Basic base64(ACCOUNT_SID:API_KEY)', 'Authorization: Api-Key API_KEY' "
    "or 'Authorization: Session TOKEN'"
)
LOGIN_AS_HEADER = "CALLR-Login-As"
LOGIN_AS_TYPES = ("account.hash", "user.login")


def authenticate_legacy(store: Store, headers: Headers) -> tuple[AccountState, str | None]:
    """The account a legacy call acts as, and the session token it was made with."""
    account, session = _credentials(store, headers)
    login_as = (headers.get(LOGIN_AS_HEADER) or "").strip()
    if login_as:
        account = _login_as(store, account, login_as)
    return account, session


def _credentials(store: Store, headers: Headers) -> tuple[AccountState, str | None]:
    authorization = (headers.get("Authorization") or "").strip()
    if not authorization:
        raise Unauthorized(f"no credentials; {HOW}", code="missing-credentials")
    scheme, _, value = authorization.partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        return authenticate(store, {"Authorization": f"Basic {value}"}), None
    if scheme.lower() == "api-key":
        if not value:
            raise Unauthorized(f"the Api-Key is empty; {HOW}", code="invalid-credentials")
        return authenticate(store, {"x-api-key": value}), None
    if scheme.lower() == "session":
        if not value:
            raise Unauthorized(f"the Session token is empty; {HOW}", code="invalid-credentials")
        return session_account(store, value), value
    raise Unauthorized(
        f"unsupported authorization scheme {scheme!r} on the legacy API; {HOW}",
        code="invalid-credentials",
    )


def _login_as(store: Store, caller: AccountState, value: str) -> AccountState:
    kind, _, target = value.partition(" ")
    target = target.strip()
    if kind.lower() not in LOGIN_AS_TYPES or not target:
        raise Forbidden(
            f"{LOGIN_AS_HEADER} must be 'account.hash HASH' or 'user.login LOGIN', not {value!r}",
            code="invalid-login-as",
        )
    with store.lock:
        account = store.find_account(target.lower())
    if account is None or (account is not caller and account.parent != caller.sid):
        raise Forbidden(
            f"{LOGIN_AS_HEADER}: {target} is not a sub-account of account {caller.sid.upper()}",
            code="not-a-sub-account",
        )
    return account
