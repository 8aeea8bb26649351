"""``list.*``: reference lists. ``list.destinations`` is the price list
(``state.billing.destinations``); ``list.countries``, ``list.number_infos`` and
``list.timezones`` (sdk-dotnet ``ListService``, object fields of ``Objects/Misc``) come
from libphonenumber's and the IANA time zone database's data.

What those sources do not hold (a country's capital, continent, currency, languages,
neighbours, coordinates) is ``null``, never guessed [I].
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import lru_cache
from typing import Any

import phonenumbers

from ...state.billing import destinations as rest_destinations
from ...state.phone import describe, is_possible_number
from .core import ALL, Ctx, P, Registry
from .mapping import legacy_destination, local_number

METHODS = Registry()


@METHODS.method("list.destinations", P("country_code", "string|null", optional=True))
def destinations(ctx: Ctx, country: str | None) -> list[dict[str, Any]]:
    """Every priced destination (SMS per part, numbers per month), optionally of one
    country (``GET /billing/destinations``)."""
    ctx.rest_input("listDestinations", query={"country": country})
    return [
        legacy_destination(row) for row in rest_destinations(country=country, limit=ALL)["hits"]
    ]


def _lengths(region: str) -> tuple[int | None, int | None]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    general = metadata.general_desc if metadata is not None else None
    lengths = [n for n in (general.possible_length or ()) if n > 0] if general is not None else []
    return (min(lengths), max(lengths)) if lengths else (None, None)


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict[str, Any]]:
    from phonenumbers import geocoder

    table: dict[str, dict[str, Any]] = {}
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        english = geocoder.country_name_for_number(example, "en") if example else ""
        french = geocoder.country_name_for_number(example, "fr") if example else ""
        table[region] = {
            "country_code": region,
            "country_label": english or region,
            "country_en_label": english or region,
            "country_fr_label": french or english or region,
            "country_dialcode": str(phonenumbers.country_code_for_region(region)),
            "country_localcode": (metadata.national_prefix if metadata else None) or "",
            "country_number_length": _lengths(region)[1],
            "capital_code": None,
            "continent_code": None,
            "currency_code": None,
            "country_tld": region.lower(),
            "country_languages": None,
            "country_neighbours": None,
            "country_latitude": None,
            "country_longitude": None,
        }
    return table


@METHODS.method("list.countries")
def countries(ctx: Ctx) -> dict[str, dict[str, Any]]:
    """Every country by ISO 3166 code: names, dial code, national prefix, number length."""
    return {code: dict(row) for code, row in _countries().items()}


@METHODS.method("list.number_infos", P("number"))
def number_infos(ctx: Ctx, number: str) -> dict[str, Any]:
    """What a phone number is (E.164, or national digits of France): type, country, local
    and international forms, location, validity."""
    text = number.strip()
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else "FR")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None:
        return {
            "type": "UNKNOWN", "country_code": None, "local_number": None,
            "intl_number": None, "intl_code": None, "intl_min_length": None,
            "intl_max_length": None, "local_prefix": None, "location": None,
            "is_valid": False,
        }  # fmt: skip
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    party = describe(e164)
    region = party.country or None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region) if region else None
    low, high = _lengths(region) if region else (None, None)
    calling = str(parsed.country_code)
    return {
        "type": party.type,
        "country_code": region,
        "local_number": local_number(e164) if is_possible_number(e164) else None,
        "intl_number": e164,
        "intl_code": calling,
        "intl_min_length": low + len(calling) if low else None,
        "intl_max_length": high + len(calling) if high else None,
        "local_prefix": (metadata.national_prefix if metadata else None) or "",
        "location": party.location or None,
        "is_valid": phonenumbers.is_valid_number(parsed),
    }


@lru_cache(maxsize=1)
def _timezones() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    winter, summer = datetime(2026, 1, 15), datetime(2026, 7, 15)
    for index, name in enumerate(sorted(zoneinfo.available_timezones()), start=1):
        zone = zoneinfo.ZoneInfo(name)
        dst = any(bool(day.replace(tzinfo=zone).dst()) for day in (winter, summer))
        table[str(index)] = {"id": index, "label": name.replace("_", " "), "php_name": name,
                             "dst": "YES" if dst else "NO"}  # fmt: skip
    return table


@METHODS.method("list.timezones")
def timezones(ctx: Ctx) -> dict[str, dict[str, Any]]:
    """The IANA time zones by id: ``{id, label, php_name, dst}`` (``dst`` YES when the
    zone has daylight saving time)."""
    return {key: dict(row) for key, row in _timezones().items()}
