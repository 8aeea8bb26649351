"""The text of an SMS: GSM 03.38 or unicode, and how many parts it takes.

The GSM 03.38 basic character set and extension table, the transliteration table used
when ``gsm`` is forced on other characters, the counts (septets, UTF-16 code units) and
``encode``, which picks the encoding, converts the text and counts its parts. The rules as
the API states them are in the docstring of ``callr_mock.state.sms``.
"""

from __future__ import annotations

import math
import unicodedata

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM_CHARACTERS = GSM_BASIC | GSM_EXTENSION
GSM_SINGLE_PART, GSM_PART = 160, 153
UNICODE_SINGLE_PART, UNICODE_PART = 70, 67

TRANSLITERATION = {
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "•": "-",
    "…": ".", "\t": " ", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}  # fmt: skip


def is_gsm(text: str) -> bool:
    """Whether GSM 03.38 carries the text as it is (the strategies and Faker use it too)."""
    return GSM_CHARACTERS.issuperset(text)


def gsm_septets(text: str) -> int:
    """Septets of a GSM text: extension characters take an escape plus the character."""
    return len(text) + sum(map(text.count, GSM_EXTENSION))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_gsm(text: str) -> str:
    """The text as GSM 03.38 can carry it: each character kept, transliterated, else ``?``.

    One character in, one character out, so the text never grows past its limit.
    """
    out = []
    for char in text:
        if char in GSM_BASIC or char in GSM_EXTENSION:
            out.append(char)
        elif char in TRANSLITERATION:
            out.append(TRANSLITERATION[char])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if len(base) == 1 and is_gsm(base) else "?")
    return "".join(out)


def encode(text: str, forced: str | None = None) -> tuple[str, str, int]:
    """(encoding, text as sent, parts) of ``text``, optionally with a forced encoding."""
    encoding = forced or ("gsm" if is_gsm(text) else "unicode")
    if encoding == "gsm":
        body = text if is_gsm(text) else to_gsm(text)
        septets = gsm_septets(body)
        parts = 1 if septets <= GSM_SINGLE_PART else math.ceil(septets / GSM_PART)
        return encoding, body, parts
    units = utf16_units(text)
    parts = 1 if units <= UNICODE_SINGLE_PART else math.ceil(units / UNICODE_PART)
    return encoding, text, parts
