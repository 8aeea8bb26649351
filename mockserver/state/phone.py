"""Phone numbers as an Sms object describes them: a ``Party`` (number, type, country, location).

``describe`` asks libphonenumber for the type, country and English location of a number
(anything that is not a possible number stays UNKNOWN); ``sender`` reads the ``from`` of an
outbound SMS: empty is the automatic sandbox sender ``AUTO_SENDER``, a possible phone number
is kept in E.164, anything else is an alphanumeric sender.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

E164_PATTERN = re.compile(r"^\+[1-9][0-9]{1,14}$")


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


_TYPE_NAMES = {
    value: name for name, value in vars(PhoneNumberType).items() if isinstance(value, int)
}
AUTO_SENDER = "+33199000000"


@dataclass(frozen=True)
class Party:
    """A sender or recipient as the Sms object describes it."""

    number: str
    type: str = "UNKNOWN"
    country: str = ""
    location: str = ""


@lru_cache(maxsize=8192)
def describe(value: str) -> Party:
    """libphonenumber type, country and location of a number; UNKNOWN for the rest.

    The country is the number's region, else the main region of its country code
    (``+44 7700 900xxx`` → GB); the location is libphonenumber's English description,
    else the country name. Pure, so cached: a suite sends to the same few numbers again and
    again, and libphonenumber's parsing and geocoding were most of the cost of ``POST /sms``.
    """
    if not is_possible_number(value):
        return Party(value)
    parsed = phonenumbers.parse(value)
    region = phonenumbers.region_code_for_number(parsed)
    region = region or phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    country = region if len(region) == 2 and region.isalpha() and region != "ZZ" else ""
    from phonenumbers import geocoder  # heavy (~0.4 s): create_app pays it (warm_up)

    location = geocoder.description_for_number(parsed, "en")
    if not location and country:
        location = geocoder.country_name_for_number(parsed, "en") or _country_name(country)
    return Party(value, type_name(parsed, country), country, location)


def type_name(parsed: phonenumbers.PhoneNumber, region: str) -> str:
    """libphonenumber's type name of a number (``MOBILE``), falling back to the type of its
    numbering block when libphonenumber cannot validate it (see ``_block_type``)."""
    number_type = _TYPE_NAMES.get(phonenumbers.number_type(parsed), "UNKNOWN")
    if number_type == "UNKNOWN" and region:
        number_type = _block_type(parsed, region)
    return number_type


def _block_type(parsed: phonenumbers.PhoneNumber, region: str) -> str:
    """The type of the numbering block of a possible number libphonenumber cannot validate.

    Callr's docs describe ``+33639980042`` as ``MOBILE`` while libphonenumber's metadata has
    no range for ``+33 6 39 98`` (it answers UNKNOWN): the block is mobile in the national
    plan (``06``), only that range is missing. The sandbox takes the type whose example
    number (libphonenumber's, per region) shares the most leading digits with the number,
    when exactly one type does; otherwise UNKNOWN.
    """
    national = phonenumbers.national_significant_number(parsed)
    best, best_types = 0, set()
    for type_value, name in _TYPE_NAMES.items():
        if name == "UNKNOWN":
            continue
        example = phonenumbers.example_number_for_type(region, type_value)
        if example is None:
            continue
        shared = _common_prefix(national, phonenumbers.national_significant_number(example))
        if shared > best:
            best, best_types = shared, {name}
        elif shared == best and shared:
            best_types.add(name)
    return best_types.pop() if len(best_types) == 1 else "UNKNOWN"


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def warm_up() -> None:
    """Load libphonenumber's geocoding data now (~0.4 s, once per process), so the app's
    start-up pays it and not the first SMS a user sends."""
    describe(AUTO_SENDER)


def _country_name(region: str) -> str:
    from phonenumbers import geocoder

    example = phonenumbers.example_number(region)
    return geocoder.country_name_for_number(example, "en") if example else ""


def sender(value: str | None) -> Party:
    """The sender of an outbound SMS: automatic, a phone number (E.164) or alphanumeric."""
    value = (value or "").strip()
    if not value:
        return describe(AUTO_SENDER)
    for candidate in (value, "+" + value):
        if is_possible_number(candidate):
            return describe(candidate)
    return Party(value)
