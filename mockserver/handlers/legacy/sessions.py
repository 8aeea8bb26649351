"""Legacy user sessions: ``session.*`` and the ``Authorization: Session <token>`` scheme.

Callr's legacy SDKs authenticate with a user session token (sdk-nodejs
``callr.userSessionAuth``, sdk-java ``UserSessionAuth``: ``Authorization: Session <token>``)
that ``session.create`` gives (sdk-java ``UserSessionKeyTest``: a 40 hex character
``token``, a ``refresh_token`` and ``valid_until``; ``session.refresh(refresh_token)``
extends it, ``session.all`` lists the account's sessions, ``session.delete`` ends the one
in use) [C]. The validity of a session is not documented: the sandbox gives 24 hours of
sandbox clock [I]. Sessions are store-wide (a token names its account), kept in a state
file, and dropped with their account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...base.errors import Unauthorized
from ...state.codec import dump, load
from ...state.shared import shared_state
from .core import Ctx, P, Registry
from .mapping import BadValue, legacy_date

METHODS = Registry()
SHARED_NAME = "legacy_sessions"
VALIDITY = timedelta(hours=24)


@dataclass
class Session:
    account: str
    refresh_token: str
    valid_until: datetime


def _table(store: Any) -> dict[str, Session]:
    table: dict[str, Session] = store.shared_resource(SHARED_NAME, dict)
    return table


def _dump(table: dict[str, Session]) -> dict[str, Any]:
    return dump(dict(table))


def _load(store: Any, data: Any, where: str) -> dict[str, Session]:
    return load(dict[str, Session], data, where)


shared_state(SHARED_NAME, _dump, _load)


def session_account(store: Any, token: str) -> Any:
    """The account of a live session token; 401 otherwise."""
    with store.lock:
        session = _table(store).get(token)
        account = store.find_account(session.account) if session is not None else None
        if session is None or account is None:
            raise Unauthorized("unknown session token", code="invalid-credentials")
        if session.valid_until <= store.clock.now():
            raise Unauthorized(
                "the session token has expired; session.refresh it or session.create another",
                code="expired-session",
            )
        return account


def _render(token: str, session: Session) -> dict[str, Any]:
    return {
        "token": token,
        "refresh_token": session.refresh_token,
        "valid_until": legacy_date(session.valid_until),
    }


@METHODS.method("session.create")
def create(ctx: Ctx) -> dict[str, Any]:
    """A new session of the calling account: ``{token, refresh_token, valid_until}``."""
    token = secrets.token_hex(20)
    session = Session(ctx.account.sid, secrets.token_hex(20), ctx.store.clock.now() + VALIDITY)
    _table(ctx.store)[token] = session
    return _render(token, session)


@METHODS.method("session.all")
def all_sessions(ctx: Ctx) -> list[dict[str, Any]]:
    """The calling account's live sessions."""
    now = ctx.store.clock.now()
    return [
        _render(token, session)
        for token, session in _table(ctx.store).items()
        if session.account == ctx.account.sid and session.valid_until > now
    ]


@METHODS.method("session.refresh", P("refresh_token"))
def refresh(ctx: Ctx, refresh_token: str) -> dict[str, Any]:
    """Extend the account's session of ``refresh_token`` by 24 hours from now."""
    table = _table(ctx.store)
    for token, session in table.items():
        if session.account == ctx.account.sid and session.refresh_token == refresh_token:
            session.valid_until = ctx.store.clock.now() + VALIDITY
            return _render(token, session)
    raise BadValue("refresh_token is not the refresh token of one of this account's sessions")


@METHODS.method("session.delete")
def delete(ctx: Ctx) -> bool:
    """End the session the call is made with (its token stops working)."""
    if ctx.session is None or _table(ctx.store).pop(ctx.session, None) is None:
        raise BadValue(
            "session.delete ends the session in use: call it with 'Authorization: Session <token>'"
        )
    return True
