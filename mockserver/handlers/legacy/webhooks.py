"""``webhooks.*``: subscriptions (``account.webhooks``). Legacy event type names are mapped
to the v2 types where the meaning is the same (``mapping.WEBHOOK_TYPES``); a v2 type name
is accepted as it is. Only HMAC-SHA256 signatures exist in v2.

A subscription made here receives the *legacy* body (``mapping.legacy_event``: ``event_id``,
``event_at``, ``hook_hash``, ``try``, ``type`` with the legacy name, ``data`` with the legacy
object), with the same ``X-CALLR-EventId`` and ``X-CALLR-HmacSignature`` headers, as the
legacy docs describe (docs.callr.com/webhooks); one made with REST ``POST /webhooks`` keeps
the v2 envelope. The runtime hands the renderer to the delivery service
(``web/frame/runtime.py``), with Callr's legacy ``User-Agent``."""

from __future__ import annotations

from typing import Any

from ...state.events import EVENT_TYPES, Event
from ...state.timefmt import iso
from .core import ALL, Ctx, P, Registry, invalid_params
from .mapping import (
    WEBHOOK_TYPES,
    legacy_event,
    legacy_webhook,
    to_sid,
    webhook_type_in,
)

LEGACY_ENVELOPE = "legacy"
# What Callr's legacy deliveries send (docs.callr.com/webhooks, sample request) [C]
LEGACY_USER_AGENT = "CALLR/API 0.9942"


def render_legacy(event: Event, hook: Any, attempts: int) -> dict[str, Any]:
    """The delivered body of a legacy subscription (envelope style ``"legacy"``)."""
    return legacy_event(
        event.type, event.id, iso(event.timestamp) or "", hook.sid, attempts, event.payload
    )


METHODS = Registry()
OPTIONS = ("hmac_secret", "hmac_algo", "format")


@METHODS.method(
    "webhooks.subscribe", P("type"), P("endpoint"), P("options", "object|null", optional=True)
)
def subscribe(ctx: Ctx, event_type: str, endpoint: str, options: Any) -> dict[str, Any]:
    """Subscribe ``endpoint`` to an event type. ``options``: ``hmac_secret`` (signs the
    deliveries), ``hmac_algo`` (SHA256 only), ``format`` (JSON only)."""
    options = dict(options or {})
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise invalid_params(
            f"webhooks.subscribe: unknown option(s) {', '.join(unknown)} (options: {', '.join(OPTIONS)})"
        )
    if options.get("hmac_algo") not in (None, "SHA256"):
        raise invalid_params(
            f"webhooks.subscribe: options.hmac_algo must be SHA256 (the only signature of REST v2), "
            f"not {options['hmac_algo']!r}"
        )
    if options.get("format") not in (None, "JSON"):
        raise invalid_params(
            f"webhooks.subscribe: options.format must be JSON, not {options['format']!r}"
        )
    v2_type = webhook_type_in(event_type, EVENT_TYPES)
    secret = options.get("hmac_secret")
    body = {"type": v2_type, "endpoint": endpoint, **({"secret": secret} if secret else {})}
    ctx.rest_input("createWebhook", body=body)
    hook = ctx.account.webhooks.create(v2_type, endpoint, secret=secret, envelope=LEGACY_ENVELOPE)
    return legacy_webhook(hook.to_api())


@METHODS.method("webhooks.unsubscribe", P("hash"))
def unsubscribe(ctx: Ctx, hook_hash: str) -> bool:
    ctx.account.webhooks.delete(to_sid(hook_hash, "webhook hash"))
    return True


def _set_enabled(ctx: Ctx, hook_hash: str, enabled: bool) -> bool:
    sid = to_sid(hook_hash, "webhook hash")
    ctx.rest_input("updateWebhook", path={"sid": sid}, body={"enabled": enabled})
    ctx.account.webhooks.update(sid, {"enabled": enabled})
    return True


@METHODS.method("webhooks.enable", P("hash"))
def enable(ctx: Ctx, hook_hash: str) -> bool:
    return _set_enabled(ctx, hook_hash, True)


@METHODS.method("webhooks.disable", P("hash"))
def disable(ctx: Ctx, hook_hash: str) -> bool:
    return _set_enabled(ctx, hook_hash, False)


@METHODS.method("webhooks.get_list")
def get_list(ctx: Ctx) -> list[dict[str, Any]]:
    """Every subscription, newest first (``GET /webhooks/search``, all pages)."""
    return [legacy_webhook(h) for h in ctx.account.webhooks.search(limit=ALL)["hits"]]


@METHODS.method("webhooks.get_event_types")
def get_event_types(ctx: Ctx) -> list[str]:
    """The legacy event type names a subscription can take (each maps to a v2 type, see
    ``webhooks.subscribe``; the three with no v2 meaning are left out), then the v2 names."""
    return sorted(WEBHOOK_TYPES) + sorted(EVENT_TYPES)
