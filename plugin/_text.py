"""GSM 03.38: the characters an SMS can carry without switching to Unicode (UCS-2)."""

from __future__ import annotations

# The basic set (without ESC) and the extension table (sent as ESC + char, 2 septets).
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€"
GSM_CHARACTERS = frozenset(GSM_BASIC + GSM_EXTENSION)


def is_gsm(text: str) -> bool:
    return all(character in GSM_CHARACTERS for character in text)
