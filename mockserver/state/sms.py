"""SMS messages: encoding and parts, cost, the outbound lifecycle, magic numbers, inbound SMS.

Encoding (``POST /sms`` without ``encoding``; the code is in ``sms_text.py``): GSM 03.38 when every character is in the
basic character set or its extension table (``^ { } \\ [ ~ ] | €`` and form feed, which
cost 2 septets each); otherwise ``unicode``, counted in UTF-16 code units (an emoji
counts 2). Parts: GSM ≤ 160 septets → 1, else ceil(septets / 153); unicode ≤ 70 units → 1,
else ceil(units / 67). Forcing ``encoding=gsm`` on a text with other characters
transliterates it character by character (« » “ ” → ``"``, ‘ ’ → ``'``, – — → ``-``,
… → ``.``, accented letters lose their accent, e.g. ê → e) and replaces whatever is left
with ``?`` (an emoji becomes one ``?``); ``body.text`` then holds the converted text, never
longer than the original. Forcing ``unicode`` counts in UTF-16 units.

Cost: parts × the SMS price of the recipient's country (``fixtures/prices.yaml``, as
listed by ``GET /billing/destinations``; countries not listed pay the default price).
The credit is charged *before* the SMS is recorded: not enough credit → 403
``insufficient-credit`` and nothing is recorded. Amounts are euro cents. An inbound SMS is
charged the price list's ``sms_inbound`` when it arrives, whatever the credit.

Outbound lifecycle on the sandbox clock, delays counted from creation:

=========  ==============  =====================================================
delay      status          also
=========  ==============  =====================================================
0 s        created         the ``201`` answer; no event
1 s        pending
2 s        sent            ``sent``
3 s        remote-queued
5 s        delivered       ``delivered``
=========  ==============  =====================================================

Each change appends a transition ``{before, after, at}`` to ``statusHistory``, sets
``updated`` and fires
``v2.sms.outbound.updated`` with the Sms object.

Magic recipients (``fixtures/magic.yaml``, section ``sms``):

- ``+33199000001`` failed: created → pending (1 s) → sent (2 s) → ``failed`` (3 s).
- ``+33199000002`` expired: … → remote-queued (3 s) → ``expired`` (5 s).
- ``+33199000003`` error: created → ``error`` (1 s). Not accepted, so not charged
  (``cost`` 0), but the credit must still cover it (403 otherwise).
- ``+33199000004`` instant: ``delivered`` in the ``201`` answer, with every status of the
  lifecycle in ``statusHistory`` at the creation time; one ``v2.sms.outbound.updated``.
- ``+33199000005`` reply: delivered as usual (5 s); 2 s later (7 s) an inbound SMS from
  that number to the sender arrives (``v2.sms.inbound.received``). The sender is the
  ``from`` number when it is a phone number, else the sandbox sender ``+33199000000``.

Senders (``phone.py``): an empty ``from`` means the automatic sender, the sandbox number
``+33199000000``. A ``from`` that is a possible phone number (with ``+``, or digits with
the country code) is stored in E.164; anything else is an alphanumeric sender
(priced as a number of no country).

Seeded SMS (``load``) are taken as they are: no lifecycle is scheduled for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from ..base.errors import InvalidInput
from .index import IndexSpec
from .money import fmt, to_money
from .phone import AUTO_SENDER, describe, is_possible_number, sender
from .pricing import inbound_sms_price, magic_inputs, sms_price
from .repo import Repo
from .scheduler import Job, account_job
from .sms_text import encode
from .timefmt import iso, parse

# ---------------------------------------------------------------- lifecycle

STATUSES = (
    "created",
    "pending",
    "sent",
    "remote-queued",
    "delivered",
    "error",
    "failed",
    "expired",
)
FINAL = ("delivered", "error", "failed", "expired")
NORMAL_STEPS = ((1, "pending"), (2, "sent"), (3, "remote-queued"), (5, "delivered"))
MAGIC_STEPS = {
    "failed": ((1, "pending"), (2, "sent"), (3, "failed")),
    "expired": ((1, "pending"), (2, "sent"), (3, "remote-queued"), (5, "expired")),
    "error": ((1, "error"),),
    "reply": NORMAL_STEPS,
}
REPLY_AFTER = 2  # seconds after delivery
SORT_KEYS = {
    "created": lambda s: s.created,
    "updated": lambda s: s.updated,
    "status": lambda s: STATUSES.index(s.status),
}


@dataclass
class Sms:
    sid: str
    direction: str
    sender: str  # E.164, or an alphanumeric sender
    recipient: str  # E.164
    body: str
    encoding: str
    parts: int
    traffic_type: str
    debit: Decimal
    created: datetime
    status: str = "created"
    updated: datetime | None = None
    sent: datetime | None = None
    delivered: datetime | None = None
    error: str | None = None
    payment_type: str = "prepaid"
    network: str = ""
    # every status the SMS was in, with when it got there, oldest first; the API shows
    # the transitions between them (``statusHistory``)
    history: list[tuple[str, datetime]] = field(default_factory=list)
    seq: int = 0
    # ``history`` and ``debit`` as the API shows them, kept as they change (``move``): an
    # SMS is shown at every lifecycle step (its event), and rebuilding its transitions and
    # dates each time was most of a step's cost
    _transitions: list[dict[str, Any]] = field(init=False, repr=False, compare=False)
    _cost: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._transitions = status_history(self.history)
        self._cost = fmt(self.debit)

    def to_api(self) -> dict[str, Any]:
        """The REST v2 SMS object, keys in the order of Callr's ``v2.sms.inbound.received``
        sample (the same object for ``POST /sms``, ``GET /sms/{sid}``, search and both SMS
        webhooks). A new object each time; its transitions are shared, never changed."""
        return {
            "direction": self.direction,
            "sid": self.sid,
            "from": self.sender,
            "to": self.recipient,
            "body": {"text": self.body},
            "trafficType": self.traffic_type,
            "status": self.status,
            "error": self.error or "",
            "created": iso(self.created),
            "delivered": iso(self.delivered),
            "updated": iso(self.updated or self.created),
            "sent": iso(self.sent),
            "parts": self.parts,
            "network": self.network,
            "encoding": self.encoding,
            "cost": self._cost,
            "paymentType": self.payment_type,
            "statusHistory": self._transitions[:],
        }

    def move(self, status: str, at: datetime, error: str | None = None) -> None:
        if self.history:
            self._transitions.append(
                {"after": status, "before": self.history[-1][0], "at": iso(at)}
            )
        self.status = status
        self.updated = at
        self.history.append((status, at))
        if status == "sent":
            self.sent = at
        elif status == "delivered":
            self.delivered = at
        if error is not None:
            self.error = error


def status_history(path: list[tuple[str, datetime]]) -> list[dict[str, Any]]:
    """The API's ``statusHistory``: the transitions ``{after, before, at}`` between the
    statuses an SMS went through (``path``: each status with when it got there)."""
    return [
        {"after": after, "before": before, "at": iso(at)}
        for (before, _), (after, at) in pairwise(path)
    ]


def magic_sms() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = magic_inputs().get("sms", {})
    return table


class SmsRepo(Repo[Sms]):
    seed_schema = "Sms"
    not_found = "no SMS with sid {key!r} on this account"
    index_spec = IndexSpec(
        sorts=SORT_KEYS,
        equal={
            "direction": lambda s: s.direction,
            "trafficType": lambda s: s.traffic_type,
            "status": lambda s: s.status,
        },
        prefix={"from": lambda s: s.sender, "to": lambda s: s.recipient},
        contains={"text": lambda s: s.body},
    )

    # -- sending ------------------------------------------------------------
    def send(
        self,
        to: str,
        text: str,
        *,
        sender_id: str | None = None,
        encoding: str | None = None,
        traffic_type: str = "marketing",
    ) -> Sms:
        if not is_possible_number(to):
            raise InvalidInput(
                f"to: {to!r} is not a possible phone number (E.164, e.g. +33639981020)",
                code="invalid-number",
            )
        magic = magic_sms().get(to)
        outcome = magic["outcome"] if magic else None
        used_encoding, body, parts = encode(text, encoding)
        cost = to_money(parts * sms_price(describe(to).country))
        now = self.store.clock.now()
        what = f"an SMS of {parts} part(s) to {to}"
        if outcome == "error":
            self.account.credit.ensure(cost, what)  # refused below, never charged
            cost = to_money(0)
        else:
            self.account.credit.charge(cost, what, at=now)
        sms = Sms(
            sid=self.new_sid(),
            direction="outbound",
            sender=sender(sender_id).number,
            recipient=to,
            body=body,
            encoding=used_encoding,
            parts=parts,
            traffic_type=traffic_type,
            debit=cost,
            created=now,
            updated=now,
            history=[("created", now)],
        )
        self.insert(sms)
        if outcome == "instant":
            for _, status in NORMAL_STEPS:
                sms.move(status, now)
            self.reindex(sms)
            self.account.emit("v2.sms.outbound.updated", sms.to_api(), at=now)
            return sms
        reason = magic["reason"] if magic else None
        steps = MAGIC_STEPS.get(outcome or "", NORMAL_STEPS)
        for delay, status in steps:
            error = reason if status in ("error", "failed", "expired") else None
            self._schedule(
                now + timedelta(seconds=delay),
                "sms.step",
                {"sms": sms.sid, "status": status, "error": error},
            )
        if outcome == "reply" and magic:
            reply_at = now + timedelta(seconds=steps[-1][0] + REPLY_AFTER)
            reply_to = sms.sender if is_possible_number(sms.sender) else AUTO_SENDER
            text_back = magic.get("reply", "OK")
            self._schedule(reply_at, "sms.reply", {"from": to, "to": reply_to, "text": text_back})
        return sms

    def _schedule(self, due: datetime, kind: str, args: dict[str, Any]) -> None:
        self.store.scheduler.schedule(due, kind, args, owner=self.account.sid)

    def step(self, sid: str, status: str, error: str | None, at: datetime) -> None:
        """A lifecycle step falls due (nothing happens to a finished or unknown SMS)."""
        sms = self.items.get(sid)
        if sms is None or sms.status in FINAL:
            return
        sms.move(status, at, error)
        self.reindex(sms)
        self.account.emit("v2.sms.outbound.updated", sms.to_api(), at=at)

    # -- receiving ----------------------------------------------------------
    def receive(
        self, from_number: str, to_number: str, text: str, *, at: datetime | None = None
    ) -> Sms:
        """An inbound SMS (magic reply, or the control API): delivered at once, and charged
        (``pricing.inbound_sms_price``) whatever the credit: it has arrived.

        As in Callr's sample, it was ``sent`` and ``delivered`` when it arrived, and its one
        transition is ``sent`` → ``delivered``."""
        if not to_number or not is_possible_number(to_number):
            raise InvalidInput(
                f"to: {to_number!r} is not a possible phone number in E.164 form",
                code="invalid-number",
            )
        if not from_number or len(from_number) > 16:
            raise InvalidInput(
                "from: give the sender, an E.164 number or up to 16 characters",
                code="invalid-number",
            )
        if not 1 <= len(text) <= 3200:
            raise InvalidInput("text: must be 1 to 3200 characters", code="invalid-text")
        at = at or self.store.clock.now()
        encoding, body, parts = encode(text)
        sms = Sms(
            sid=self.new_sid(),
            direction="inbound",
            sender=from_number,
            recipient=to_number,
            body=body,
            encoding=encoding,
            parts=parts,
            traffic_type="marketing",
            debit=inbound_sms_price(),
            created=at,
            status="delivered",
            updated=at,
            sent=at,
            delivered=at,
            history=[("sent", at), ("delivered", at)],
        )
        self.insert(sms)
        self.account.credit.debit(sms.debit, at)
        self.account.emit("v2.sms.inbound.received", sms.to_api(), at=at)
        return sms

    # -- reading ------------------------------------------------------------
    def search(
        self,
        *,
        direction: str | None = None,
        sid: str | None = None,
        sender_prefix: str | None = None,
        recipient_prefix: str | None = None,
        text: str | None = None,
        traffic_type: str | None = None,
        status: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        sort: str = "created",
        order: str = "desc",
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        """Filters combine with AND. Sorted by ``sort`` then by creation sequence.

        The tie-breaker makes a page stable: the same query on the same data returns the
        same page. New messages sort first in ``desc`` order (shifting later pages) and
        last in ``asc`` order (earlier pages never move).
        """
        if created_after and created_before and created_after > created_before:
            raise InvalidInput(
                "createdAfter must not be later than createdBefore", code="invalid-range"
            )
        return self.search_page(
            {
                "direction": direction,
                "from": sender_prefix,
                "to": recipient_prefix,
                "text": text,
                "trafficType": traffic_type,
                "status": status,
            },
            since=created_after,
            until=created_before,
            sort=sort,
            order=order,
            offset=offset,
            limit=limit,
            within=None if sid is None else [sms for sms in [self.items.get(sid)] if sms],
        )

    # -- seed ---------------------------------------------------------------
    def load(self, obj: dict[str, Any]) -> Sms:
        def when(value: str | None) -> datetime | None:
            return parse(value) if value else None

        created = parse(obj["created"])
        transitions = obj["statusHistory"]
        if transitions:
            history = [(transitions[0]["before"], created)]
            history += [(step["after"], parse(step["at"])) for step in transitions]
        else:
            history = [(obj["status"], created)]
        sms = Sms(
            sid=obj["sid"],
            direction=obj["direction"],
            sender=obj["from"],
            recipient=obj["to"],
            body=obj["body"]["text"],
            encoding=obj["encoding"],
            parts=obj["parts"],
            traffic_type=obj["trafficType"],
            debit=to_money(obj["cost"]),
            created=created,
            status=obj["status"],
            updated=parse(obj["updated"]),
            sent=when(obj.get("sent")),
            delivered=when(obj.get("delivered")),
            error=obj.get("error") or None,
            payment_type=obj["paymentType"],
            network=obj["network"],
            history=history,
        )
        return self.insert(sms)


@account_job("sms.step")
def _run_step(account: Any, job: Job) -> None:
    args = job.args
    account.sms.step(args["sms"], args["status"], args["error"], job.due)


@account_job("sms.reply")
def _run_reply(account: Any, job: Job) -> None:
    args = job.args
    account.sms.receive(args["from"], args["to"], args["text"], at=job.due)
