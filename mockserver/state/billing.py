"""Prepaid credit: charged by SMS and number purchases, topped up by the control API.

Crossing the warning level fires ``v2.billing.credit.warning``; reaching the
shutdown level fires ``v2.billing.credit.shutdown``; a top-up fires
``v2.billing.credit.topup``. A charge larger than the balance is refused with
403 ``insufficient-credit`` and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from callr_mock.state.errors import InsufficientCredit, InvalidInput
from callr_mock.state.money import CURRENCY, fmt, to_money
from callr_mock.state.timefmt import iso

DEFAULT_BALANCE = Decimal("100.0000")
DEFAULT_WARNING_LEVEL = Decimal("5.0000")
DEFAULT_SHUTDOWN_LEVEL = Decimal("0.0000")


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
                f"{what} costs {fmt(amount)} {CURRENCY} but the prepaid credit is "
                f"{fmt(self.balance)} {CURRENCY}; top up the account first"
            )

    def charge(self, amount: Decimal, what: str, at: datetime | None = None) -> None:
        self.ensure(amount, what)
        at = at or self.account.store.clock.now()
        before, self.balance = self.balance, self.balance - to_money(amount)
        self.updated = at
        if before > self.warning_level >= self.balance:
            self.account.emit("v2.billing.credit.warning", self.to_api(), at=at)
        if before > self.shutdown_level >= self.balance:
            self.account.emit("v2.billing.credit.shutdown", self.to_api(), at=at)

    def topup(self, amount: Decimal | str, at: datetime | None = None) -> None:
        amount = to_money(amount)
        if amount <= 0:
            raise InvalidInput("a top-up must be a positive amount", code="invalid-amount")
        self.balance += amount
        self.updated = at or self.account.store.clock.now()
        self.account.emit("v2.billing.credit.topup", self.to_api(), at=self.updated)

    def set(self, balance: Decimal | str) -> None:
        self.balance = to_money(balance)
        self.updated = self.account.store.clock.now()
