"""The price list (``fixtures/prices.yaml``), in euro cents: SMS per part, inbound SMS,
calls per billed minute by the kind of the called number, number fees per type/class."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..base.errors import InvalidInput
from .fixture_files import read_fixture
from .money import to_money


@lru_cache(maxsize=1)
def price_list() -> dict[str, Any]:
    data: dict[str, Any] = read_fixture("prices.yaml")
    return data


@lru_cache(maxsize=1)
def magic_inputs() -> dict[str, Any]:
    data: dict[str, Any] = read_fixture("magic.yaml")
    return data


def sms_price(country: str | None) -> Decimal:
    """Price of one SMS part to ``country`` (ISO-2), or the default price."""
    row = price_list().get(country or "", price_list()["default"])
    return to_money(row.get("sms", price_list()["default"]["sms"]))


def inbound_sms_price() -> Decimal:
    """What an inbound SMS costs (Callr's sample: ``cost: "2.0"``)."""
    return to_money(price_list()["default"]["sms_inbound"])


def call_minute_price(kind: str) -> Decimal:
    """Price of a billed minute of a call to a number of ``kind`` (``Geographic``, ...)."""
    prices = price_list()["default"]["call_minute"]
    return to_money(prices.get(kind, prices["Other"]))


def number_price(country: str, number_type: str, number_class: str) -> tuple[Decimal, Decimal]:
    """(setup fee, monthly fee) of one number; 400 if the store does not sell it."""
    try:
        row = price_list()[country]["numbers"][number_type][number_class]
    except KeyError:
        raise InvalidInput(
            f"the store sells no {number_class} {number_type} numbers in {country}",
            code="not-sold",
        ) from None
    return to_money(row["setup"]), to_money(row["monthly"])
