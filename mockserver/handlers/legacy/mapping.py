"""The documented JSON-RPC ↔ REST v2 mapping, as pure functions over the REST objects.

Every legacy object is built from the REST object (``to_api()``) of the same state, so
the two APIs can never disagree about anything but the mapping itself. The rules, from
the migration guide (``[C]``) or ours (``[S]``, a sandbox decision):

- ``hash`` = REST ``sid`` in upper case; a hash given to a method is lower-cased [C].
- Dates: REST RFC 3339 with milliseconds ↔ legacy ``YYYY-MM-DD HH:MM:SS`` in UTC. The
  legacy form drops the milliseconds; inputs may carry ``.sss`` [C, format of the brief].
- Enums: REST lower case with hyphens ↔ legacy upper case with underscores
  (``remote-queued`` ↔ ``REMOTE_QUEUED``) [C]. Exceptions: SMS ``delivered`` ↔
  ``RECEIVED`` (the legacy name [C-legacy]), SMS direction ``inbound``/``outbound`` ↔
  ``IN``/``OUT`` [C-legacy], script format ``yaml`` ↔ ``YAML`` [C-legacy].
- Numbers (DIDs) carry a legacy hash; REST addresses them by E.164 [C]. The sandbox
  derives the hash from the number: the first 8 characters of base32(SHA-256("did:" +
  E.164)), upper case, so it is stable and identical before and after a purchase [S].
- Area code ids no longer exist in REST [C]: the sandbox gives each catalogue prefix the
  id made of its digits (``+331`` → ``331``) [S].
- Media library items are audio files [C]; the legacy media ``id`` (an integer
  [C-legacy]) is the sid read as a base-36 number, ``int(sid, 36)`` [S]. Tags are
  accepted and ignored (REST v2 has none [C]).
- Webhook event types: legacy names map to the v2 names where the meaning is the same
  (:data:`WEBHOOK_TYPES`) [S].

Nothing here imports Flask or touches the store.
"""

from __future__ import annotations

import base64
import hashlib
import re
import string
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import phonenumbers

from ...state.events import LEGACY_EVENT_TYPES, UNMAPPED_LEGACY_EVENT_TYPES
from ...state.money import fmt
from ...state.timefmt import iso, parse


class BadValue(ValueError):
    """A legacy input that cannot be mapped (answered as JSON-RPC invalid params)."""


# -- hashes and ids -------------------------------------------------------------------------
HASH_PATTERN = re.compile(r"^[A-Za-z0-9]{8}$")
BASE36 = string.digits + string.ascii_lowercase
SID_LENGTH = 8
MAX_MEDIA_ID = 36**SID_LENGTH - 1


def to_hash(sid: str | None) -> str | None:
    """REST sid → legacy hash (upper case)."""
    return sid.upper() if sid is not None else None


def to_sid(value: Any, what: str = "hash") -> str:
    """Legacy hash → REST sid (lower case); ``BadValue`` unless 8 letters/digits."""
    if not isinstance(value, str) or not HASH_PATTERN.match(value):
        raise BadValue(f"{what} must be 8 letters or digits (a legacy hash), not {value!r}")
    return value.lower()


def media_id(sid: str) -> int:
    """The legacy integer id of an audio file: its sid read in base 36."""
    return int(sid, 36)


def media_sid(value: Any, what: str = "media id") -> str:
    """Legacy media id (integer) or hash (string) → REST sid."""
    if isinstance(value, bool):
        raise BadValue(f"{what} must be an integer id or a hash, not {value!r}")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int):
        if not 0 <= value <= MAX_MEDIA_ID:
            raise BadValue(f"{what} {value} is out of range (0..{MAX_MEDIA_ID})")
        digits = []
        for _ in range(SID_LENGTH):
            value, remainder = divmod(value, 36)
            digits.append(BASE36[remainder])
        return "".join(reversed(digits))
    return to_sid(value, what)


def number_hash(e164: str) -> str:
    """The legacy DID hash of a number (derived, stable)."""
    digest = hashlib.sha256(f"did:{e164}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:SID_LENGTH]


def local_number(e164: str) -> str:
    """The national format of a number (``01 99 00 12 34``), or the number itself."""
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def area_code_id(prefix: str) -> int:
    """The legacy area code id of a catalogue prefix: its digits (``+331`` → 331)."""
    return int(prefix.lstrip("+"))


def area_prefix(value: Any) -> str:
    """Legacy area code id → catalogue prefix (``331`` → ``+331``)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise BadValue(
            f"area_code_id must be 0 (any area) or a positive integer from did/areacode.get_list, not {value!r}"
        )
    return f"+{value}"


# -- dates ----------------------------------------------------------------------------------
LEGACY_DATE = "%Y-%m-%d %H:%M:%S"
_LEGACY_INPUT = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?$")


def legacy_date(value: str | datetime | None) -> str | None:
    """RFC 3339 (or a datetime) → ``YYYY-MM-DD HH:MM:SS`` UTC; ``None`` stays ``None``."""
    if value is None:
        return None
    moment = parse(value) if isinstance(value, str) else value.astimezone(UTC)
    return moment.strftime(LEGACY_DATE)


def parse_legacy_date(value: Any, what: str = "date") -> datetime:
    """``YYYY-MM-DD HH:MM:SS[.sss]`` (UTC) → aware datetime; ``BadValue`` otherwise."""
    match = _LEGACY_INPUT.match(value) if isinstance(value, str) else None
    if match is None:
        raise BadValue(f"{what} must be a UTC date 'YYYY-MM-DD HH:MM:SS', not {value!r}")
    try:
        moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}{match.group(3) or ''}")
    except ValueError:
        raise BadValue(f"{what} {value!r} is not a real date") from None
    return moment.replace(tzinfo=UTC)


def rest_date(value: Any, what: str = "date") -> str:
    """A legacy date input as the RFC 3339 text REST takes."""
    return iso(parse_legacy_date(value, what)) or ""


# -- enums ------------------------------------------------------------------------------------
SMS_STATUS_OUT = {"delivered": "RECEIVED"}
SMS_DIRECTION = {"inbound": "IN", "outbound": "OUT"}


def enum_out(value: str | None, exceptions: dict[str, str] | None = None) -> str | None:
    """REST enum → legacy (``remote-queued`` → ``REMOTE_QUEUED``)."""
    if value is None:
        return None
    if exceptions and value in exceptions:
        return exceptions[value]
    return value.upper().replace("-", "_")


def enum_in(
    value: Any,
    allowed: tuple[str, ...] | list[str],
    what: str,
    exceptions: dict[str, str] | None = None,
) -> str:
    """Legacy enum → REST, checked against the REST values; ``BadValue`` otherwise."""
    reverse = {legacy: rest for rest, legacy in (exceptions or {}).items()}
    choices = [enum_out(v, exceptions) for v in allowed]
    if isinstance(value, str):
        if value in reverse:
            return reverse[value]
        candidate = value.lower().replace("_", "-")
        if value == value.upper() and candidate in allowed and candidate not in (exceptions or {}):
            return candidate
    raise BadValue(f"{what} must be one of {', '.join(str(c) for c in choices)}, not {value!r}")


# -- webhook event types ------------------------------------------------------------------
WEBHOOK_TYPES = LEGACY_EVENT_TYPES
LEGACY_WEBHOOK_TYPES = {v2: legacy for legacy, v2 in WEBHOOK_TYPES.items()}
UNMAPPED_WEBHOOK_TYPES = UNMAPPED_LEGACY_EVENT_TYPES


def webhook_type_in(value: Any, known_v2: tuple[str, ...]) -> str:
    """Legacy (or v2) event type name → the v2 type; ``BadValue`` when there is none."""
    if isinstance(value, str):
        if value in WEBHOOK_TYPES:
            return WEBHOOK_TYPES[value]
        if value in known_v2:
            return value
        if value in UNMAPPED_WEBHOOK_TYPES:
            raise BadValue(
                f"webhook type {value!r} has no REST v2 equivalent: {UNMAPPED_WEBHOOK_TYPES[value]}"
            )
    known = ", ".join(sorted(WEBHOOK_TYPES))
    raise BadValue(f"webhook type must be one of {known} (or a v2.* type), not {value!r}")


def webhook_type_out(v2_type: str) -> str:
    """The legacy name of a v2 event type, or the v2 name when there is no legacy one."""
    return LEGACY_WEBHOOK_TYPES.get(v2_type, v2_type)


# -- objects: REST (to_api) → legacy ------------------------------------------------------------
def search_envelope(rest_page: dict[str, Any], hits: list[Any]) -> dict[str, Any]:
    """REST ``{offset,total,hasMore,hits}`` → legacy ``{hits,total,offset,has_more}``."""
    return {
        "hits": hits,
        "total": rest_page["total"],
        "offset": rest_page["offset"],
        "has_more": rest_page["hasMore"],
    }


def page_envelope(items: list[Any], offset: int, limit: int) -> dict[str, Any]:
    """A legacy search envelope over an already filtered and sorted list."""
    window = items[offset : offset + limit]
    return {
        "hits": window,
        "total": len(items),
        "offset": offset,
        "has_more": offset + len(window) < len(items),
    }


def legacy_sms(sms: dict[str, Any]) -> dict[str, Any]:
    return {
        "hash": to_hash(sms["sid"]),
        "type": SMS_DIRECTION[sms["direction"]],
        "from": sms["from"],
        "to": sms["to"],
        "text": sms["body"]["text"],
        "options": {
            "force_encoding": enum_out(sms["encoding"]),
            "nature": enum_out(sms["trafficType"]),
        },
        "status": enum_out(sms["status"], SMS_STATUS_OUT),
        "status_error": sms["error"] or None,
        "parts": sms["parts"],
        "b_customer_mode": enum_out(sms["paymentType"]),
        "b_customer_debit": sms["cost"],
        "date_creation": legacy_date(sms["created"]),
        "date_update": legacy_date(sms["updated"]),
        "date_sent": legacy_date(sms.get("sent")),
        "date_received": legacy_date(sms.get("delivered")),
    }


def package_of(name: str) -> dict[str, str]:
    """A legacy app package: its name and type. The type values are not documented; the
    sandbox gives the name without its version (``ACTIONS10`` → ``ACTIONS``) [S]."""
    return {"name": name, "type": name.rstrip(string.digits)}


def app_summary(sid: str, name: str, package: str = "ACTIONS10") -> dict[str, Any]:
    """The ``app`` of a legacy DID: ``{hash, name, package: {name, type}}`` (Callr's own
    TypeScript ``Number`` type, actions-nodejs-typescript ``src/callr.ts``) [C-legacy]."""
    return {"hash": to_hash(sid), "name": name, "package": package_of(package)}


def legacy_did(number: dict[str, Any], app: dict[str, Any] | None = None) -> dict[str, Any]:
    """A REST Number (or a scenario's AssignedNumber) as a legacy DID.

    ``app`` is the assigned app (:func:`app_summary`), ``None`` when unassigned.
    """
    did: dict[str, Any] = {
        "hash": number_hash(number["e164"]),
        "intl_number": number["e164"],
        "local_number": local_number(number["e164"]),
        "country_code": number["country"],
        "class": enum_out(number["class"]),
        "type": enum_out(number["type"]),
        "app": app,
        "assigned_at": legacy_date(number.get("assigned")) if app is not None else None,
    }
    if "autoRenew" in number:
        did["contract_auto_renew"] = number["autoRenew"]
    return did


ACTIONS_PACKAGE = "ACTIONS10"
LEGACY_ONLY_PACKAGES = ("CALLTRACKING10", "CLICKTOCALL10", "REALTIME10")


def legacy_app(scenario: dict[str, Any]) -> dict[str, Any]:
    """A REST Scenario as a legacy ``ACTIONS10`` App."""
    summary = app_summary(scenario["sid"], scenario["name"], ACTIONS_PACKAGE)
    return {
        "hash": summary["hash"],
        "name": scenario["name"],
        "package": {**summary["package"], "has_did": True},
        "p": {"format": enum_out(scenario["format"]), "script": scenario["script"]},
        "did": [legacy_did(n, summary) for n in scenario["numbers"]],
        "date_creation": legacy_date(scenario["created"]),
        "date_update": legacy_date(scenario["updated"]),
    }


def legacy_job(task: dict[str, Any]) -> dict[str, Any]:
    """A REST Task as a legacy Job (``result`` and ``error`` are passed through)."""
    return {
        "hash": to_hash(task["sid"]),
        "type": enum_out(task["type"]),
        "status": enum_out(task["status"]),
        "progress": task["progress"],
        "result": task["result"],
        "error": task["error"],
        "date_creation": legacy_date(task["created"]),
        "date_update": legacy_date(task["updated"]),
    }


def legacy_media(audio: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    """A REST AudioFile as a legacy Media.Library item.

    Fields as Callr's clients read them: sdk-dotnet ``Objects/Media/MediaLibrary.cs``
    (``id, hash, name, content, duration, voice, status, language, category, tags, url,
    is_editable``) and examples-nodejs ``scripts/media.js`` (``id, name, content, voice,
    source``). ``content`` is the text prompt given to ``media/library.set_content``
    ("Media text content if provided"), else null. What REST v2 dropped is empty, never
    guessed: ``voice`` null (no text-to-speech in REST v2), ``source`` null (how the media
    was made; Callr's values are undocumented), ``language``/``category``/``tags`` empty
    (tags are gone), ``url`` null (no MP3 URL on an audio file); ``is_editable`` true (the
    account's own media).
    """
    duration = audio.get("duration")
    return {
        "id": media_id(audio["sid"]),
        "hash": to_hash(audio["sid"]),
        "name": audio["name"],
        "content": content,
        "status": enum_out(audio["status"]),
        "duration": round(duration) if duration is not None else None,
        "voice": None,
        "source": None,
        "language": [],
        "category": [],
        "tags": {},
        "url": None,
        "is_editable": True,
        "date_creation": legacy_date(audio["created"]),
        "date_update": legacy_date(audio["updated"]),
    }


def legacy_recording(recording: dict[str, Any]) -> dict[str, Any]:
    """A REST Recording as a legacy Media.Recording."""
    return {
        "hash": to_hash(recording["sid"]),
        "callid": recording["callid"],
        "did_hash": number_hash(recording["number"]),
        "did_intl_number": recording["number"],
        "cli_number": recording["callerNumber"],
        "duration": recording["duration"],
        "read": recording["read"],
        "date_read": legacy_date(recording.get("readAt")),
        "status": enum_out(recording["status"]),
        "url": recording["url"],
        "file_size_total": recording["size"],
        "date": legacy_date(recording["created"]),
    }


def legacy_webhook(hook: dict[str, Any]) -> dict[str, Any]:
    """A REST Webhook as a legacy Webhook (the secret is never shown)."""
    return {
        "hash": to_hash(hook["sid"]),
        "type": webhook_type_out(hook["type"]),
        "endpoint": hook["endpoint"],
        "options": {"hmac_algo": "SHA256" if hook["signed"] else None, "format": "JSON"},
        "active": hook["enabled"],
        "date_creation": legacy_date(hook["created"]),
        "date_update": legacy_date(hook["updated"]),
    }


def _store_item(number: dict[str, Any]) -> dict[str, Any]:
    return {
        "hash": number_hash(number["e164"]),
        "intl_number": number["e164"],
        "local_number": local_number(number["e164"]),
    }


def _cost(price: dict[str, Any], quantity: int, debit: str) -> dict[str, Any]:
    return {
        "amount_unit": price["currency"],
        "quantity": quantity,
        "quantity_paying": quantity,
        "discount_percent": 0,
        "first_month_remaining_days": 0,
        "amount_assignment": fmt(Decimal(price["setup"]) * quantity),
        "amount_first_month": fmt(Decimal(price["monthly"]) * quantity),
        "amount_per_month": fmt(Decimal(price["monthly"]) * quantity),
        "amount_prepaid_debit": debit,
    }


CONTRACT = {"billing_mode": "PREPAID", "duration_month": 1, "end_date": None}


def legacy_reservation(reservation: dict[str, Any]) -> dict[str, Any]:
    """A REST Reservation as a legacy DID.Store.Reservation."""
    price = reservation["price"]
    return {
        "token": reservation["token"],
        "expire": legacy_date(reservation["expires"]),
        "items": [_store_item(n) for n in reservation["numbers"]],
        "cost": _cost(price, reservation["quantity"], price["total"]),
        "contract": dict(CONTRACT),
    }


def legacy_quote(price: dict[str, Any]) -> dict[str, Any]:
    """A price (``Price`` plus ``quantity``) as a legacy ``DID.Store.Quote``: the ``cost``
    and ``contract`` of a reservation, without token nor numbers [S]."""
    return {"cost": _cost(price, price["quantity"], price["total"]), "contract": dict(CONTRACT)}


def legacy_order(order: dict[str, Any]) -> dict[str, Any]:
    """A REST Order as a legacy DID.Store.BuyStatus."""
    price = order["price"]
    return {
        "success": [_store_item(n) for n in order["numbers"]],
        "cost": _cost(price, len(order["numbers"]), order["debited"]),
        "contract": dict(CONTRACT),
        "customer_debit": order["debited"],
    }


def legacy_country(country: dict[str, Any]) -> dict[str, Any]:
    return {"code": country["country"], "name": country["name"], "prefix": country["callingCode"]}


def legacy_number_type(item: dict[str, Any]) -> dict[str, Any]:
    return {"code": enum_out(item["type"]), "name": item["name"]}


def legacy_area_code(prefix: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": area_code_id(prefix["prefix"]),
        "country_code": prefix["country"],
        "type": enum_out(prefix["type"]),
        "prefix": prefix["prefix"],
        "name": prefix["name"],
    }


def legacy_destination(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": row["label"],
        "country_code": row["country"],
        "type": enum_out(row["type"]),
        "class": enum_out(row["class"]),
        "price": row["price"],
        "unit": enum_out(row["unit"]),
        "currency": row["currency"],
    }


DIALSTATUS = {"answered": "ANSWER", "missed": "NOANSWER", "failed": "CHANUNAVAIL"}


def _cents(amount: str) -> str:
    """Legacy CDR amounts are cents with 2 decimals (``"1000.00"`` = 10 EUR) [C-legacy]."""
    return f"{Decimal(amount) * 100:.2f}"


def legacy_cdr(record: dict[str, Any]) -> dict[str, Any]:
    """A REST CallRecord as a legacy ``CDR.In`` / ``CDR.Out`` (sdk-dotnet ``Objects/Cdr``
    field names; ``dialstatus`` values are Asterisk's [S])."""
    cdr: dict[str, Any] = {
        "callid": record["callid"],
        "cli_number": record["callerNumber"],
        "cli_name": record["callerName"],
        "start": legacy_date(record["started"]),
        "answer": legacy_date(record.get("answered")),
        "hangup": legacy_date(record.get("ended")),
        "hangupsource": enum_out(record.get("hangupSource")),
        "hangupcause": record.get("hangupCause"),
        "duration": record["durationTotal"],
        "duration_answered": record["durationAnswered"],
        "duration_billed": record["durationBilled"],
        "billing_customer_cost_label": record["billingDestinationLabel"],
        "billing_customer_debit_eur": _cents(record["billingDebit"]),
        "billing_customer_credit_eur": _cents(record["billingCredit"]),
    }
    if record["direction"] == "inbound":
        cdr["did_intl_number"] = record["callee"]
        cdr["did_hash"] = number_hash(record["callee"])
    else:
        cdr["number"] = record["callee"]
        cdr["dialstatus"] = DIALSTATUS.get(record["status"])
    return cdr


def legacy_credit(credit: dict[str, Any]) -> dict[str, Any]:
    """A REST Credit as the data of a legacy ``billing.credit*`` event (field names [S])."""
    return {
        "balance": credit["balance"],
        "currency": credit["currency"],
        "warning_level": credit["warningLevel"],
        "shutdown_level": credit["shutdownLevel"],
    }


def _event_data(v2_type: str, payload: dict[str, Any]) -> Any:
    family = v2_type.split(".")[1]
    if family == "sms":
        return legacy_sms(payload)
    if family == "task":
        return legacy_job(payload)
    if family == "audio-file":
        return legacy_media(payload)
    if family == "recording":
        return legacy_recording(payload)
    if family == "call":
        return legacy_cdr(payload)
    if family == "billing":
        return legacy_credit(payload)
    if family == "number":
        scenario = payload.get("scenario")
        return legacy_did(payload, {"hash": to_hash(scenario)} if scenario else None)
    return payload


def legacy_event(
    v2_type: str,
    event_id: str,
    at: str,
    hook_sid: str | None,
    attempts: int,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """The legacy webhook body ``Webhook.Event`` (docs.callr.com/webhooks; research notes
    audio-recordings-webhooks.md §5.4): ``event_id``, ``event_at`` (ISO 8601 with
    milliseconds), ``hook_hash``, ``try`` (0 on the first attempt), ``type`` (the legacy
    name) and ``data`` (the legacy object)."""
    return {
        "event_id": event_id,
        "event_at": at,
        "hook_hash": to_hash(hook_sid),
        "try": attempts,
        "type": webhook_type_out(v2_type),
        "data": _event_data(v2_type, payload),
    }
