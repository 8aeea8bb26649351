"""Legacy-only SENDR: the simple broadcast, address books and campaigns (``sendr/10/*``).

REST v2 has no campaigns (``rosetta``: run a Callr Actions scenario per target instead);
Callr serves them until 30 June 2027 and its example programs (examples-nodejs
``scripts/address.js``, ``scripts/campaign.js``; examples-php ``campaign-sendr``) drive
them, so the sandbox answers them on the shared state:

- an address book is filled from a CSV file imported with
  ``media.import_file_from_base64_async`` (``addressbook.append_file_async``: the column
  of the phone numbers, 0-based, and the country of national numbers);
- a campaign is the object of ``campaign.get_object_template`` filled in and saved;
  ``campaign.check`` lists what is wrong with one (``[]`` when nothing);
- ``campaign.start`` reaches every contact of its address book at once: an outbound call
  per contact for the ``VOICE_*`` types (``voice.place_call``: call records, webhooks,
  debits), an SMS per contact for ``SMS_SIMPLE`` (``account.sms``, seen by REST). Its
  ``status.state`` is then ``RUNNING`` until the last call ends on the sandbox clock, then
  ``FINISHED``; ``pause``/``stop`` only change the state of a campaign not yet finished.

The object shapes beyond the fields those programs read (``hash``, ``name``, ``type``,
``status.state``, ``ivr.*``, ``addressbook.hash``, ``items_count``, ``imported_at``, the
``hits``/``total`` of a search) are not documented anywhere we could read [I].
"""

from __future__ import annotations

import copy
import csv
import io
from datetime import datetime
from typing import Any

import phonenumbers

from ...base.errors import ApiError
from ...state.phone import is_possible_number
from . import voice
from .core import Ctx, P, Registry, paging
from .jobs import legacy_only_job
from .mapping import BadValue, legacy_date, to_hash, to_sid
from .media import imported_file
from .state import legacy_state
from .voice import MESSAGE_SECONDS, place_call

METHODS = Registry()
BOOKS = "addressbooks"
CAMPAIGNS = "campaigns"
CAMPAIGN_TYPES = ("VOICE_SIMPLE", "VOICE_IVR", "SMS_SIMPLE")
IVR_ACTIONS = ("BRIDGE", "REPEAT", "HANGUP", "NONE")
SMS_SENDER = "SMS"


METHODS.alias(
    "sendr/simple.broadcast_1",
    voice.METHODS["calls.broadcast_1"],
    "Call a target and play messages (SENDR's name of ``calls.broadcast_1``).",
)


# -- address books -----------------------------------------------------------------------------
def _page(ctx: Ctx, rows: list[dict[str, Any]], options: Any) -> dict[str, Any]:
    offset, limit, order = paging(ctx, options)
    ordered = sorted(rows, key=lambda r: r["date_creation"], reverse=order == "desc")
    return {"hits": ordered[offset : offset + limit], "total": len(rows), "offset": offset}


def _book(ctx: Ctx, book_hash: Any) -> dict[str, Any]:
    return legacy_state(ctx.account).find(
        BOOKS, to_sid(book_hash, "address book hash"), "address book"
    )


def _public(book: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in book.items() if k != "contacts"}


@METHODS.method(
    "sendr/10/addressbook.create", P("name"), P("description", "string|null", optional=True)
)
def book_create(ctx: Ctx, name: str, description: str | None) -> dict[str, Any]:
    """An empty address book."""
    if not name.strip() or len(name) > 64:
        raise BadValue("name must be 1 to 64 characters")
    key = ctx.store.ids.sid()
    book: dict[str, Any] = {
        "hash": to_hash(key),
        "name": name,
        "description": description or "",
        "items_count": 0,
        "imported_at": None,
        "date_creation": legacy_date(ctx.store.clock.now()),
        "contacts": [],
    }
    legacy_state(ctx.account).table(BOOKS)[key] = book
    return _public(book)


@METHODS.method("sendr/10/addressbook.get", P("hash"))
def book_get(ctx: Ctx, book_hash: Any) -> dict[str, Any]:
    return _public(_book(ctx, book_hash))


@METHODS.method(
    "sendr/10/addressbook.search",
    P("filters", "object|null", optional=True),
    P("options", "object|null", optional=True),
)
def book_search(ctx: Ctx, filters: Any, options: Any) -> dict[str, Any]:
    """The account's address books (``filters`` is accepted and not used)."""
    books = [_public(b) for b in legacy_state(ctx.account).table(BOOKS).values()]
    return _page(ctx, books, options)


@METHODS.method("sendr/10/addressbook.delete", P("hash"))
def book_delete(ctx: Ctx, book_hash: Any) -> bool:
    _book(ctx, book_hash)
    del legacy_state(ctx.account).table(BOOKS)[to_sid(book_hash)]
    return True


def _numbers_of_csv(content: bytes, column: int, country: str) -> list[str]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadValue("the imported file is not UTF-8 CSV text") from None
    found: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        if len(row) <= column:
            continue
        cell = row[column].strip()
        try:
            parsed = phonenumbers.parse(cell, None if cell.startswith("+") else country)
        except phonenumbers.NumberParseException:
            continue  # a header line or a note
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if is_possible_number(e164):
            found.append(e164)
    return found


@METHODS.method(
    "sendr/10/addressbook.append_file_async",
    P("hash"),
    P("filename"),
    P("phone_column", "integer"),
    P("country_code"),
    P("options", "object|null", optional=True),
)
def book_append(
    ctx: Ctx, book_hash: Any, filename: str, column: int, country: str, options: Any
) -> str:
    """Append the numbers of column ``phone_column`` (0-based) of an imported CSV file;
    a job hash (``jobs.get``: ``DONE``, ``result.count``)."""
    book = _book(ctx, book_hash)
    if column < 0:
        raise BadValue("phone_column must be 0 or more (the 0-based column of the numbers)")
    if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
        raise BadValue(f"country_code must be an ISO 3166 code like FR, not {country!r}")
    numbers = _numbers_of_csv(imported_file(ctx, filename), column, country.upper())
    book["contacts"].extend(numbers)
    book["items_count"] = len(book["contacts"])
    book["imported_at"] = legacy_date(ctx.store.clock.now())
    return legacy_only_job(ctx, "SENDR.ADDRESSBOOK.APPEND", {"count": len(numbers)})


# -- campaigns ---------------------------------------------------------------------------------
def _template(kind: str) -> dict[str, Any]:
    keys = {f"key_{n}": {"action": "NONE", "params": None} for n in range(10)}
    return {
        "hash": None,
        "type": kind,
        "name": "",
        "addressbook": {"hash": None},
        "ivr": {
            "text": "" if kind == "SMS_SIMPLE" else None,
            "broadcast": [],
            "prompt": None,
            "keys": keys if kind == "VOICE_IVR" else {},
            "voicemail_detect_method": "NONE",
        },
        "options": {"cli": "BLOCKED", "max_retries": 0},
        "status": {"state": "DRAFT", "contacts": 0, "reached": 0},
    }


@METHODS.method("sendr/10/campaign.get_object_template", P("type"))
def campaign_template(ctx: Ctx, kind: str) -> dict[str, Any]:
    """An empty campaign object of ``type`` (VOICE_SIMPLE, VOICE_IVR, SMS_SIMPLE)."""
    if kind not in CAMPAIGN_TYPES:
        raise BadValue(f"type must be one of {', '.join(CAMPAIGN_TYPES)}, not {kind!r}")
    return _template(kind)


@METHODS.method("sendr/10/campaign.get_voice_ivr_action_objects_templates")
def ivr_templates(ctx: Ctx) -> dict[str, Any]:
    """The ``params`` object of each IVR key action."""
    return {
        "BRIDGE": {"targets": [], "cli": "BLOCKED"},
        "REPEAT": {},
        "HANGUP": {},
        "NONE": {},
    }


def _problems(ctx: Ctx, campaign: Any) -> list[str]:
    if not isinstance(campaign, dict):
        return ["the campaign must be an object (see sendr/10/campaign.get_object_template)"]
    problems: list[str] = []
    kind = campaign.get("type")
    if kind not in CAMPAIGN_TYPES:
        problems.append(f"type must be one of {', '.join(CAMPAIGN_TYPES)}")
    name = campaign.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name must not be empty")
    book = (
        (campaign.get("addressbook") or {}).get("hash")
        if isinstance(campaign.get("addressbook"), dict)
        else None
    )
    if not isinstance(book, str):
        problems.append("addressbook.hash must be the hash of an address book")
    else:
        try:
            _book(ctx, book)
        except (ApiError, BadValue):  # not a hash, or no such book: a problem to list
            problems.append(f"addressbook.hash: no address book {book.upper()} on this account")
    ivr = campaign.get("ivr")
    if not isinstance(ivr, dict):
        problems.append("ivr must be an object")
    elif kind == "SMS_SIMPLE":
        if not isinstance(ivr.get("text"), str) or not ivr["text"].strip():
            problems.append("ivr.text must be the SMS text")
    elif kind in ("VOICE_SIMPLE", "VOICE_IVR"):
        if not isinstance(ivr.get("broadcast"), list) or not ivr["broadcast"]:
            problems.append("ivr.broadcast must list the media to play")
        for name_, key in (ivr.get("keys") or {}).items() if kind == "VOICE_IVR" else ():
            if not isinstance(key, dict) or key.get("action") not in IVR_ACTIONS:
                problems.append(f"ivr.keys.{name_}.action must be one of {', '.join(IVR_ACTIONS)}")
    return problems


@METHODS.method("sendr/10/campaign.check", P("campaign", "object"))
def campaign_check(ctx: Ctx, campaign: dict[str, Any]) -> list[str]:
    """What is wrong with a campaign object (``[]`` when nothing)."""
    return _problems(ctx, campaign)


@METHODS.method("sendr/10/campaign.save", P("campaign", "object"))
def campaign_save(ctx: Ctx, campaign: dict[str, Any]) -> dict[str, Any]:
    """Create (no ``hash``) or update (its ``hash``) a campaign; refused while it runs."""
    problems = _problems(ctx, campaign)
    if problems:
        raise BadValue("the campaign is not valid: " + "; ".join(problems))
    table = legacy_state(ctx.account).table(CAMPAIGNS)
    saved = copy.deepcopy(campaign)
    if campaign.get("hash"):
        old = _campaign(ctx, campaign["hash"])
        if _state(ctx, old) == "RUNNING":
            raise BadValue(f"campaign {old['hash']} is running; pause or stop it first")
        saved["hash"], saved["status"] = old["hash"], old["status"]
        saved["date_creation"] = old["date_creation"]
    else:
        key = ctx.store.ids.sid()
        saved["hash"] = to_hash(key)
        saved["status"] = {"state": "DRAFT", "contacts": 0, "reached": 0}
        saved["date_creation"] = legacy_date(ctx.store.clock.now())
    saved["calls"] = saved.get("calls") or []
    table[to_sid(saved["hash"])] = saved
    return _render(ctx, saved)


def _campaign(ctx: Ctx, campaign_hash: Any) -> dict[str, Any]:
    return legacy_state(ctx.account).find(
        CAMPAIGNS, to_sid(campaign_hash, "campaign hash"), "campaign"
    )


def _state(ctx: Ctx, campaign: dict[str, Any]) -> str:
    state = str(campaign["status"]["state"])
    ends = campaign.get("ends_at")
    if state == "RUNNING" and ends and datetime.fromisoformat(ends) <= ctx.store.clock.now():
        return "FINISHED"
    return state


def _render(ctx: Ctx, campaign: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in campaign.items() if k not in ("calls", "ends_at")}
    shown["status"] = {**campaign["status"], "state": _state(ctx, campaign)}
    return shown


@METHODS.method("sendr/10/campaign.get", P("hash"))
def campaign_get(ctx: Ctx, campaign_hash: Any) -> dict[str, Any]:
    return _render(ctx, _campaign(ctx, campaign_hash))


@METHODS.method(
    "sendr/10/campaign.search",
    P("filters", "object|null", optional=True),
    P("options", "object|null", optional=True),
)
def campaign_search(ctx: Ctx, filters: Any, options: Any) -> dict[str, Any]:
    """The account's campaigns (``filters`` is accepted and not used)."""
    rows = [_render(ctx, c) for c in legacy_state(ctx.account).table(CAMPAIGNS).values()]
    return _page(ctx, rows, options)


@METHODS.method("sendr/10/campaign.start", P("hash"))
def campaign_start(ctx: Ctx, campaign_hash: Any) -> bool:
    """Reach every contact of the address book (calls or SMS); ``RUNNING``, then
    ``FINISHED`` when the last call ends. A paused campaign resumes without reaching its
    contacts twice."""
    campaign = _campaign(ctx, campaign_hash)
    state = _state(ctx, campaign)
    if state in ("RUNNING", "FINISHED"):
        raise BadValue(f"campaign {campaign['hash']} is {state}")
    if state != "PAUSED":
        contacts = _book(ctx, campaign["addressbook"]["hash"])["contacts"]
        ends = ctx.store.clock.now()
        for number in contacts:
            if campaign["type"] == "SMS_SIMPLE":
                sms = ctx.account.sms.send(number, campaign["ivr"]["text"], sender_id=SMS_SENDER)
                campaign["calls"].append(sms.sid)
            else:
                talk = MESSAGE_SECONDS * len(campaign["ivr"]["broadcast"])
                record = place_call(ctx, number, cli=None, talk=talk)
                campaign["calls"].append(str(record.callid))
                ends = max(ends, record.ended or ends)
        campaign["ends_at"] = ends.isoformat()
        campaign["status"].update(contacts=len(contacts), reached=len(contacts))
    campaign["status"]["state"] = "RUNNING"
    return True


def _set_state(ctx: Ctx, campaign_hash: Any, wanted: str) -> bool:
    campaign = _campaign(ctx, campaign_hash)
    state = _state(ctx, campaign)
    if state == "FINISHED":
        raise BadValue(f"campaign {campaign['hash']} is FINISHED")
    campaign["status"]["state"] = wanted
    return True


@METHODS.method("sendr/10/campaign.pause", P("hash"))
def campaign_pause(ctx: Ctx, campaign_hash: Any) -> bool:
    return _set_state(ctx, campaign_hash, "PAUSED")


@METHODS.method("sendr/10/campaign.stop", P("hash"))
def campaign_stop(ctx: Ctx, campaign_hash: Any) -> bool:
    return _set_state(ctx, campaign_hash, "STOPPED")


@METHODS.method("sendr/10/campaign.delete", P("hash"))
def campaign_delete(ctx: Ctx, campaign_hash: Any) -> bool:
    campaign = _campaign(ctx, campaign_hash)
    if _state(ctx, campaign) == "RUNNING":
        raise BadValue(f"campaign {campaign['hash']} is running; stop it first")
    del legacy_state(ctx.account).table(CAMPAIGNS)[to_sid(campaign_hash)]
    return True
