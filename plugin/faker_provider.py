"""A Faker provider for Callr data: sids, valid E.164 numbers, SMS texts, scenario scripts.

    from faker import Faker
    from .faker_provider import CallrProvider

    fake = Faker()
    fake.add_provider(CallrProvider)
    fake.seed_instance(7)
    fake.callr_sid()                      # 'k3x9m2qa'
    fake.e164(country="FR", type="mobile")  # '+33612345678' (phonenumbers says valid)
    fake.sms_text(encoding="gsm")
    fake.scenario_script()                # a Callr Actions YAML script

Everything draws from the Faker instance's random generator, so ``seed_instance``
makes the output repeatable (the seed factories in ``callr_mock.fixtures`` rely on it).
"""

from __future__ import annotations

from callr_mock.state.ids import SID_ALPHABET, SID_LENGTH
from callr_mock.state.sms_text import is_gsm
from faker.providers import BaseProvider

from . import _numbers

_GSM_WORDS = (
    "hello", "your", "code", "is", "meeting", "at", "tomorrow", "please", "call", "back",
    "order", "shipped", "thanks", "reminder", "appointment", "confirmed", "delivery", "today",
)  # fmt: skip
_UNICODE_WORDS = ("привет", "こんにちは", "你好", "مرحبا", "γειά", "🙂", "✅", "📞")
_BRANCH_MESSAGES = (
    "Hello inbound call",
    "Hello inbound sms",
    "Hello from API",
    "Forwarding",
    "Voicemail",
)


class CallrProvider(BaseProvider):
    """Callr-specific fake data. Add it with ``Faker().add_provider(CallrProvider)``."""

    def callr_sid(self) -> str:
        """An 8-character sid, lowercase letters and digits."""
        return "".join(self.random_element(SID_ALPHABET) for _ in range(SID_LENGTH))

    def e164(self, country: str | None = None, type: str | None = None) -> str:
        """A number ``phonenumbers.is_valid_number`` accepts, optionally of one region/type.

        ``type`` is a libphonenumber type (``MOBILE``…) or an API number type
        (``geographic``, ``mobile``, ``tollfree``, ``sharedcost``, ``personal``).
        """
        countries = _numbers.normalise_countries([country] if country else None)
        types = _numbers.normalise_types([type] if type else None)
        return _numbers.random_number(
            self.generator.random.randrange, countries=countries, types=types
        )

    def sms_text(self, encoding: str = "gsm", max_chars: int = 160) -> str:
        """A short message; ``encoding="unicode"`` adds a character outside GSM 03.38."""
        if encoding not in ("gsm", "unicode"):
            raise ValueError(f"encoding must be 'gsm' or 'unicode', not {encoding!r}")
        if max_chars < 1:
            raise ValueError("max_chars must be >= 1")
        count = self.random_int(2, 12)
        words = [self.random_element(_GSM_WORDS) for _ in range(count)]
        if encoding == "unicode":
            words.insert(self.random_int(0, len(words)), self.random_element(_UNICODE_WORDS))
        text = " ".join(words)
        text = text[:1].upper() + text[1:] + self.random_element((".", "!", "?"))
        text = text[:max_chars]
        if encoding == "unicode" and is_gsm(text):  # the Unicode word was cut off
            text = text[:-1] + self.random_element(_UNICODE_WORDS)[0]
        return text

    def scenario_script(
        self, branches: tuple[str, ...] = ("inbound-call", "inbound-sms", "api-initiated")
    ) -> str:
        """A Callr Actions YAML script: each branch logs a message (the documented sample's shape)."""
        language = self.random_element(("en-US", "fr-FR", "en-GB", "de-DE"))
        lines = ["defaults:", f"  language: {language}", "", "branches:"]
        for branch in branches:
            message = self.random_element(_BRANCH_MESSAGES)
            lines += [
                f"  {branch}:",
                "    actions:",
                "      - action: log@v1",
                "        params:",
                f"          message: {message} {self.random_int(1, 999)}",
                "",
            ]
        return "\n".join(lines).rstrip("\n") + "\n"
