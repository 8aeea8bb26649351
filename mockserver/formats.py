"""The custom string formats of the Callr spec, shared by the server and the strategies."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

SID_PATTERN = re.compile(r"^[a-z0-9]{8}$")
E164_PATTERN = re.compile(r"^\+[1-9][0-9]{1,14}$")


def is_sid(value: str) -> bool:
    return bool(SID_PATTERN.match(value))


def is_e164(value: str) -> bool:
    """Syntactically E.164 (house decision pattern)."""
    return bool(E164_PATTERN.match(value))


@lru_cache(maxsize=8192)
def is_possible_number(value: str) -> bool:
    """E.164 and a possible number for its country, per libphonenumber (pure, so cached)."""
    if not is_e164(value):
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value))
    except phonenumbers.NumberParseException:
        return False


FORMAT_CHECKERS = {"e164": is_e164, "sid": is_sid}
