"""Content codings of an upstream answer, undone for the drift check only.

The caller always gets the bytes as they came; the drift report checks the decoded body.
``gzip``/``x-gzip`` and ``deflate`` are undone with the standard library, ``br`` with the
``brotli`` package when it is installed (``pip install 'callr-mock[proxy]'``). A body this
proxy cannot decode (``br`` without brotli, ``zstd``, a corrupt stream) is never guessed at:
``decode`` says which coding is left, and the drift report lists the answer as unchecked.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from importlib import import_module

IDENTITY = ("", "identity")


def _brotli() -> Callable[[bytes], bytes] | None:
    for name in ("brotli", "brotlicffi"):  # the C binding, or its cffi twin
        try:
            decompress: Callable[[bytes], bytes] = import_module(name).decompress
            return decompress
        except ImportError:
            continue
    return None


BROTLI: Callable[[bytes], bytes] | None = _brotli()
"""Brotli's decompress, or None when neither brotli nor brotlicffi is installed."""


def _zlib(body: bytes, wbits: int) -> bytes:
    try:
        return zlib.decompress(body, wbits)
    except zlib.error:
        return zlib.decompress(body, -15)  # raw deflate, as some servers send it


def decode(body: bytes, content_encoding: str | None) -> tuple[bytes, str | None]:
    """``(body, None)`` decoded, or ``(body, the codings still on it)``.

    Codings listed in order of application are undone last first (RFC 9110 8.4).
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c not in IDENTITY]
    decoded = body
    for index, coding in enumerate(reversed(codings)):
        try:
            if coding in ("gzip", "x-gzip"):
                decoded = _zlib(decoded, 31)
            elif coding == "deflate":
                decoded = _zlib(decoded, 15)
            elif coding == "br" and BROTLI is not None:
                decoded = BROTLI(decoded)
            else:
                return decoded, ", ".join(codings[: len(codings) - index])
        except Exception:  # a corrupt stream in any decoder: left as it is
            return decoded, ", ".join(codings[: len(codings) - index])
    return decoded, None


def why_unchecked(coding: str) -> str:
    """The reason a body with ``coding`` left on it was not checked, and the fix."""
    if coding.split(",")[-1].strip() == "br" and BROTLI is None:
        return (
            "Content-Encoding br cannot be decoded without the brotli package "
            "(pip install 'callr-mock[proxy]'); the answer was passed on unchanged, unchecked"
        )
    return (
        f"Content-Encoding {coding} could not be decoded; the answer was passed on "
        "unchanged, unchecked"
    )
