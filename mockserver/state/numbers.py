"""Owned phone numbers and their scenario link.

The link between a number and a Callr Actions scenario lives here, on the number, and
nowhere else: a number has at most one scenario (``scenario`` sid + ``assigned`` date)
and a scenario's ``numbers`` list is computed from it. The three assignment routes
(``PUT|DELETE /actions/{sid}/numbers/{number}``, ``PUT|DELETE
/numbers/{number}/scenario/{sid}`` and ``PATCH /numbers/{number}``) all call
:meth:`NumberRepo.assign` / :meth:`NumberRepo.unassign`.

Events: a link that appears fires ``v2.number.assigned``; a link that goes (unassign,
move to another scenario, scenario deleted, number released) fires
``v2.number.unassigned``. A move fires ``unassigned`` then ``assigned``. The payload is
the Number as the API returns it, after the change. Re-assigning a number to the
scenario it already has changes nothing and fires nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from ..base.errors import InvalidInput, NotFound
from .index import IndexSpec
from .money import CURRENCY, fmt, to_money
from .repo import Owner, Repo
from .timefmt import iso, parse

UNSET: Any = object()


@dataclass
class Number:
    e164: str
    country: str
    type: str
    number_class: str
    monthly_price: Decimal
    created: datetime
    scenario: str | None = None
    assigned: datetime | None = None
    auto_renew: bool = True
    seq: int = 0

    def to_api(self) -> dict[str, Any]:
        return {
            "e164": self.e164,
            "country": self.country,
            "type": self.type,
            "class": self.number_class,
            "scenario": self.scenario,
            "assigned": iso(self.assigned),
            "autoRenew": self.auto_renew,
            "monthlyPrice": fmt(self.monthly_price),
            "currency": CURRENCY,
            "created": iso(self.created),
        }

    def to_assigned(self) -> dict[str, Any]:
        """The number as a scenario's ``numbers`` lists it (AssignedNumber)."""
        return {
            "e164": self.e164,
            "class": self.number_class,
            "type": self.type,
            "assigned": iso(self.assigned),
            "country": self.country,
        }


class ScenarioBook(Protocol):
    """What the numbers use of the account's scenarios: that one exists
    (``scenarios.ScenarioRepo`` is one; it uses the numbers, so it is not imported here)."""

    @property
    def items(self) -> Mapping[str, Any]: ...

    def get(self, key: str) -> Any: ...


class NumberOwner(Owner, Protocol):
    scenarios: ScenarioBook


class NumberRepo(Repo[Number]):
    account: NumberOwner

    seed_schema = "Number"
    not_found = "the account owns no number {key}"
    key_attr = "e164"
    index_spec = IndexSpec(
        sorts={"created": lambda n: n.created, "e164": lambda n: n.e164},
        equal={
            "country": lambda n: n.country,
            "type": lambda n: n.type,
            "number_class": lambda n: n.number_class,
            "scenario": lambda n: n.scenario,
        },
    )

    # -- reading ------------------------------------------------------------
    def assigned_to(self, sid: str) -> list[Number]:
        """The numbers linked to scenario ``sid``, in the order they were assigned."""
        linked = [n for n in self.items.values() if n.scenario == sid]
        return sorted(linked, key=lambda n: (n.assigned or n.created, n.seq))

    def search(
        self,
        *,
        country: str | None = None,
        type: str | None = None,
        number_class: str | None = None,
        scenario: str | None = None,
        sort: str = "created",
        order: str = "desc",
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        return self.search_page(
            {"country": country, "type": type, "number_class": number_class, "scenario": scenario},
            sort=sort,
            order=order,
            offset=offset,
            limit=limit,
        )

    # -- changes ------------------------------------------------------------
    def add(
        self,
        e164: str,
        *,
        country: str,
        type: str,
        number_class: str,
        monthly_price: Decimal,
        created: datetime,
    ) -> Number:
        """A number joins the account (bought from the store), unassigned."""
        if e164 in self.items:
            raise InvalidInput(f"the account already owns {e164}", code="number-owned")
        return self.insert(
            Number(e164, country, type, number_class, to_money(monthly_price), created)
        )

    def assign(self, e164: str, sid: str) -> Number:
        """Link the number to scenario ``sid`` (moving it from any other scenario)."""
        number = self.get(e164)
        self.account.scenarios.get(sid)  # 404 for an unknown scenario
        if number.scenario == sid:
            return number
        now = self.store.clock.now()
        if number.scenario is not None:
            self._detach(number, now)
        number.scenario, number.assigned = sid, now
        self.reindex(number)
        self.account.emit("v2.number.assigned", number.to_api(), at=now)
        return number

    def unassign(self, e164: str, sid: str | None = None) -> Number:
        """Unlink the number; with ``sid``, 404 unless it is linked to that scenario.

        Without ``sid`` (``PATCH`` with ``scenario: null``) an unassigned number stays as it is.
        """
        number = self.get(e164)
        if sid is not None:
            self.account.scenarios.get(sid)
            if number.scenario != sid:
                where = f"scenario {number.scenario}" if number.scenario else "no scenario"
                raise NotFound(
                    f"number {e164} is not assigned to scenario {sid} (it is assigned to {where})"
                )
        if number.scenario is not None:
            self._detach(number, self.store.clock.now())
        return number

    def update(self, e164: str, *, scenario: Any = UNSET, auto_renew: bool | None = None) -> Number:
        """``PATCH /numbers/{number}``: checks everything before changing anything."""
        number = self.get(e164)
        if scenario is not UNSET and scenario is not None:
            self.account.scenarios.get(scenario)
        if auto_renew is not None:
            number.auto_renew = auto_renew
        if scenario is not UNSET:
            if scenario is None:
                self.unassign(e164)
            else:
                self.assign(e164, scenario)
        return number

    def release(self, e164: str) -> None:
        """Cancel the subscription: the number leaves the account at once, detached first."""
        number = self.get(e164)
        if number.scenario is not None:
            self._detach(number, self.store.clock.now())
        self.remove(e164)

    def detach_scenario(self, sid: str) -> None:
        """Unlink every number of a scenario that is being deleted."""
        now = self.store.clock.now()
        for number in self.assigned_to(sid):
            self._detach(number, now)

    def _detach(self, number: Number, at: datetime) -> None:
        number.scenario, number.assigned = None, None
        self.reindex(number)
        self.account.emit("v2.number.unassigned", number.to_api(), at=at)

    # -- seed ---------------------------------------------------------------
    def load(self, obj: dict[str, Any]) -> Number:
        """Seed one number (Number shape). Its ``scenario`` must be a scenario of the seed."""
        scenario = obj.get("scenario")
        if scenario is not None and self.account.scenarios.items.get(scenario) is None:
            raise InvalidInput(
                f"seed number {obj['e164']} is assigned to scenario {scenario}, which the account does not have",
                code="invalid-seed",
            )
        existing = self.items.get(obj["e164"])
        if (
            existing is not None
            and existing.scenario not in (None, scenario)
            and scenario is not None
        ):
            raise InvalidInput(
                f"seed number {obj['e164']} is listed by scenario {existing.scenario} but names scenario {scenario}",
                code="invalid-seed",
            )
        number = Number(
            e164=obj["e164"],
            country=obj["country"],
            type=obj["type"],
            number_class=obj["class"],
            monthly_price=to_money(obj["monthlyPrice"]),
            created=parse(obj["created"]),
            auto_renew=obj["autoRenew"],
        )
        if scenario is not None:
            number.scenario = scenario
            number.assigned = (
                parse(obj["assigned"]) if obj.get("assigned") else parse(obj["created"])
            )
        elif existing is not None and existing.scenario is not None:
            number.scenario, number.assigned = existing.scenario, existing.assigned
        return self.insert(number, seq=existing.seq if existing is not None else None)

    def load_assigned(self, sid: str, obj: dict[str, Any], default_monthly: Decimal) -> None:
        """Seed a number listed in a scenario's ``numbers`` (AssignedNumber shape)."""
        assigned = parse(obj["assigned"])
        number = self.items.get(obj["e164"])
        if number is None:
            number = Number(
                e164=obj["e164"],
                country=obj["country"],
                type=obj["type"],
                number_class=obj["class"],
                monthly_price=default_monthly,
                created=assigned,
            )
            self.insert(number)
        elif number.scenario not in (None, sid):
            raise InvalidInput(
                f"seed number {number.e164} is listed by scenarios {number.scenario} and {sid}; a number has one scenario",
                code="invalid-seed",
            )
        number.scenario, number.assigned = sid, assigned
        self.reindex(number)
