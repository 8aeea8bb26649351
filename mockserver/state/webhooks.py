"""Webhook subscriptions, and the record of every delivery made for them.

A subscription sends each event of one ``v2.*`` type fired on its account to its
``endpoint``. The secret is kept here (to sign deliveries) but never returned: the
API shows ``signed`` instead.

Deliveries are *recorded* here (so they are per account, reset with the account and
shown by the control API); the HTTP POSTs themselves are made by
``callr_mock.services.delivery.WebhookDelivery`` off the request thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..base.errors import ApiError, InvalidInput, NotFound
from .events import EVENT_TYPES, Event
from .index import IndexSpec
from .repo import Owner, Repo
from .timefmt import iso, parse

DELIVERY_LOG_LIMIT = 10_000
"""Deliveries an account's log keeps, at least: past ``DELIVERY_LOG_LIMIT +
DELIVERY_LOG_SLACK``, the oldest finished ones go, at every ``DELIVERY_LOG_SLACK``-th
delivery. Pending ones are never dropped (work to do)."""
DELIVERY_LOG_SLACK = DELIVERY_LOG_LIMIT // 10


# subscriptions per account at most [ours: Callr publishes no limit]; each may get a
# sender thread, and a sandbox open to others must not be made to run thousands
MAX_SUBSCRIPTIONS = 200


@dataclass
class Webhook:
    sid: str
    type: str
    endpoint: str
    created: datetime
    updated: datetime
    enabled: bool = True
    secret: str | None = None
    signed: bool = False
    seq: int = 0
    # Not part of the REST object:
    envelope: str = "v2"  # "legacy": a JSON-RPC webhooks.subscribe subscription (legacy body)
    match: dict[str, Any] | None = None  # an attached notification: payload fields to match
    auth: str | None = None  # "login:password", sent as HTTP Basic (legacy push_*_url_auth)

    def to_api(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "type": self.type,
            "endpoint": self.endpoint,
            "enabled": self.enabled,
            "signed": self.signed,
            "created": iso(self.created),
            "updated": iso(self.updated),
        }


@dataclass
class Attempt:
    """One POST of a delivery. Plain data (str/int/float/None), listed and persisted as is."""

    number: int  # 1 for the first POST of the delivery
    at: str  # sandbox time the answer (or the failure) came, ISO 8601
    target: str  # the URL it went to (a subscription's endpoint can change between attempts)
    status: int | None  # the HTTP status, None when there was no answer
    error: str | None  # why it failed (HTTP status, redirect, refused, timeout...), None if 2XX
    duration_ms: float
    response: str | None = None  # the start of the answer's body (bounded), None if none read

    def to_api(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": self.at,
            "target": self.target,
            "status": self.status,
            "error": self.error,
            "durationMs": self.duration_ms,
            "response": self.response,
        }


@dataclass
class Delivery:
    """One event on its way to one subscription, with every attempt made.

    A *redelivery* (``redelivery_of`` set: the id of the delivery it repeats) sends the same
    event again as a delivery of its own, made of a single attempt (see ``WebhookRepo.redeliver``).
    """

    id: str
    event: Event
    subscription: str
    target: str
    created: datetime
    state: str = "pending"
    history: list[Attempt] = field(default_factory=list)
    last_error: str | None = None
    next_attempt: datetime | None = None
    finished: datetime | None = None
    redelivery_of: str | None = None

    @property
    def attempts(self) -> int:
        return len(self.history)

    def to_dict(self) -> dict[str, Any]:
        last = self.history[-1] if self.history else None
        return {
            "id": self.id,
            "account": self.event.account_sid,
            "eventId": self.event.id,
            "type": self.event.type,
            "subscription": self.subscription,
            "target": self.target,
            "state": self.state,
            "attempts": self.attempts,
            "lastStatus": last.status if last else None,
            "lastError": self.last_error,
            "created": iso(self.created),
            "lastAttemptAt": last.at if last else None,
            "nextAttemptAt": iso(self.next_attempt),
            "finishedAt": iso(self.finished),
            "redeliveryOf": self.redelivery_of,
            "history": [attempt.to_api() for attempt in self.history],
        }


class WebhookOwner(Protocol):
    @property
    def webhooks(self) -> WebhookRepo: ...


def find_delivery(
    accounts: Iterable[WebhookOwner], delivery_id: str
) -> tuple[WebhookRepo, Delivery]:
    """The delivery ``delivery_id`` (ids are unique across accounts) and its account's repo."""
    for account in accounts:
        found = account.webhooks.delivery(delivery_id)
        if found is not None:
            return account.webhooks, found
    raise NotFound(f"no webhook delivery with id {delivery_id!r}")


def check_endpoint(url: str) -> str:
    """An absolute http(s) URL with a host. Loopback and private addresses are allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"endpoint must be an absolute http:// or https:// URL with a host, not {url!r}",
            code="invalid-endpoint",
        )
    if parts.username or parts.password:
        raise InvalidInput(
            "endpoint must not carry credentials (user:password@)", code="invalid-endpoint"
        )
    return url


class WebhookRepo(Repo[Webhook]):
    seed_schema = "Webhook"
    not_found = "no webhook subscription with sid {key!r} on this account"
    private_fields = ("secret", "envelope", "match", "auth")
    private_attrs = ("deliveries", "attached")
    deliveries: list[Delivery]
    attached: dict[str, Webhook]
    index_spec = IndexSpec(
        sorts={"created": lambda h: h.created},
        equal={"type": lambda h: h.type, "enabled": lambda h: h.enabled},
    )

    def __init__(self, account: Owner) -> None:
        super().__init__(account)
        self.deliveries: list[Delivery] = []
        # notifications attached to one object (legacy ``sms.send`` option ``webhook``):
        # delivered like subscriptions, never listed, read or seeded through REST
        self.attached: dict[str, Webhook] = {}

    # -- subscriptions -----------------------------------------------------
    def create(
        self,
        type: str,
        endpoint: str,
        *,
        secret: str | None = None,
        enabled: bool = True,
        envelope: str = "v2",
    ) -> Webhook:
        if type not in EVENT_TYPES:
            raise InvalidInput(f"type {type!r} is not one of the {len(EVENT_TYPES)} v2 event types")
        if len(self.items) >= MAX_SUBSCRIPTIONS:
            raise InvalidInput(
                f"this account has {MAX_SUBSCRIPTIONS} webhook subscriptions, the sandbox's "
                "limit; delete one first",
                code="too-many-webhooks",
            )
        hook = self._new(
            type,
            endpoint,
            enabled=enabled,
            secret=secret or None,
            signed=bool(secret),
            envelope=envelope,
        )
        return self.insert(hook)

    def _new(self, type: str, endpoint: str, **fields: Any) -> Webhook:
        now = self.store.clock.now()
        return Webhook(
            sid=self.new_sid(),
            type=type,
            endpoint=check_endpoint(endpoint),
            created=now,
            updated=now,
            **fields,
        )

    def attach(
        self,
        type: str,
        endpoint: str,
        match: dict[str, Any],
        *,
        envelope: str = "legacy",
        auth: str | None = None,
    ) -> Webhook:
        """A notification of the ``type`` events whose payload has the ``match`` fields."""
        hook = self._new(type, endpoint, envelope=envelope, match=dict(match), auth=auth)
        self.attached[hook.sid] = hook
        return hook

    def hook(self, sid: str) -> Webhook | None:
        """A subscription or an attached notification, by sid."""
        return self.items.get(sid) or self.attached.get(sid)

    def update(self, sid: str, changes: dict[str, Any]) -> Webhook:
        """Apply a PATCH: ``enabled``, ``endpoint``, ``secret`` (null removes it)."""
        hook = self.get(sid)
        if "endpoint" in changes:
            hook.endpoint = check_endpoint(changes["endpoint"])
        if "enabled" in changes:
            hook.enabled = bool(changes["enabled"])
        if "secret" in changes:
            hook.secret = changes["secret"] or None
            hook.signed = hook.secret is not None
        hook.updated = self.store.clock.now()
        self.reindex(hook)
        return hook

    def delete(self, sid: str) -> None:
        hook = self.remove(sid)
        now = self.store.clock.now()
        for delivery in self.deliveries:
            if delivery.subscription == hook.sid and delivery.state == "pending":
                delivery.state = "failed"
                delivery.last_error = "subscription deleted before delivery"
                delivery.next_attempt = None
                delivery.finished = now

    def search(
        self,
        *,
        type: str | None = None,
        enabled: bool | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        return self.search_page(
            {"type": type, "enabled": enabled}, order="desc", offset=offset, limit=limit
        )

    def subscribers(self, event_type: str, payload: dict[str, Any] | None = None) -> list[Webhook]:
        """Enabled subscriptions to ``event_type``, oldest first, then the attached
        notifications whose ``match`` fields the event's ``payload`` has."""
        if not self.items and not self.attached:  # every event asks: most accounts have none
            return []
        hooks = [h for h in self.items.values() if h.enabled and h.type == event_type]
        hooks.sort(key=lambda h: h.seq)  # the few that match, not every subscription
        if payload is not None:
            hooks.extend(
                h
                for h in self.attached.values()
                if h.type == event_type
                and all(payload.get(key) == value for key, value in (h.match or {}).items())
            )
        return hooks

    # -- deliveries --------------------------------------------------------
    def add_delivery(
        self, event: Event, hook: Webhook, *, redelivery_of: str | None = None
    ) -> Delivery:
        delivery = Delivery(
            id=self.store.ids.sid(),
            event=event,
            subscription=hook.sid,
            target=hook.endpoint,
            created=self.store.clock.now(),
            redelivery_of=redelivery_of,
        )
        self.deliveries.append(delivery)
        size = len(self.deliveries)
        if size > DELIVERY_LOG_LIMIT + DELIVERY_LOG_SLACK and size % DELIVERY_LOG_SLACK == 0:
            self._trim()
        return delivery

    def _trim(self) -> None:
        """Drop the oldest finished deliveries down to ``DELIVERY_LOG_LIMIT``, in one pass.
        Called at one addition in ``DELIVERY_LOG_SLACK`` at most, so adding a delivery
        costs the same however long the log. (Trimming at every addition past the limit
        walked the whole log each time, under the store lock; with the log full of
        deliveries pending for dead receivers, a lifecycle step fanned out to many
        subscriptions stalled the sandbox for seconds.)"""
        excess = len(self.deliveries) - DELIVERY_LOG_LIMIT
        kept = []
        for delivery in self.deliveries:
            if excess > 0 and delivery.state != "pending":
                excess -= 1
            else:
                kept.append(delivery)
        self.deliveries = kept

    def delivery(self, delivery_id: str) -> Delivery | None:
        return next((d for d in self.deliveries if d.id == delivery_id), None)

    def redeliver(self, original: Delivery) -> tuple[Delivery, Webhook]:
        """Record a redelivery of ``original`` (one of this account's deliveries): the same
        event, to the same subscription (at its current endpoint, signed with its current
        secret), as a new delivery.

        Refused (409) when the subscription was deleted or is disabled: neither gets events.
        """
        delivery_id = original.id
        hook = self.hook(original.subscription)
        if hook is None:
            raise ApiError(
                f"delivery {delivery_id} was for subscription {original.subscription}, which "
                "was deleted: nothing to send it to",
                code="subscription-deleted",
                status=409,
            )
        if not hook.enabled:
            raise ApiError(
                f"subscription {hook.sid} is disabled: enable it (PATCH /webhooks/{hook.sid} "
                '{"enabled": true}) to redeliver to it',
                code="subscription-disabled",
                status=409,
            )
        return self.add_delivery(original.event, hook, redelivery_of=original.id), hook

    def list_deliveries(
        self,
        *,
        subscription: str | None = None,
        state: str | None = None,
        type: str | None = None,
    ) -> list[dict[str, Any]]:
        return [
            d.to_dict()
            for d in self.deliveries
            if (subscription is None or d.subscription == subscription)
            and (state is None or d.state == state)
            and (type is None or d.event.type == type)
        ]

    # -- seed --------------------------------------------------------------
    def load(self, obj: dict[str, Any]) -> Webhook:
        """Seed a subscription. The API shape has no secret, so a seeded ``signed``
        subscription sends no signature until a secret is set with PATCH."""
        hook = Webhook(
            sid=obj["sid"],
            type=obj["type"],
            endpoint=obj["endpoint"],
            created=parse(obj["created"]),
            updated=parse(obj["updated"]),
            enabled=obj["enabled"],
            signed=obj["signed"],
        )
        return self.insert(hook)
