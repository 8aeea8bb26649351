"""Credentials → account: ``x-api-key``, Basic ``ACCOUNT_SID:KEY``, Basic ``SUB_SID:MASTER_KEY``."""

from __future__ import annotations

import base64
import binascii
from typing import Protocol

from callr_mock.state.errors import Unauthorized
from callr_mock.state.store import AccountState, Store


class Headers(Protocol):
    """What auth needs of request headers (werkzeug's ``Headers``, a plain dict, ...)."""

    def get(self, key: str) -> str | None: ...


HOW = "send 'x-api-key: KEY' or 'Authorization: Basic base64(ACCOUNT_SID:KEY)'"


def authenticate(store: Store, headers: Headers) -> AccountState:
    api_key = headers.get("x-api-key")
    if api_key is not None:
        if not api_key.strip():
            raise Unauthorized(f"the x-api-key header is empty; {HOW}", code="invalid-credentials")
        account = store.account_for_key(api_key.strip())
        if account is None:
            raise Unauthorized("unknown API key", code="invalid-credentials")
        return account
    authorization = headers.get("Authorization")
    if not authorization:
        raise Unauthorized(f"no credentials; {HOW}", code="missing-credentials")
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
            if account.key and account.key == key:
                return account
            owner = store.account_for_key(key)
            if owner is not None and account.parent == owner.sid:
                return account
    raise Unauthorized("unknown account sid or wrong API key", code="invalid-credentials")
