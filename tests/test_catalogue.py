"""The store catalogue (fixtures/catalogue.yaml) and the generated number pools.

Data checks: the catalogue renders exactly as the spec's StoreCountry / StoreType /
StorePrefix, every type on sale has a price, prefixes follow their country's calling
code and real French area structure, and every pool holds valid numbers of its type
(judged by ``phonenumbers``), gold ones memorable and classic ones not.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
import pytest
from callr_mock.contract.compiled import compile_schema, first_error
from callr_mock.contract.spec import inline_refs, load_spec
from callr_mock.state import number_store
from callr_mock.state.catalogue import (
    PHONENUMBER_TYPES,
    catalogue,
    generate_leaf,
    is_memorable,
    is_memorable_tail,
)
from callr_mock.state.pricing import magic_inputs, number_price

REQUIRED = {
    "FR": "+33",
    "GB": "+44",
    "US": "+1",
    "DE": "+49",
    "ES": "+34",
    "BE": "+32",
    "CH": "+41",
    "IT": "+39",
    "NL": "+31",
}


@pytest.fixture(scope="module")
def schema() -> Any:
    document = load_spec()

    def compiled(name: str) -> Any:
        return compile_schema(inline_refs(document["components"]["schemas"][name], document))

    return compiled


def leaves() -> list[tuple[number_store.Area, str]]:
    seen: dict[tuple[str, str, str], tuple[number_store.Area, str]] = {}
    for area in catalogue().areas:
        for prefix in area.leaves:
            seen[(area.country, area.type, prefix)] = (area, prefix)
    return list(seen.values())


def test_required_countries_with_names_and_calling_codes() -> None:
    countries = catalogue().countries
    for code, calling in REQUIRED.items():
        assert countries[code]["callingCode"] == calling
        assert f"+{phonenumbers.country_code_for_region(code)}" == calling
        assert countries[code]["name"]
    assert countries["FR"]["name"] == "France"
    assert countries["GB"]["name"] == "United Kingdom"


def test_every_item_matches_the_spec_schemas(schema: Any) -> None:
    cat = catalogue()
    country_schema, type_schema, prefix_schema = (
        schema("StoreCountry"),
        schema("StoreType"),
        schema("StorePrefix"),
    )
    for code, country in cat.countries.items():
        assert first_error(country_schema, {"country": code, **country}) is None
        assert cat.types[code], f"{code} sells no type"
        for number_type, label in cat.types[code]:
            item = {"country": code, "type": number_type, "name": label}
            assert first_error(type_schema, item) is None, item
    for area in cat.areas:
        assert first_error(prefix_schema, area.to_api(0)) is None, area


def test_every_type_on_sale_has_a_price_in_both_classes() -> None:
    cat = catalogue()
    for code, types in cat.types.items():
        for number_type, _ in types:
            for number_class in ("classic", "gold"):
                setup, monthly = number_price(code, number_type, number_class)
                assert monthly > 0 and setup >= 0
            assert sum(number_price(code, number_type, "gold")) > sum(
                number_price(code, number_type, "classic")
            ), f"gold {code} {number_type} must cost more than classic"


def test_prefixes_follow_calling_codes_and_groups() -> None:
    cat = catalogue()
    by_area: dict[tuple[str, str], number_store.Area] = {}
    for area in cat.areas:
        assert area.prefix.startswith(cat.countries[area.country]["callingCode"]), area
        assert (area.country, area.area) not in by_area, (
            f"area slug {area.area} twice in {area.country}"
        )
        by_area[(area.country, area.area)] = area
    for area in cat.areas:
        if area.group:
            group = by_area[(area.country, area.group)]
            assert area.prefix.startswith(group.prefix) and area.prefix != group.prefix
            assert area.prefix in group.leaves


def test_french_area_structure() -> None:
    items = {(a.type, a.area): a for a in catalogue().areas_of("FR")}
    assert items[("geographic", "paris")].prefix == "+331"
    regions = {
        "north-west": ("+332", {"rennes", "nantes", "brest", "caen"}),
        "north-east": ("+333", {"lille", "strasbourg", "nancy"}),
        "south-east": ("+334", {"lyon", "marseille", "nice"}),
        "south-west": ("+335", {"bordeaux", "toulouse"}),
    }
    for region, (prefix, cities) in regions.items():
        assert items[("geographic", region)].prefix == prefix
        children = {a.area for a in catalogue().areas_of("FR", "geographic") if a.group == region}
        assert cities <= children, region
    assert items[("geographic", "lyon")].prefix == "+33472"
    assert items[("geographic", "marseille")].prefix == "+33491"
    assert {a.prefix for a in catalogue().areas_of("FR", "mobile")} == {"+336", "+337"}
    assert items[("tollfree", "freephone")].prefix.startswith("+338")
    assert {t for t, _ in catalogue().types["FR"]} == {
        "geographic",
        "mobile",
        "tollfree",
        "national",
    }


def test_magic_sold_out_prefix_is_in_the_catalogue() -> None:
    magic = magic_inputs()["store"]
    assert "+33199" in magic
    item = next(a for a in catalogue().areas if a.prefix == "+33199")
    assert item.area == "sold-out" and item.magic and item.leaves == ()


def test_memorable_tails() -> None:
    for tail in ("7777", "1234", "6789", "9876", "1212", "2020", "1100", "5000", "0000"):
        assert is_memorable_tail(tail), tail
    for tail in ("1235", "4071", "9183", "1201", "0001", "1337"):
        assert not is_memorable_tail(tail), tail
    assert is_memorable("+33472001234") and not is_memorable("+33472001235")


def test_every_pool_holds_valid_numbers_of_its_type() -> None:
    stock = catalogue().stock
    excluded = tuple(magic_inputs()["sms"]) + tuple(magic_inputs()["tasks"]) + ("+33199",)
    for area, prefix in leaves():
        pool = generate_leaf(
            "seed", area.country, area.type, prefix, area.digits, stock["classic"], stock["gold"]
        )
        gold = [c for c in pool if c.number_class == "gold"]
        classic = [c for c in pool if c.number_class == "classic"]
        assert (len(classic), len(gold)) == (stock["classic"], stock["gold"]), prefix
        assert len({c.e164 for c in pool}) == len(pool)
        for candidate in pool:
            parsed = phonenumbers.parse(candidate.e164)
            assert candidate.e164.startswith(prefix)
            assert not candidate.e164.startswith(excluded)
            assert phonenumbers.is_valid_number(parsed), candidate
            assert phonenumbers.region_code_for_number(parsed) == area.country
            assert phonenumbers.number_type(parsed) in PHONENUMBER_TYPES[area.type], candidate
            assert is_memorable(candidate.e164) == (candidate.number_class == "gold"), candidate


def test_pools_are_deterministic_per_seed() -> None:
    one = generate_leaf.__wrapped__("a", "FR", "geographic", "+331", 9, 5, 2)
    again = generate_leaf.__wrapped__("a", "FR", "geographic", "+331", 9, 5, 2)
    other = generate_leaf.__wrapped__("b", "FR", "geographic", "+331", 9, 5, 2)
    assert one == again
    assert one != other
