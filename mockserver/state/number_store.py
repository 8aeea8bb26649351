"""The number store: the store-wide pool of numbers for sale, reservations, orders.

- The catalogue and the generated numbers of each prefix are in ``catalogue.py``.
- The **pool** is one object per Store (``store.shared_resource("number_pool")``), so a
  number reserved or owned by one account is offered to nobody else. Its numbers are
  generated on first use of each leaf prefix (``catalogue.generate_leaf``), from the
  store's id seed.
- A number is **available** when it is in the pool, not held by a live reservation and
  not owned by any account. Releasing a number therefore puts it back on sale.
- A **reservation** holds its numbers 5 minutes on the sandbox clock (an expiry job, and
  the same check made lazily on every use). Buying debits ``price.total`` from the
  credit (403 and nothing changes when it is short) and hands the numbers to the
  account. An unknown, expired, cancelled or bought token, or another account's
  token, answers 404.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..base.errors import InvalidInput, NotFound
from .catalogue import Area, Candidate, catalogue, generate_leaf
from .codec import dump, load
from .money import CURRENCY, fmt
from .pagination import page
from .pricing import number_price
from .scheduler import Job, job_kind
from .shared import shared_state
from .timefmt import iso

HOLD = timedelta(minutes=5)
POOL_NAME = "number_pool"


# -- reservations -------------------------------------------------------------------
@dataclass
class Reservation:
    token: str
    account: str
    country: str
    type: str
    number_class: str
    numbers: list[Candidate]
    setup: Decimal
    monthly: Decimal
    created: datetime
    expires: datetime
    status: str = "reserved"  # reserved | bought | cancelled | expired
    ended: datetime | None = None

    @property
    def total(self) -> Decimal:
        return len(self.numbers) * (self.setup + self.monthly)

    def price(self) -> dict[str, Any]:
        return {
            "setup": fmt(self.setup),
            "monthly": fmt(self.monthly),
            "total": fmt(self.total),
            "currency": CURRENCY,
        }

    def holds(self, now: datetime) -> bool:
        return self.status == "reserved" and now < self.expires

    def to_api(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "status": "reserved",
            "country": self.country,
            "type": self.type,
            "class": self.number_class,
            "quantity": len(self.numbers),
            "numbers": [c.to_api() for c in self.numbers],
            "price": self.price(),
            "created": iso(self.created),
            "expires": iso(self.expires),
        }


@dataclass
class Order:
    reservation: Reservation
    numbers: list[Any]  # state.numbers.Number
    created: datetime
    debited: Decimal = field(default=Decimal("0"))

    def to_api(self) -> dict[str, Any]:
        return {
            "token": self.reservation.token,
            "status": "bought",
            "numbers": [n.to_api() for n in self.numbers],
            "price": self.reservation.price(),
            "debited": fmt(self.debited),
            "currency": CURRENCY,
            "created": iso(self.created),
        }


class NumberPool:
    """Store-wide: the numbers for sale and every reservation. Used under the store lock."""

    def __init__(self, store: Any, seed: str | None = None) -> None:
        self.store = store
        self.seed = store.ids.digits(12) if seed is None else seed
        self.rng = random.Random(self.seed)
        self.reservations: dict[str, Reservation] = {}

    # -- availability ---------------------------------------------------------
    def leaf(self, area: Area, prefix: str) -> tuple[Candidate, ...]:
        stock = catalogue().stock
        return generate_leaf(
            self.seed, area.country, area.type, prefix, area.digits, stock["classic"], stock["gold"]
        )

    def live_reservations(self, account_sid: str) -> list[dict[str, Any]]:
        """The account's reservations that still hold, as the API returned them."""
        now = self.store.clock.now()
        return [
            r.to_api()
            for r in self.reservations.values()
            if r.account == account_sid and r.holds(now)
        ]

    def taken(self) -> set[str]:
        """Numbers held by a live reservation or owned by any account."""
        now = self.store.clock.now()
        held = {c.e164 for r in self.reservations.values() if r.holds(now) for c in r.numbers}
        owned = {e164 for account in self.store.accounts() for e164 in account.numbers.items}
        return held | owned

    def candidates(self, areas: list[Area], taken: set[str]) -> list[Candidate]:
        seen: set[str] = set()
        found: list[Candidate] = []
        for area in areas:
            for prefix in area.leaves:
                if prefix in seen:
                    continue
                seen.add(prefix)
                found.extend(c for c in self.leaf(area, prefix) if c.e164 not in taken)
        return found

    # -- browsing -------------------------------------------------------------
    def countries(self, *, offset: int = 0, limit: int = 10) -> dict[str, Any]:
        items = sorted(catalogue().countries.items())
        return page(
            items, offset=offset, limit=limit, render=lambda kv: {"country": kv[0], **kv[1]}
        )

    def types(self, country: str, *, offset: int = 0, limit: int = 10) -> dict[str, Any]:
        cat = catalogue()
        cat.country(country)
        return page(
            cat.types[country],
            offset=offset,
            limit=limit,
            render=lambda tn: {"country": country, "type": tn[0], "name": tn[1]},
        )

    def prefixes(
        self,
        country: str | None,
        *,
        type: str | None = None,
        prefix: str | None = None,
        area: str | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        """Items whose prefix starts with ``prefix``; ``area`` matches an area or a whole group.
        Without ``country``, the prefix or the area must say which (``resolve_country``)."""
        cat = catalogue()
        country = cat.resolve_country(country, prefix, area)
        cat.country(country)
        found = [
            a
            for a in cat.areas_of(country, type)
            if (prefix is None or a.prefix.startswith(prefix))
            and (area is None or area in (a.area, a.group))
        ]
        window = found[offset : offset + limit]
        taken = self.taken()
        counts = {a.prefix: len(self.candidates([a], taken)) for a in window}
        return page(found, offset=offset, limit=limit, render=lambda a: a.to_api(counts[a.prefix]))

    # -- reserve / buy / cancel -------------------------------------------------
    def _select(
        self, country: str, number_type: str, prefix: str | None, area: str | None
    ) -> list[Area]:
        cat = catalogue()
        calling_code = cat.country(country)["callingCode"]
        cat.check_type(country, number_type)
        chosen = cat.areas_of(country, number_type)
        if area is not None:
            chosen = [a for a in chosen if a.area == area]
            if not chosen:
                known = ", ".join(a.area for a in cat.areas_of(country, number_type))
                raise InvalidInput(
                    f"area {area!r} is not sold for {country} {number_type} numbers (areas: {known})",
                    code="unknown-area",
                )
        if prefix is not None:
            if not prefix.startswith(calling_code) and not calling_code.startswith(prefix):
                raise InvalidInput(
                    f"prefix {prefix} is not a {country} prefix ({country} numbers start with {calling_code})",
                    code="unknown-prefix",
                )
            if area is not None and not (
                chosen[0].prefix.startswith(prefix) or prefix.startswith(chosen[0].prefix)
            ):
                raise InvalidInput(
                    f"prefix {prefix} is outside area {area!r} ({chosen[0].prefix}); give one or make them agree",
                    code="prefix-area-mismatch",
                )
            chosen = [
                a for a in chosen if a.prefix.startswith(prefix) or prefix.startswith(a.prefix)
            ]
            if not chosen:
                known = ", ".join(a.prefix for a in cat.areas_of(country, number_type))
                raise InvalidInput(
                    f"no {country} {number_type} numbers are sold under prefix {prefix} (prefixes: {known})",
                    code="unknown-prefix",
                )
        return chosen

    def reserve(
        self,
        account: Any,
        *,
        country: str | None = None,
        type: str | None = None,
        prefix: str | None = None,
        area: str | None = None,
        number_class: str = "classic",
        quantity: int = 1,
    ) -> Reservation:
        """Without ``country``, the prefix or area must say which; without ``type``, the type
        of the areas they match when they all share one, else ``geographic``."""
        cat = catalogue()
        country = cat.resolve_country(country, prefix, area)
        cat.country(country)
        if type is None:
            type = _implied_type(cat.areas_of(country), prefix, area)
        chosen = self._select(country, type, prefix, area)
        setup, monthly = number_price(country, type, number_class)
        taken = self.taken()
        found = [
            c
            for c in self.candidates(chosen, taken)
            if c.number_class == number_class and (prefix is None or c.e164.startswith(prefix))
        ]
        if len(found) < quantity:
            where = (
                " ".join(
                    part
                    for part in (
                        f"area {area}" if area else "",
                        f"prefix {prefix}" if prefix else "",
                    )
                    if part
                )
                or country
            )
            magic = next((a.magic for a in chosen if a.magic), None)
            reason = f": {magic}" if magic else ""
            if not found:
                raise InvalidInput(
                    f"no {number_class} {type} numbers left in {where}{reason}; try another area or class",
                    code="sold-out",
                )
            raise InvalidInput(
                f"only {len(found)} {number_class} {type} numbers left in {where}, {quantity} asked",
                code="not-enough-numbers",
            )
        picked = sorted(self.rng.sample(found, quantity), key=lambda c: c.e164)
        now = self.store.clock.now()
        token = self.store.ids.token()
        while token in self.reservations:
            token = self.store.ids.token()
        reservation = Reservation(
            token, account.sid, country, type, number_class, picked, setup, monthly, now, now + HOLD
        )
        self.reservations[token] = reservation
        self.store.scheduler.schedule(
            reservation.expires, "reservation.expire", {"token": token}, owner=account.sid
        )
        return reservation

    def quote(self, country: str, type: str, number_class: str, quantity: int) -> dict[str, Any]:
        """The price of ``quantity`` numbers, nothing reserved: ``Price`` plus ``quantity``."""
        cat = catalogue()
        cat.country(country)
        cat.check_type(country, type)
        setup, monthly = number_price(country, type, number_class)
        return {
            "setup": fmt(setup),
            "monthly": fmt(monthly),
            "total": fmt(quantity * (setup + monthly)),
            "currency": CURRENCY,
            "quantity": quantity,
        }

    def _expire(self, reservation: Reservation, at: datetime) -> None:
        if reservation.status == "reserved":
            self._end(reservation, "expired", at)

    def _end(self, reservation: Reservation, status: str, at: datetime) -> None:
        """A reservation's last step (expired, bought or cancelled), told to the store."""
        reservation.status, reservation.ended = status, at
        self.store.note_lifecycle(reservation.account, "reservation", status)

    def get(self, account: Any, token: str) -> Reservation:
        """The account's live reservation, or 404 saying why not."""
        reservation = self.reservations.get(token)
        if reservation is None or reservation.account != account.sid:
            raise NotFound(f"no reservation with token {token} on this account")
        if reservation.status == "reserved" and not reservation.holds(self.store.clock.now()):
            self._expire(reservation, reservation.expires)
        if reservation.status != "reserved":
            why = {
                "expired": f"expired at {iso(reservation.expires)} (reservations hold 5 minutes)",
                "cancelled": "was cancelled",
                "bought": "was already bought",
            }[reservation.status]
            raise NotFound(f"reservation {token} {why}; reserve again with POST /numbers/store")
        return reservation

    def buy(self, account: Any, token: str) -> Order:
        reservation = self.get(account, token)
        now = self.store.clock.now()
        count = len(reservation.numbers)
        what = f"buying {count} {reservation.number_class} {reservation.type} number{'s' if count > 1 else ''}"
        account.credit.charge(reservation.total, what, at=now)  # 403, nothing changed, if short
        numbers = [
            account.numbers.add(
                c.e164,
                country=c.country,
                type=c.type,
                number_class=c.number_class,
                monthly_price=reservation.monthly,
                created=now,
            )
            for c in reservation.numbers
        ]
        self._end(reservation, "bought", now)
        return Order(reservation, numbers, now, reservation.total)

    def cancel(self, account: Any, token: str) -> None:
        reservation = self.get(account, token)
        self._end(reservation, "cancelled", self.store.clock.now())


def _implied_type(areas: list[Area], prefix: str | None, area: str | None) -> str:
    matching = {
        a.type
        for a in areas
        if (prefix is None or a.prefix.startswith(prefix) or prefix.startswith(a.prefix))
        and (area is None or area in (a.area, a.group))
    }
    if (prefix is not None or area is not None) and len(matching) == 1:
        return matching.pop()
    return "geographic"


def _dump_pool(pool: NumberPool) -> dict[str, Any]:
    return {"seed": pool.seed, "random": dump(pool.rng), "reservations": dump(pool.reservations)}


def _load_pool(store: Any, data: dict[str, Any], where: str) -> NumberPool:
    pool = NumberPool(store, load(str, data["seed"], f"{where}.seed"))
    pool.rng = load(random.Random, data["random"], f"{where}.random")
    pool.reservations = load(dict[str, Reservation], data["reservations"], f"{where}.reservations")
    return pool


shared_state(POOL_NAME, _dump_pool, _load_pool)


def pool_of(store: Any) -> NumberPool:
    """The store-wide pool (built on first use, dropped by ``Store.reset``)."""
    pool: NumberPool = store.shared_resource(POOL_NAME, lambda: NumberPool(store))
    return pool


@job_kind("reservation.expire")
def _run_expire(store: Any, job: Job) -> None:
    pool: NumberPool | None = store.shared.get(POOL_NAME)
    reservation = pool.reservations.get(job.args["token"]) if pool else None
    if pool is not None and reservation is not None:
        pool._expire(reservation, job.due)
