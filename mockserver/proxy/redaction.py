"""Redaction for recordings and drift reports; what is secret is ``callr_mock.redaction``.

Credentials in headers and secret-named fields in bodies and queries are replaced by
``REDACTED`` (whole: a recording keeps no part of a key); the rest is kept, so a recording
still shows what the API said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from callr_mock.redaction import (
    REDACTED,
    SECRET_HEADERS,
    is_secret_name,
    redact_json,
    redact_query,
    redact_text,
)

__all__ = [
    "REDACTED",
    "redact_header",
    "redact_headers",
    "redact_json",
    "redact_multipart",
    "redact_query",
    "redact_text",
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


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: redact_header(name, value) for name, value in headers.items()}


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
