"""Money is a decimal string with 4 places, in EUR (inferred; see spec ``Money``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "EUR"
_PLACES = Decimal("0.0001")


def to_money(value: Decimal | str | int | float) -> Decimal:
    return Decimal(str(value)).quantize(_PLACES, rounding=ROUND_HALF_UP)


def is_amount(value: object) -> bool:
    """A decimal string or a number that :func:`to_money` takes (not NaN, not infinite)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return False
    try:
        return to_money(value).is_finite()
    except (InvalidOperation, ValueError):
        return False


def fmt(value: Decimal | str | int | float) -> str:
    return f"{to_money(value):.4f}"
