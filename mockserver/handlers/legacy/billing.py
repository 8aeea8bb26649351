"""``billing.get_prepaid_credit``: the prepaid balance (``account.credit``), as the bare
number the legacy API returned."""

from __future__ import annotations

from decimal import Decimal

from .core import Ctx, Registry

METHODS = Registry()


@METHODS.method("billing.get_prepaid_credit")
def get_prepaid_credit(ctx: Ctx) -> float:
    """The balance in the account currency (REST ``GET /billing/credit`` ``balance``)."""
    return float(Decimal(ctx.account.credit.to_api()["balance"]))
