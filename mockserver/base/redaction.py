"""What is secret in an exchange, and its redacted form: the one list of secret names.

Credentials travel in headers (``x-api-key``, ``Authorization``; cookies for good
measure); secrets in bodies are fields whose name says so (``SECRET_NAME``: API keys,
webhook signing secrets, the legacy ``hmac_secret`` and ``push_*_url_auth`` options,
tokens, passwords, signatures). Their values are replaced by ``REDACTED``.

Used by the journal (``journal.py``: what ``GET /_mock/journal/{seq}`` shows), by the
proxy (``proxy/redaction.py``: recordings and drift reports) and, for its ``SECRET``
pattern, by the inspector (``inspector.js``; tests/test_journal_bodies.py checks it is
this ``SECRET_NAME``).

- headers (``header_value``): never in full; ``Basic`` keeps its login (the account sid,
  no secret), other values keep at most 4 characters, so two keys can be told apart;
- JSON (``redact_json``): every secret-named field at any depth (null, "" and booleans
  say nothing and are kept: ``"secret": null`` removes a secret), and secret-named query
  parameters inside strings (a webhook endpoint ``https://host/hook?token=...``);
- query strings (``redact_query``) and other text (``redact_text``: form bodies, JSON cut
  by a size limit): the same names are found and their values replaced.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

SECRET_NAME = re.compile(
    r"key|secret|passw|pwd|token|auth|credential|signature|hmac|bearer|(?<![a-z])sig(?![a-z])",
    re.IGNORECASE,
)
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"}
)
REDACTED = "[redacted]"
_KEEP = 4  # characters of a key shown, so a user can tell two keys apart

_JSON_FIELD = re.compile(
    r'("[^"\\]*(?:' + SECRET_NAME.pattern + r')[^"\\]*"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^\s,}\]]+)',
    re.IGNORECASE,
)
_FORM_FIELD = re.compile(
    r"((?:^|[&?\s])[\w.\[\]-]*(?:" + SECRET_NAME.pattern + r")[\w.\[\]-]*=)[^&\s]*",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def _partly(value: str) -> str:
    value = value.strip()
    return value[:_KEEP] + "…" + REDACTED if len(value) > 2 * _KEEP else REDACTED


def basic_login(credentials: str) -> tuple[str, str] | None:
    """``(user, password)`` of Basic credentials (base64 of ``user:password``); None when
    they are not base64 of text with a colon."""
    try:
        login = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = login.partition(":")
    return (user, password) if colon else None


def header_value(name: str, value: str) -> str:
    """A request header as shown: secrets masked, everything else as sent."""
    lowered = name.lower()
    if lowered in ("authorization", "proxy-authorization"):
        scheme, _, credentials = value.strip().partition(" ")
        if scheme.lower() == "basic":
            login = basic_login(credentials)
            # the login too is masked like a key: a client may send its key there
            return (
                f"{scheme} {_partly(login[0])}:{REDACTED} (base64)"
                if login
                else f"{scheme} {REDACTED}"
            )
        return f"{scheme} {_partly(credentials)}" if credentials else REDACTED
    if lowered in SECRET_HEADERS or SECRET_NAME.search(lowered):
        return _partly(value)
    return value


def header_name(name: str) -> str:
    """``HTTP_X_API_KEY`` (a WSGI environ key, as the journal keeps them) is ``X-Api-Key``."""
    if name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        return name.removeprefix("HTTP_").replace("_", "-").title()
    return name


def headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    named = ((header_name(name), value) for name, value in pairs)
    return {name: header_value(name, value) for name, value in named}


def redact_json(value: Any) -> Any:
    """A parsed JSON value with the value of every secret-named field replaced."""
    if isinstance(value, dict):
        return {
            k: _secret(v) if SECRET_NAME.search(str(k)) else redact_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, str) and ("=" in value or "@" in value or " " in value):
        # a URL with ?token=... or user:password@ (a webhook endpoint), "Bearer ..."
        return redact_text(value) if _looks_secret(value) else value
    return value


def _looks_secret(value: str) -> bool:
    return bool(_FORM_FIELD.search(value) or _BEARER.search(value) or _USERINFO.search(value))


def _secret(value: Any) -> Any:
    return value if value is None or value == "" or isinstance(value, bool) else REDACTED


def redact_query(query: str) -> str:
    """A query string with the values of secret-named parameters replaced."""
    if not SECRET_NAME.search(query):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_secret_name(name) for name, _ in pairs):
        return query
    return urlencode([(n, REDACTED if is_secret_name(n) else v) for n, v in pairs])


_BEARER = re.compile(r"(\b(?:Bearer|Basic|Api-Key|Session)\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s:]+:[^/@\s]*@", re.IGNORECASE)


def redact_text(text: str) -> str:
    """Secret-named JSON fields and form fields in text that is not whole JSON, credentials
    after an auth scheme (``Bearer …``) and the ``user:password@`` of URLs."""
    text = _JSON_FIELD.sub(lambda m: m.group(1) + '"' + REDACTED + '"', text)
    text = _FORM_FIELD.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", text)
