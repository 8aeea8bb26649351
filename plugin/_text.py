"""GSM 03.38: the characters an SMS carries without switching to Unicode (UCS-2).

One source of truth: the SMS rules of the mock (``callr_mock.state.sms_text``), so that a
text the strategies call ``gsm`` is one the mock encodes as ``gsm``.
"""

from __future__ import annotations

from callr_mock.state.sms_text import GSM_BASIC, GSM_EXTENSION

GSM_CHARACTERS = frozenset(GSM_BASIC | GSM_EXTENSION)


def is_gsm(text: str) -> bool:
    return all(character in GSM_CHARACTERS for character in text)
