"""Identifier generation: sids (8 lowercase alphanumerics), store tokens, event ids.

Seedable so a test run can be repeated exactly; thread-safe.
"""

from __future__ import annotations

import functools
import random
import re
import secrets
import string
import threading
from collections.abc import Callable
from typing import Any

from .codec import dump, load

SID_ALPHABET = string.ascii_lowercase + string.digits
TOKEN_ALPHABET = string.ascii_letters + string.digits
SID_LENGTH = 8
SID_PATTERN = re.compile(r"^[a-z0-9]{8}$")


@functools.cache
def _table(alphabet: str) -> bytes:
    """Byte → a character of ``alphabet`` (each byte value to one character, cycling: the
    first ``256 % len`` characters come a little more often, harmless for ids that are not
    secrets; API keys that must be unguessable come from ``secrets``)."""
    return bytes(ord(alphabet[byte % len(alphabet)]) for byte in range(256))


def is_sid(value: str) -> bool:
    """8 lowercase letters or digits."""
    return bool(SID_PATTERN.match(value))


class IdGenerator:
    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._issued: set[str] = set()
        self.seeded = seed is not None  # --id-seed: every id repeats, API keys included

    def _draw(self, alphabet: str, length: int) -> str:
        # one draw of bytes for the whole id, mapped onto the alphabet by a table: ~1 µs,
        # where ``choices`` took ~18 for an event id, three of which each SMS emits
        return self._random.randbytes(length).translate(_table(alphabet)).decode("ascii")

    def sid(self, taken: Callable[[str], bool] | None = None) -> str:
        """A new sid, never issued before by this generator nor ``taken``."""
        with self._lock:
            while True:
                candidate = self._draw(SID_ALPHABET, SID_LENGTH)
                if candidate not in self._issued and not (taken and taken(candidate)):
                    self._issued.add(candidate)
                    return candidate

    def token(self) -> str:
        """An opaque 40-character store reservation token."""
        with self._lock:
            return self._draw(TOKEN_ALPHABET, 40)

    def api_key(self) -> str:
        """A new API key: from ``secrets`` (unguessable), or drawn like every other id when
        the generator is seeded, so a ``--id-seed`` run can be repeated exactly."""
        if not self.seeded:
            return secrets.token_urlsafe(24)
        with self._lock:
            return self._draw(TOKEN_ALPHABET, 32)

    def event_id(self) -> str:
        with self._lock:
            return self._draw(TOKEN_ALPHABET, 32)

    def digits(self, length: int) -> str:
        with self._lock:
            return self._draw(string.digits, length)

    # -- state files: the position, so a restored sandbox goes on with the same draws --
    def to_state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "random": dump(self._random),
                "issued": sorted(self._issued),
                "seeded": self.seeded,
            }

    def load_state(self, data: dict[str, Any], where: str) -> None:
        generator = load(random.Random, data["random"], f"{where}.random")
        issued = set(load(list[str], data["issued"], f"{where}.issued"))
        seeded = bool(data.get("seeded", False))
        with self._lock:
            self._random, self._issued, self.seeded = generator, issued, seeded
