"""``sms.*``: send, get, search, on the account's SMS repository (``account.sms``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...state.sms import STATUSES
from ...state.webhooks import check_endpoint
from .core import ALL, Ctx, P, Registry, filters_of, invalid_params, paging
from .mapping import (
    SMS_DIRECTION,
    SMS_STATUS_OUT,
    BadValue,
    enum_in,
    legacy_sms,
    parse_legacy_date,
    search_envelope,
    to_hash,
    to_sid,
)
from .state import legacy_state
from .webhooks import LEGACY_ENVELOPE

METHODS = Registry()
PUSH_OPTIONS = (
    "push_dlr_enabled",
    "push_dlr_url",
    "push_dlr_url_auth",
    "push_mo_enabled",
    "push_mo_url",
    "push_mo_url_auth",
)
OPTIONS = ("force_encoding", "nature", "user_data", "flash_message", "webhook", *PUSH_OPTIONS)
DLR_TYPE, MO_TYPE = "v2.sms.outbound.updated", "v2.sms.inbound.received"


def _enabled(options: dict[str, Any], name: str) -> bool:
    """``push_*_enabled``: a boolean; the Go SDK README passes the string "42", so a
    non-empty string other than "false"/"0" counts as true."""
    value = options.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0")
    raise invalid_params(f"sms.send: options.{name} must be true or false, not {value!r}")


def _text_option(options: dict[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid_params(f"sms.send: options.{name} must be a string, not {value!r}")
    return value


def _notifications(options: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """``(v2 type, endpoint, basic auth)`` of the notifications an SMS asks for: ``webhook:
    {endpoint}`` (sdk-nodejs README: delivery notifications, and replies when there is no
    sender) and ``push_dlr_*`` / ``push_mo_*`` (sdk-python/php/go/ruby READMEs)."""
    wanted: list[tuple[str, str, str | None]] = []
    webhook = options.get("webhook")
    if webhook is not None:
        if not isinstance(webhook, dict) or not isinstance(webhook.get("endpoint"), str):
            raise invalid_params(
                f"sms.send: options.webhook must be an object {{endpoint: URL}}, not {webhook!r}"
            )
        unknown = sorted(set(webhook) - {"endpoint"})
        if unknown:
            raise invalid_params(
                f"sms.send: unknown options.webhook field(s) {', '.join(unknown)} (fields: endpoint)"
            )
        wanted += [(DLR_TYPE, webhook["endpoint"], None), (MO_TYPE, webhook["endpoint"], None)]
    for kind, v2_type in (("dlr", DLR_TYPE), ("mo", MO_TYPE)):
        url = _text_option(options, f"push_{kind}_url")
        auth = _text_option(options, f"push_{kind}_url_auth")
        if _enabled(options, f"push_{kind}_enabled"):
            if not url:
                raise invalid_params(
                    f"sms.send: options.push_{kind}_enabled needs options.push_{kind}_url"
                )
            if auth is not None and ":" not in auth:
                raise invalid_params(
                    f"sms.send: options.push_{kind}_url_auth must be 'login:password'"
                )
            wanted.append((v2_type, url, auth))
    return wanted


@METHODS.method(
    "sms.send",
    P("from", "string|null"),
    P("to"),
    P("text"),
    P("options", "object|null", optional=True),
)
def send(ctx: Ctx, sender: str | None, to: str, text: str, options: dict[str, Any] | None) -> str:
    """Send an SMS; returns its hash. ``options``: ``force_encoding`` (GSM, UNICODE),
    ``nature`` (MARKETING, ALERTING); ``webhook: {endpoint}`` and ``push_dlr_*`` notify the
    endpoint of this SMS's status changes (``sms.mt.status_update``, legacy body), and
    ``webhook`` and ``push_mo_*`` of the replies from its recipient (``sms.mo``);
    ``user_data`` and ``flash_message`` are accepted and ignored (REST v2 has neither)."""
    options = dict(options or {})
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise invalid_params(
            f"sms.send: unknown option(s) {', '.join(unknown)} (options: {', '.join(OPTIONS)})"
        )
    encoding = options.get("force_encoding")
    if encoding is not None:
        encoding = enum_in(encoding, ("gsm", "unicode"), "options.force_encoding")
    nature = options.get("nature")
    if nature is not None:
        nature = enum_in(nature, ("marketing", "alerting"), "options.nature")
    notifications = _notifications(options)
    for _, endpoint, _ in notifications:
        check_endpoint(endpoint)  # refused before anything is sent
    query = ctx.rest_input(
        "sendSms",
        query={"to": to, "from": sender, "encoding": encoding, "trafficType": nature},
        body={"text": text},
    )
    sms = ctx.account.sms.send(
        to, text, sender_id=sender, encoding=encoding, traffic_type=query["trafficType"]
    )
    api = sms.to_api()
    for v2_type, endpoint, auth in notifications:
        match = {"sid": api["sid"]} if v2_type == DLR_TYPE else {"from": api["to"]}
        ctx.account.webhooks.attach(v2_type, endpoint, match, envelope=LEGACY_ENVELOPE, auth=auth)
    return str(to_hash(sms.sid))


@METHODS.method("sms.get", P("hash"))
def get(ctx: Ctx, sms_hash: str) -> dict[str, Any]:
    """The legacy SMS object of ``hash`` (``GET /sms/{sid}``)."""
    return legacy_sms(ctx.account.sms.get(to_sid(sms_hash)).to_api())


FILTERS = ("type", "status", "from", "to", "text", "nature", "date_from", "date_to")


@METHODS.method(
    "sms.search",
    P("filters", "object|null", optional=True),
    P("options", "object|null", optional=True),
)
def search(ctx: Ctx, filters: dict[str, Any] | None, options: dict[str, Any] | None) -> Any:
    """Search SMS (newest first). ``filters``: ``type`` IN/OUT, ``status`` (legacy),
    ``from``/``to`` (start of the sender/recipient), ``text`` (part of the body),
    ``nature``, ``date_from``/``date_to`` (inclusive, legacy dates). ``options``:
    ``offset``, ``limit`` (1..100, default 50), ``order`` ASC/DESC."""
    found = filters_of(ctx, filters, FILTERS)
    offset, limit, order = paging(ctx, options)
    direction = found.get("type")
    if direction is not None:
        direction = enum_in(direction, ("inbound", "outbound"), "filters.type", SMS_DIRECTION)
    status = found.get("status")
    if status is not None:
        status = enum_in(status, STATUSES, "filters.status", SMS_STATUS_OUT)
    nature = found.get("nature")
    if nature is not None:
        nature = enum_in(nature, ("marketing", "alerting"), "filters.nature")
    after = (
        parse_legacy_date(found["date_from"], "filters.date_from") if "date_from" in found else None
    )
    before = None
    if "date_to" in found:  # inclusive to the end of that second
        before = parse_legacy_date(found["date_to"], "filters.date_to") + timedelta(
            milliseconds=999
        )
    ctx.rest_input(
        "searchSms",
        query={
            "from": found.get("from"),
            "to": found.get("to"),
            "text": found.get("text"),
            "offset": offset,
            "limit": limit,
        },
    )
    result = ctx.account.sms.search(
        direction=direction,
        sender_prefix=found.get("from"),
        recipient_prefix=found.get("to"),
        text=found.get("text"),
        traffic_type=nature,
        status=status,
        created_after=after,
        created_before=before,
        order=order,
        offset=offset,
        limit=limit,
    )
    return search_envelope(result, [legacy_sms(hit) for hit in result["hits"]])


@METHODS.method("sms.get_list", P("type"), P("from"), P("to"))
def get_list(ctx: Ctx, direction: str, date_from: str, date_to: str) -> list[dict[str, Any]]:
    """Every inbound (``IN``) or outbound (``OUT``) SMS created from ``from`` to ``to``
    (legacy dates, inclusive), oldest first (sdk-dotnet ``SmsService.GetInList``)."""
    wanted = enum_in(direction, ("inbound", "outbound"), "type", SMS_DIRECTION)
    after = parse_legacy_date(date_from, "from")
    before = parse_legacy_date(date_to, "to") + timedelta(milliseconds=999)
    if before < after:
        raise BadValue("to must not be before from")
    result = ctx.account.sms.search(
        direction=wanted, created_after=after, created_before=before, order="asc", limit=ALL
    )
    return [legacy_sms(hit) for hit in result["hits"]]


# -- account-wide settings (push URLs) ---------------------------------------------------------
SETTINGS = {"dlr": DLR_TYPE, "mo": MO_TYPE}


def _settings(ctx: Ctx) -> dict[str, Any]:
    state = legacy_state(ctx.account)
    found: dict[str, Any] = {}
    for kind in SETTINGS:
        hook = ctx.account.webhooks.items.get(state.sms_settings.get(kind, ""))
        found[f"push_{kind}_enabled"] = hook is not None and hook.enabled
        found[f"push_{kind}_url"] = hook.endpoint if hook is not None else None
        found[f"push_{kind}_url_auth"] = hook.auth if hook is not None else None
    return found


@METHODS.method("sms.get_settings")
def get_settings(ctx: Ctx) -> dict[str, Any]:
    """The account's SMS push settings (sdk READMEs, "SMS Global Settings"): REST v2 keeps
    them as webhook subscriptions, so ``push_dlr_*`` is the subscription to
    ``v2.sms.outbound.updated`` made by ``sms.set_settings`` and ``push_mo_*`` the one to
    ``v2.sms.inbound.received`` (``GET /webhooks/search`` lists them)."""
    return _settings(ctx)


@METHODS.method("sms.set_settings", P("settings", "object"))
def set_settings(ctx: Ctx, settings: dict[str, Any]) -> dict[str, Any]:
    """Change the push settings given (others stay); returns them all. Enabling a push URL
    subscribes it (``POST /webhooks``, legacy body, ``push_*_url_auth`` sent as HTTP Basic);
    disabling disables the subscription (``PATCH /webhooks/{sid}``)."""
    unknown = sorted(set(settings) - set(PUSH_OPTIONS))
    if unknown:
        raise invalid_params(
            f"sms.set_settings: unknown setting(s) {', '.join(unknown)} "
            f"(settings: {', '.join(PUSH_OPTIONS)})"
        )
    state = legacy_state(ctx.account)
    current = _settings(ctx)
    merged = {**current, **settings}
    for kind, v2_type in SETTINGS.items():
        if not any(key.startswith(f"push_{kind}_") for key in settings):
            continue
        enabled = _enabled(merged, f"push_{kind}_enabled")
        url = _text_option(merged, f"push_{kind}_url")
        auth = _text_option(merged, f"push_{kind}_url_auth")
        hook = ctx.account.webhooks.items.get(state.sms_settings.get(kind, ""))  # None if deleted
        if enabled and not url:
            raise invalid_params(f"sms.set_settings: push_{kind}_enabled needs push_{kind}_url")
        if url:
            ctx.rest_input("createWebhook", body={"type": v2_type, "endpoint": url})
        if hook is None:
            if not url:
                continue
            hook = ctx.account.webhooks.create(
                v2_type, url, enabled=enabled, envelope=LEGACY_ENVELOPE
            )
            state.sms_settings[kind] = hook.sid
        else:
            ctx.account.webhooks.update(
                hook.sid, {"enabled": enabled, **({"endpoint": url} if url else {})}
            )
        hook.auth = auth
    return _settings(ctx)
