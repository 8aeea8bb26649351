"""Money is a decimal string with 4 places, in EUR (inferred; see spec ``Money``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "EUR"
_PLACES = Decimal("0.0001")


def to_money(value: Decimal | str | int | float) -> Decimal:
    return Decimal(str(value)).quantize(_PLACES, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | str | int | float) -> str:
    return f"{to_money(value):.4f}"
