"""Money is an amount in euro cents, written as a decimal string with 2 places (``"5.50"``).

Callr's samples and CDR docs give debits and costs in cents (``billingDebit: "5.50"`` for a
minute to a French geographic number, ``cost: "2.0"`` for an inbound SMS, legacy CDR
amounts "in cents with 2 decimals"); the credit balance is kept in the same unit, which is
inferred (see spec ``Money`` and ``Credit``). Amounts read from users (seeds, the control
API) may have up to 4 places; they are rounded half up to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "EUR"
_PLACES = Decimal("0.01")


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
    return f"{to_money(value):.2f}"
