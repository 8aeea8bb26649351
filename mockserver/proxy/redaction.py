"""What of an exchange is secret, and its redacted form (for recordings and reports).

Credentials travel in headers (``x-api-key``, ``Authorization``; cookies for good
measure); secrets in bodies are fields whose name says so (a webhook ``secret``, a
``password``, an ``apiKey``, a ``token``). Their values are replaced by ``REDACTED``; the
rest is kept, so a recording still shows what the API said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"}
)
_SECRET_NAME = re.compile(
    r"secret|passw|api[-_]?key|token|authori[sz]ation|credential|private[-_]?key|signature",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


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


def redact_json(value: Any) -> Any:
    """A copy of a JSON value with the values of secret-named fields replaced."""
    if isinstance(value, dict):
        return {
            key: (
                REDACTED
                if is_secret_name(str(key)) and item is not None and item != ""
                else redact_json(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    return value


def redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_secret_name(name) for name, _ in pairs):
        return query
    return urlencode([(n, REDACTED if is_secret_name(n) else v) for n, v in pairs])


def pointer_is_secret(parts: Iterable[str | int]) -> bool:
    """Whether a value at this JSON pointer lies inside a secret-named field."""
    return any(isinstance(part, str) and is_secret_name(part) for part in parts)
