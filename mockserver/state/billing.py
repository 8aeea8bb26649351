"""Prepaid credit: charged by SMS and number purchases, topped up by the control API.

``GET /billing/destinations`` lists the same price list that is charged (``destinations``).

Crossing the warning level fires ``v2.billing.credit.warning``; reaching the
shutdown level fires ``v2.billing.credit.shutdown``; a top-up fires
``v2.billing.credit.topup``. A charge larger than the balance is refused with
403 ``insufficient-credit`` and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ..base.errors import InsufficientCredit, InvalidInput
from .codec import dump, load
from .money import CURRENCY, fmt, to_money
from .pagination import page
from .pricing import price_list
from .timefmt import iso

DEFAULT_BALANCE = Decimal("10000.00")
DEFAULT_WARNING_LEVEL = Decimal("500.00")
DEFAULT_SHUTDOWN_LEVEL = Decimal("0.00")


class Credit:
    def __init__(self, account: Any, balance: Decimal | str = DEFAULT_BALANCE) -> None:
        self.account = account
        self.balance = to_money(balance)
        self.warning_level = DEFAULT_WARNING_LEVEL
        self.shutdown_level = DEFAULT_SHUTDOWN_LEVEL
        self.updated = account.store.clock.now()

    def to_api(self) -> dict[str, Any]:
        return {
            "balance": fmt(self.balance),
            "currency": CURRENCY,
            "warningLevel": fmt(self.warning_level),
            "shutdownLevel": fmt(self.shutdown_level),
            "updated": iso(self.updated),
        }

    def ensure(self, amount: Decimal, what: str) -> None:
        """Refuse (403) if ``amount`` is more than the balance; change nothing."""
        amount = to_money(amount)
        if amount > self.balance:
            raise InsufficientCredit(
                f"{what} costs {fmt(amount)} {CURRENCY} cents but the prepaid credit is "
                f"{fmt(self.balance)} {CURRENCY} cents; top up the account first"
            )

    def charge(self, amount: Decimal, what: str, at: datetime | None = None) -> None:
        """Debit what the account asks for (an SMS, a number): refused (403) when the
        credit does not cover it."""
        self.ensure(amount, what)
        self.debit(amount, at)

    def debit(self, amount: Decimal, at: datetime | None = None) -> None:
        """Debit what already happened (an inbound SMS, a call): never refused, so the
        balance may fall below the shutdown level."""
        at = at or self.account.store.clock.now()
        before, self.balance = self.balance, self.balance - to_money(amount)
        self.updated = at
        if before > self.warning_level >= self.balance:
            self.account.emit("v2.billing.credit.warning", self.to_api(), at=at)
        if before > self.shutdown_level >= self.balance:
            self.account.emit("v2.billing.credit.shutdown", self.to_api(), at=at)

    def topup(self, amount: Decimal | str, at: datetime | None = None) -> None:
        credit = to_money(amount)
        if credit <= 0:
            raise InvalidInput("a top-up must be a positive amount", code="invalid-amount")
        self.balance += credit
        self.updated = at or self.account.store.clock.now()
        self.account.emit("v2.billing.credit.topup", self.to_api(), at=self.updated)

    def to_state(self) -> dict[str, Any]:
        return {
            "balance": dump(self.balance),
            "warningLevel": dump(self.warning_level),
            "shutdownLevel": dump(self.shutdown_level),
            "updated": dump(self.updated),
        }

    def load_state(self, data: dict[str, Any], where: str) -> None:
        self.balance = load(Decimal, data["balance"], f"{where}.balance")
        self.warning_level = load(Decimal, data["warningLevel"], f"{where}.warningLevel")
        self.shutdown_level = load(Decimal, data["shutdownLevel"], f"{where}.shutdownLevel")
        self.updated = load(datetime, data["updated"], f"{where}.updated")

    def set(self, balance: Decimal | str) -> None:
        self.balance = to_money(balance)
        self.updated = self.account.store.clock.now()


NUMBER_TYPE_ORDER = (
    "geographic",
    "mobile",
    "tollfree",
    "national",
    "personal",
    "sharedcost",
    "sharedrevenue",
    "special",
)
NUMBER_CLASS_ORDER = ("classic", "gold")


def destination_rows() -> list[dict[str, Any]]:
    """Every priced destination of ``fixtures/prices.yaml``, as the API lists them.

    One ``sms`` row per country (price per message part, what ``POST /sms`` charges) and
    one row per number type and class (monthly fee; the setup fee is charged on purchase
    but not listed). The ``default`` SMS price of unlisted countries has no row.
    """
    rows: list[dict[str, Any]] = []
    for country, entry in sorted(price_list().items()):
        if country == "default" or not isinstance(entry, dict):
            continue
        if "sms" in entry:
            rows.append(_row(country, "sms", None, entry["sms"], "message"))
        numbers = entry.get("numbers", {})
        for number_type in sorted(numbers, key=_order(NUMBER_TYPE_ORDER)):
            classes = numbers[number_type]
            for number_class in sorted(classes, key=_order(NUMBER_CLASS_ORDER)):
                rows.append(
                    _row(
                        country,
                        number_type,
                        number_class,
                        classes[number_class]["monthly"],
                        "month",
                    )
                )
    return rows


def _order(known: tuple[str, ...]) -> Any:
    return lambda name: (known.index(name) if name in known else len(known), name)


def _row(
    country: str, kind: str, number_class: str | None, price: Any, unit: str
) -> dict[str, Any]:
    label = "-".join(part.upper() for part in (country, kind, number_class) if part)
    return {
        "country": country,
        "type": kind,
        "class": number_class,
        "label": label,
        "price": fmt(price),
        "unit": unit,
        "currency": CURRENCY,
    }


def destinations(
    *, country: str | None = None, type: str | None = None, offset: int = 0, limit: int = 10
) -> dict[str, Any]:
    """One page of destinations, filtered by country and type, in a fixed order."""
    found = [
        row
        for row in destination_rows()
        if (country is None or row["country"] == country) and (type is None or row["type"] == type)
    ]
    return page(found, offset=offset, limit=limit, render=dict)
