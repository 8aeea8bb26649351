"""Valid phone numbers from libphonenumber's own metadata (shared by strategies and Faker).

``phonenumbers`` ships an example number per region and type. A generated number is an
example whose trailing digits were replaced, kept only if libphonenumber still says it
is valid (and of the wanted type and region); otherwise the example itself is used, so
generation never fails and always yields a number ``is_valid_number`` accepts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

# libphonenumber type names (as in the spec's PhoneNumberType) that have example numbers.
LIBPHONENUMBER_TYPES: dict[str, int] = {
    "FIXED_LINE": PhoneNumberType.FIXED_LINE,
    "MOBILE": PhoneNumberType.MOBILE,
    "TOLL_FREE": PhoneNumberType.TOLL_FREE,
    "PREMIUM_RATE": PhoneNumberType.PREMIUM_RATE,
    "SHARED_COST": PhoneNumberType.SHARED_COST,
    "VOIP": PhoneNumberType.VOIP,
    "PERSONAL_NUMBER": PhoneNumberType.PERSONAL_NUMBER,
    "PAGER": PhoneNumberType.PAGER,
    "UAN": PhoneNumberType.UAN,
    "VOICEMAIL": PhoneNumberType.VOICEMAIL,
}
# The API's NumberType values that map onto one libphonenumber type without doubt.
API_TYPE_ALIASES: dict[str, str] = {
    "geographic": "FIXED_LINE",
    "mobile": "MOBILE",
    "tollfree": "TOLL_FREE",
    "sharedcost": "SHARED_COST",
    "personal": "PERSONAL_NUMBER",
}
# number_type() answers FIXED_LINE_OR_MOBILE where a region cannot tell the two apart.
_ALSO_ACCEPTED = {
    PhoneNumberType.FIXED_LINE: {PhoneNumberType.FIXED_LINE_OR_MOBILE},
    PhoneNumberType.MOBILE: {PhoneNumberType.FIXED_LINE_OR_MOBILE},
}
MAX_VARIED_DIGITS = 6


@dataclass(frozen=True)
class Example:
    region: str
    type_name: str
    country_code: int
    nsn: str

    @property
    def e164(self) -> str:
        return f"+{self.country_code}{self.nsn}"


def normalise_countries(countries: Iterable[str] | None) -> tuple[str, ...] | None:
    """Upper-cased region codes, or ``None`` for all; ``ValueError`` naming an unknown one."""
    if countries is None:
        return None
    if isinstance(countries, str):
        countries = [countries]
    chosen: list[str] = []
    for country in countries:
        if not isinstance(country, str) or country.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"countries: {country!r} is not an ISO 3166-1 alpha-2 region that libphonenumber knows"
            )
        chosen.append(country.upper())
    if not chosen:
        raise ValueError("countries: give at least one region, or None for all")
    return tuple(sorted(set(chosen)))


def normalise_types(types: Iterable[str] | None) -> tuple[str, ...] | None:
    """libphonenumber type names, or ``None`` for all; API aliases (``geographic``…) accepted."""
    if types is None:
        return None
    if isinstance(types, str):
        types = [types]
    chosen: list[str] = []
    for name in types:
        if not isinstance(name, str):
            raise ValueError(f"types: {name!r} is not a type name")
        key = API_TYPE_ALIASES.get(name.lower(), name.upper())
        if key not in LIBPHONENUMBER_TYPES:
            known = ", ".join([*sorted(LIBPHONENUMBER_TYPES), *sorted(API_TYPE_ALIASES)])
            raise ValueError(f"types: {name!r} is not one of {known}")
        chosen.append(key)
    if not chosen:
        raise ValueError("types: give at least one type, or None for all")
    return tuple(sorted(set(chosen)))


@functools.cache
def _region_examples(region: str) -> tuple[Example, ...]:
    found: list[Example] = []
    for type_name, type_value in LIBPHONENUMBER_TYPES.items():
        number = phonenumbers.example_number_for_type(region, type_value)
        if number is None or not phonenumbers.is_valid_number(number):
            continue
        if phonenumbers.region_code_for_number(number) != region:
            continue
        if phonenumbers.number_type(number) not in {
            type_value,
            *_ALSO_ACCEPTED.get(type_value, set()),
        }:
            continue
        found.append(
            Example(
                region,
                type_name,
                int(number.country_code or 0),
                phonenumbers.national_significant_number(number),
            )
        )
    return tuple(found)


@functools.lru_cache(maxsize=256)
def examples(
    countries: tuple[str, ...] | None, types: tuple[str, ...] | None
) -> tuple[Example, ...]:
    """Every example number for these regions and types (sorted, so draws are repeatable)."""
    regions = countries if countries is not None else tuple(sorted(phonenumbers.SUPPORTED_REGIONS))
    chosen = [
        example
        for region in regions
        for example in _region_examples(region)
        if types is None or example.type_name in types
    ]
    return tuple(chosen)


def accepts(
    example: Example, candidate: str, strict_region: bool, types: tuple[str, ...] | None
) -> bool:
    """Is ``candidate`` valid, of an allowed type, and (when asked) in the example's region?"""
    try:
        number = phonenumbers.parse(candidate)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    if strict_region and phonenumbers.region_code_for_number(number) != example.region:
        return False
    if types is not None:
        kind = phonenumbers.number_type(number)
        allowed = set()
        for name in types:
            value = LIBPHONENUMBER_TYPES[name]
            allowed |= {value, *_ALSO_ACCEPTED.get(value, set())}
        if kind not in allowed:
            return False
    return True


def vary(example: Example, tail: str) -> str:
    """The example with its last ``len(tail)`` national digits replaced by ``tail``."""
    if not tail:
        return example.e164
    keep = max(1, len(example.nsn) - len(tail))
    nsn = example.nsn[:keep] + tail[-(len(example.nsn) - keep) :]
    return f"+{example.country_code}{nsn}"


def random_number(
    pick: Callable[[int], int],
    *,
    countries: tuple[str, ...] | None = None,
    types: tuple[str, ...] | None = None,
    attempts: int = 8,
) -> str:
    """A valid number using ``pick(n) -> int in [0, n)`` as the source of randomness (Faker)."""
    pool = examples(countries, types)
    if not pool:
        raise ValueError(
            f"libphonenumber has no example number for countries={countries} types={types}"
        )
    example = pool[pick(len(pool))]
    for _ in range(attempts):
        width = 1 + pick(max(1, min(MAX_VARIED_DIGITS, len(example.nsn) - 1)))
        tail = "".join(str(pick(10)) for _ in range(width))
        candidate = vary(example, tail)
        if accepts(example, candidate, countries is not None, types):
            return candidate
    return example.e164
