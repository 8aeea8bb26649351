"""The number store catalogue and the numbers it offers.

The catalogue (``fixtures/catalogue.yaml``, plus the magic ``store:`` prefixes of
``fixtures/magic.yaml``) lists countries, types and prefixes/areas; a prefix may group
areas (a French region and its cities): its numbers are those of its areas. The numbers of
each leaf prefix are generated with ``phonenumbers`` (only numbers it accepts as valid, of
the right type), deterministically from a seed; gold numbers end in a memorable pattern,
classic numbers never do. What is available, reserved or owned is ``number_store.py``'s.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType as PN

from ..base.errors import InvalidInput
from .fixture_files import read_fixture
from .pricing import magic_inputs

CLASSES = ("classic", "gold")

# Which libphonenumber types a store type accepts.
PHONENUMBER_TYPES: dict[str, frozenset[int]] = {
    "geographic": frozenset({PN.FIXED_LINE, PN.FIXED_LINE_OR_MOBILE}),
    "mobile": frozenset({PN.MOBILE, PN.FIXED_LINE_OR_MOBILE}),
    "tollfree": frozenset({PN.TOLL_FREE}),
    "national": frozenset({PN.VOIP, PN.UAN}),
    "personal": frozenset({PN.PERSONAL_NUMBER}),
    "sharedcost": frozenset({PN.SHARED_COST}),
    "sharedrevenue": frozenset({PN.PREMIUM_RATE}),
    "special": frozenset({PN.UAN, PN.VOICEMAIL, PN.PAGER}),
}


# -- gold numbers ---------------------------------------------------------------
def is_memorable_tail(tail: str) -> bool:
    """A 4-digit ending that makes a number gold: 7777, 1234, 9876, 1212, 1100, 5000."""
    a, b, c, d = (int(x) for x in tail)
    steps = {b - a, c - b, d - c}
    return (
        steps in ({1}, {-1})  # 1234, 9876 (and 0000-style repeats via the next rule)
        or (a == c and b == d)  # 1212, 7777
        or (a == b and c == d)  # 1100, 4455
        or tail[1:] == "000"  # 5000
    )


def is_memorable(e164: str) -> bool:
    return len(e164) >= 5 and is_memorable_tail(e164[-4:])


GOLD_TAILS = tuple(f"{n:04d}" for n in range(10_000) if is_memorable_tail(f"{n:04d}"))


# -- catalogue ------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    """One StorePrefix item. ``leaves`` are the prefixes whose pools hold its numbers."""

    country: str
    type: str
    prefix: str
    area: str
    name: str
    digits: int
    leaves: tuple[str, ...]
    group: str | None = None  # area slug of the grouping prefix, for a city of a region
    magic: str | None = None  # reason, for an always-sold-out magic prefix

    def to_api(self, available: int) -> dict[str, Any]:
        return {
            "country": self.country,
            "type": self.type,
            "prefix": self.prefix,
            "area": self.area,
            "name": self.name,
            "available": available,
        }


@dataclass(frozen=True)
class Catalogue:
    countries: dict[str, dict[str, str]]  # code -> {name, callingCode}
    types: dict[str, list[tuple[str, str]]]  # code -> [(type, label)]
    areas: list[Area]
    stock: dict[str, int]

    def country(self, code: str) -> dict[str, str]:
        if code not in self.countries:
            raise InvalidInput(
                f"the store sells no numbers in {code} (countries: {', '.join(sorted(self.countries))})",
                code="not-sold",
            )
        return self.countries[code]

    def check_type(self, country: str, number_type: str) -> None:
        types = [t for t, _ in self.types[country]]
        if number_type not in types:
            raise InvalidInput(
                f"the store sells no {number_type} numbers in {country} (types: {', '.join(types)})",
                code="not-sold",
            )

    def resolve_country(
        self, country: str | None, prefix: str | None = None, area: str | None = None
    ) -> str:
        """The country of a store query: given, or implied by an E.164 ``prefix`` (its
        calling code) or by an ``area`` slug sold in one country only.

        The migration guide orders numbers with "simple query parameters like prefix (e.g.,
        +33), area (e.g., paris or lyon)", so the country is only required when neither
        settles it; the 400 ``country-required`` then lists the candidates.
        """
        if country is not None:
            return country
        candidates: list[str] | None = None
        if prefix is not None:
            digits = prefix.lstrip("+")
            candidates = sorted(
                code
                for code, info in self.countries.items()
                if digits.startswith(info["callingCode"].lstrip("+"))
                or info["callingCode"].lstrip("+").startswith(digits)
            )
            # +1 is shared (US, CA, ...): keep the countries that sell under the prefix
            if len(candidates) > 1:
                selling = [
                    c
                    for c in candidates
                    if any(
                        a.prefix.startswith(prefix) or prefix.startswith(a.prefix)
                        for a in self.areas_of(c)
                    )
                ]
                candidates = selling or candidates
        if area is not None:
            by_area = {a.country for a in self.areas if area in (a.area, a.group)}
            candidates = sorted(by_area if candidates is None else by_area.intersection(candidates))
        if candidates is None:
            raise InvalidInput(
                "country is required unless a prefix (+33) or an area (paris) says which",
                code="country-required",
            )
        if len(candidates) == 1:
            return candidates[0]
        what = " and ".join(
            part
            for part in (f"prefix {prefix}" if prefix else "", f"area {area!r}" if area else "")
            if part
        )
        if not candidates:
            raise InvalidInput(
                f"the store sells no numbers under {what} in any country "
                f"(countries: {', '.join(sorted(self.countries))})",
                code="not-sold",
            )
        raise InvalidInput(
            f"{what} is sold in several countries ({', '.join(candidates)}): give the country",
            code="country-required",
        )

    def areas_of(self, country: str, number_type: str | None = None) -> list[Area]:
        return [
            a
            for a in self.areas
            if a.country == country and (number_type is None or a.type == number_type)
        ]


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    data: dict[str, Any] = read_fixture("catalogue.yaml")
    countries: dict[str, dict[str, str]] = {}
    types: dict[str, list[tuple[str, str]]] = {}
    areas: list[Area] = []
    for code, country in data["countries"].items():
        countries[code] = {"name": country["name"], "callingCode": country["callingCode"]}
        types[code] = []
        for number_type, spec in country["types"].items():
            types[code].append((number_type, spec["name"]))
            digits = spec["digits"]
            for item in spec["prefixes"]:
                children = item.get("areas", [])
                leaves = tuple(c["prefix"] for c in children) or (item["prefix"],)
                areas.append(
                    Area(
                        code,
                        number_type,
                        item["prefix"],
                        item["area"],
                        item["name"],
                        digits,
                        leaves,
                    )
                )
                for child in children:
                    areas.append(
                        Area(
                            code,
                            number_type,
                            child["prefix"],
                            child["area"],
                            child["name"],
                            digits,
                            (child["prefix"],),
                            group=item["area"],
                        )
                    )
    for prefix, magic in magic_inputs().get("store", {}).items():
        digits = next(
            a.digits for a in areas if a.country == magic["country"] and a.type == magic["type"]
        )
        areas.append(
            Area(
                magic["country"],
                magic["type"],
                prefix,
                magic["area"],
                magic["name"],
                digits,
                (),
                magic=magic["reason"],
            )
        )
    areas.sort(key=lambda a: (a.country, a.type, a.prefix))
    return Catalogue(countries, types, areas, dict(data.get("stock", {"classic": 40, "gold": 8})))


def magic_prefixes() -> tuple[str, ...]:
    return tuple(a.prefix for a in catalogue().areas if a.magic)


# -- pool generation --------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A number for sale (the spec's ReservedNumber)."""

    e164: str
    country: str
    type: str
    number_class: str

    def to_api(self) -> dict[str, Any]:
        return {
            "e164": self.e164,
            "country": self.country,
            "type": self.type,
            "class": self.number_class,
        }


def _acceptable(e164: str, country: str, wanted: frozenset[int], excluded: tuple[str, ...]) -> bool:
    if e164.startswith(excluded):
        return False
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(parsed)
        and phonenumbers.region_code_for_number(parsed) == country
        and phonenumbers.number_type(parsed) in wanted
    )


@lru_cache(maxsize=512)
def generate_leaf(
    seed: str, country: str, number_type: str, prefix: str, digits: int, classic: int, gold: int
) -> tuple[Candidate, ...]:
    """The pool of one leaf prefix: ``classic`` + ``gold`` valid numbers, deterministic."""
    rng = random.Random(f"{seed}|{country}|{number_type}|{prefix}")
    calling_code = str(phonenumbers.country_code_for_region(country))
    free = digits - (len(prefix) - 1 - len(calling_code))
    wanted = PHONENUMBER_TYPES[number_type]
    excluded = (
        magic_prefixes()
        + tuple(magic_inputs().get("sms", {}))
        + tuple(magic_inputs().get("tasks", {}))
    )
    seen: set[str] = set()
    found: list[Candidate] = []

    def draw(count: int, number_class: str, make: Any, keep: Any) -> None:
        got, attempts = 0, 0
        while got < count and attempts < count * 200:
            attempts += 1
            e164 = make()
            if e164 in seen or not keep(e164) or not _acceptable(e164, country, wanted, excluded):
                continue
            seen.add(e164)
            found.append(Candidate(e164, country, number_type, number_class))
            got += 1

    def random_digits(length: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(length))

    draw(classic, "classic", lambda: prefix + random_digits(free), lambda e: not is_memorable(e))
    if free >= 4:
        draw(
            gold,
            "gold",
            lambda: prefix + random_digits(free - 4) + rng.choice(GOLD_TAILS),
            is_memorable,
        )
    return tuple(found)
