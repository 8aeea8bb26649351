"""Credentials → account: ``x-api-key``, Basic ``ACCOUNT_SID:KEY``, Basic ``SUB_SID:MASTER_KEY``."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Protocol

from ..base.errors import Unauthorized
from .store import AccountState, Store


class Headers(Protocol):
    """What auth needs of request headers (werkzeug's ``Headers``, a plain dict, ...)."""

    def get(self, key: str) -> str | None: ...


HOW = "send 'x-api-key: KEY' or 'Authorization: Basic base64(ACCOUNT_SID:KEY)'"


def authenticate(store: Store, headers: Headers) -> AccountState:
    api_key = headers.get("x-api-key")
    authorization = headers.get("Authorization")
    if api_key is not None and authorization:
        return _both(store, api_key, authorization)
    if api_key is not None:
        return _by_key(store, api_key)
    if not authorization:
        raise Unauthorized(f"no credentials; {HOW}", code="missing-credentials")
    return _by_basic(store, authorization)


def _both(store: Store, api_key: str, authorization: str) -> AccountState:
    """Two credentials are served only when they designate the same account."""
    found: list[AccountState | Unauthorized] = []
    for resolve, value in ((_by_key, api_key), (_by_basic, authorization)):
        try:
            found.append(resolve(store, value))
        except Unauthorized as error:
            found.append(error)
    by_key, by_basic = found
    if isinstance(by_key, AccountState) and by_key is by_basic:
        return by_key
    problems = [
        f"the {name} {'is refused: ' + item.message if isinstance(item, Unauthorized) else 'designates account ' + item.sid}"
        for name, item in (("x-api-key", by_key), ("Basic header", by_basic))
    ]
    raise Unauthorized(
        f"conflicting credentials: {'; '.join(problems)}. Send one of them only",
        code="conflicting-credentials",
    )


def _by_key(store: Store, api_key: str) -> AccountState:
    if not api_key.strip():
        raise Unauthorized(f"the x-api-key header is empty; {HOW}", code="invalid-credentials")
    account = store.account_for_key(api_key.strip())
    if account is None:
        raise Unauthorized("unknown API key", code="invalid-credentials")
    return account


def _by_basic(store: Store, authorization: str) -> AccountState:
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise Unauthorized(
            f"unsupported authorization scheme {scheme!r}; {HOW}", code="invalid-credentials"
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized(
            "the Basic credentials are not valid base64 of 'SID:KEY'", code="invalid-credentials"
        ) from None
    sid, colon, key = decoded.partition(":")
    if not colon or not sid or not key:
        raise Unauthorized(
            "Basic credentials must be 'ACCOUNT_SID:KEY'", code="invalid-credentials"
        )
    with store.lock:
        account = store.find_account(sid)
        if account is not None:
            if account.key and hmac.compare_digest(account.key.encode(), key.encode()):
                return account
            owner = store.account_for_key(key)
            if owner is not None and account.parent == owner.sid:
                return account
    raise Unauthorized("unknown account sid or wrong API key", code="invalid-credentials")
