"""Redaction for recordings and drift reports; what is secret is ``callr_mock.base.redaction``.

Credentials in headers and secret-named fields in bodies and queries are replaced by
``REDACTED`` (whole: a recording keeps no part of a key); the rest is kept, so a recording
still shows what the API said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..base.redaction import (
    REDACTED,
    SECRET_HEADERS,
    basic_login,
    is_secret_name,
    redact_json,
    redact_query,
    redact_text,
)

__all__ = [
    "REDACTED",
    "Scrubber",
    "redact_header",
    "redact_headers",
    "redact_json",
    "redact_multipart",
    "redact_path",
    "redact_query",
    "redact_text",
    "redact_url",
]


def redact_header(name: str, value: str) -> str:
    lower = name.lower()
    if lower in SECRET_HEADERS or is_secret_name(lower):
        scheme, space, _ = value.partition(" ")
        # keep the scheme (Basic, Bearer, Api-Key) so a reader knows which auth was used
        if lower.endswith("authorization") and space and scheme.isalpha():
            return f"{scheme} {REDACTED}"
        return REDACTED
    return value


# headers whose value is (or holds) a URL: a token may sit in its path or query
URL_HEADERS = frozenset({"location", "content-location", "link", "refresh", "referer"})
# a path segment this long and opaque is a token (a reservation token is 40 characters;
# sids are 8, E.164 numbers at most 16 with their +)
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_~-]{20,}(?=/|$|\?|;|>)")


def redact_path(path: str) -> str:
    """A path with every token-like segment replaced (``/numbers/store/[redacted]``)."""
    return _TOKEN_SEGMENT.sub(REDACTED, path)


def redact_url(value: str) -> str:
    """A URL (or a ``Link`` header of URLs): path tokens, secret query parameters and
    ``user:password@`` replaced."""
    return redact_path(redact_text(value))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: redact_url(value) if name.lower() in URL_HEADERS else redact_header(name, value)
        for name, value in headers.items()
    }


class Scrubber:
    """Removes the caller's own credentials wherever they appear by value (a body that
    echoes the key, a path, a header of the answer), besides the name-based redaction."""

    def __init__(self, request_headers: Mapping[str, str]) -> None:
        found: set[str] = set()
        for name, value in request_headers.items():
            lower = name.lower()
            if lower in ("x-api-key", "x-callr-mock-token") and value.strip():
                found.add(value.strip())
            elif lower in ("authorization", "proxy-authorization"):
                scheme, _, credentials = value.strip().partition(" ")
                credentials = credentials.strip()
                if not credentials:
                    continue
                found.add(credentials)
                if scheme.lower() == "basic":
                    found.update(_basic_parts(credentials))
        self.secrets = sorted((s for s in found if len(s) >= 6), key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def json(self, value: object) -> object:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        return value


def _basic_parts(credentials: str) -> list[str]:
    """The password, and a login long enough to be a key sent as the login (not a sid)."""
    login = basic_login(credentials)
    if login is None:
        return []
    user, password = login
    return [part for part in (password,) if part] + ([user] if len(user) > 8 else [])


def pointer_is_secret(parts: Iterable[str | int]) -> bool:
    """Whether a value at this JSON pointer lies inside a secret-named field."""
    return any(isinstance(part, str) and is_secret_name(part) for part in parts)


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PART_NAME = re.compile(rb'\bname="([^"]*)"', re.IGNORECASE)


def redact_multipart(raw: bytes, content_type: str) -> bytes:
    """A multipart body with the content of every secret-named part replaced (a file part
    keeps its bytes: an audio upload is not a secret)."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        return raw
    delimiter = b"--" + found.group(1).encode("latin-1")
    pieces = raw.split(delimiter)
    for index, piece in enumerate(pieces):
        head, sep, body = piece.partition(b"\r\n\r\n")
        name = _PART_NAME.search(head)
        if not sep or name is None or not is_secret_name(name.group(1).decode("latin-1")):
            continue
        ending = b"\r\n" if body.endswith(b"\r\n") else b""
        pieces[index] = head + sep + REDACTED.encode() + ending
    return delimiter.join(pieces)
