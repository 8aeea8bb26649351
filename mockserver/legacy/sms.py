"""``sms.*``: send, get, search, on the account's SMS repository (``account.sms``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from callr_mock.legacy.core import Ctx, P, Registry, filters_of, invalid_params, paging
from callr_mock.legacy.mapping import (
    SMS_DIRECTION,
    SMS_STATUS_OUT,
    enum_in,
    legacy_sms,
    parse_legacy_date,
    search_envelope,
    to_hash,
    to_sid,
)
from callr_mock.state.sms import STATUSES

METHODS = Registry()
OPTIONS = ("force_encoding", "nature", "user_data", "flash_message")


@METHODS.method(
    "sms.send",
    P("from", "string|null"),
    P("to"),
    P("text"),
    P("options", "object|null", optional=True),
)
def send(ctx: Ctx, sender: str | None, to: str, text: str, options: dict[str, Any] | None) -> str:
    """Send an SMS; returns its hash. ``options``: ``force_encoding`` (GSM, UNICODE),
    ``nature`` (MARKETING, ALERTING); ``user_data`` and ``flash_message`` are accepted and
    ignored (REST v2 has neither)."""
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
    query = ctx.rest_input(
        "sendSms",
        query={"to": to, "from": sender, "encoding": encoding, "trafficType": nature},
        body={"text": text},
    )
    sms = ctx.account.sms.send(
        to, text, sender_id=sender, encoding=encoding, traffic_type=query["trafficType"]
    )
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
