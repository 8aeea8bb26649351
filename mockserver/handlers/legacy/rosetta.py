"""The migration guide's Rosetta Stone: each legacy JSON-RPC method and its REST v2 operations.

``callr-mock rosetta METHOD`` prints the REST equivalent(s) of a legacy method (and how
the sandbox's legacy endpoint calls it); ``callr-mock rosetta`` prints the whole table;
``callr-mock rosetta "POST /sms"`` (a REST path, with or without the method) goes the
other way. The table is the guide's, row for row: 39 legacy methods, 41 distinct REST
operations (``ROWS``); the notes are the guide's migration notes plus the sandbox's
choices. ``SDK_ROWS`` adds the methods Callr's own SDK READMEs and example programs call
that the table leaves out: served on the shared state (``sdk``), including those with no
REST v2 equivalent, which Callr serves until 30 June 2027 (``legacy-only``: the note says
what to use in REST v2 instead).
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from ...base.wire import API_PREFIX

SHUTDOWN = "2027-06-30"  # the JSON-RPC API's shutdown date (SDK README banners) [C]


@dataclass(frozen=True)
class Rest:
    method: str
    path: str
    operation_id: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Row:
    legacy: str
    rest: tuple[Rest, ...]
    note: str = ""
    # "guide": a row of the migration guide's table; "sdk": a method Callr's SDK READMEs
    # or example programs call that the table leaves out, served on the shared state;
    # "legacy-only": such a method with no REST v2 meaning; Callr serves it until the
    # JSON-RPC shutdown (30 June 2027) and so does the sandbox, on the legacy layer; the
    # note says what to use in REST v2 instead
    kind: str = "guide"
    source: str = "migration guide"


def _row(
    legacy: str,
    *rest: tuple[str, str, str],
    note: str = "",
    kind: str = "guide",
    source: str = "migration guide",
) -> Row:
    return Row(legacy, tuple(Rest(*r) for r in rest), note, kind, source)


def _sdk(legacy: str, *rest: tuple[str, str, str], note: str, source: str) -> Row:
    return _row(legacy, *rest, note=note, kind="sdk", source=source)


def _legacy_only(legacy: str, note: str, source: str) -> Row:
    return _row(legacy, note=note, kind="legacy-only", source=source)


APPS_NOTE = "Only Callr Actions (ACTIONS10) apps exist in REST v2 (scenarios)."
NUMBER_NOTE = "Numbers have no hash in REST v2: the E.164 number is the id."
MEDIA_NOTE = "Media library items are audio files; tags are no longer supported."

ROWS: tuple[Row, ...] = (
    _row(
        "actions.start",
        ("POST", "/actions/{sid}/runs", "runScenario"),
        note="Starts the api-initiated branch; the run is a task (202).",
    ),
    _row(
        "apps.assign_did",
        ("PUT", "/actions/{sid}/numbers/{number}", "assignScenarioNumber"),
        ("PUT", "/numbers/{number}/scenario/{sid}", "assignNumberScenario"),
        ("PATCH", "/numbers/{number}", "updateNumber"),
        note=NUMBER_NOTE,
    ),
    _row("apps.create", ("POST", "/actions", "createScenario"), note=APPS_NOTE),
    _row("apps.delete", ("DELETE", "/actions/{sid}", "deleteScenario"), note=APPS_NOTE),
    _row("apps.edit", ("PATCH", "/actions/{sid}", "updateScenario"), note=APPS_NOTE),
    _row(
        "apps.remove_did",
        ("DELETE", "/actions/{sid}/numbers/{number}", "unassignScenarioNumber"),
        ("DELETE", "/numbers/{number}/scenario/{sid}", "unassignNumberScenario"),
        ("PATCH", "/numbers/{number}", "updateNumber"),
        note=NUMBER_NOTE,
    ),
    _row("apps.search", ("GET", "/actions", "searchScenarios"), note=APPS_NOTE),
    _row("billing.get_prepaid_credit", ("GET", "/billing/credit", "getCredit")),
    _row(
        "cdr.export_async",
        ("POST", "/calls/export", "exportCalls"),
        note="Jobs are now called tasks: the export is a task.",
    ),
    _row("did/areacode.countries", ("GET", "/numbers/store/countries", "listStoreCountries")),
    _row(
        "did/areacode.get_list",
        ("GET", "/numbers/store/prefixes", "listStorePrefixes"),
        note="No more area code ids: order by prefix (e.g. +33) and area (e.g. paris, lyon).",
    ),
    _row("did/areacode.types", ("GET", "/numbers/store/types", "listStoreTypes")),
    _row("did.search", ("GET", "/numbers", "searchNumbers"), note=NUMBER_NOTE),
    _row("did/store.buy_order", ("POST", "/numbers/store/{token}", "buyReservation")),
    _row("did/store.cancel_order", ("DELETE", "/numbers/store/{token}", "cancelReservation")),
    _row(
        "did/store.cancel_subscription",
        ("DELETE", "/numbers/{number}", "releaseNumber"),
        note=NUMBER_NOTE,
    ),
    _row(
        "did/store.reserve",
        ("POST", "/numbers/store", "reserveNumbers"),
        note="No more area code ids: give country, type, prefix and/or area in the body.",
    ),
    _row(
        "jobs.cancel",
        ("DELETE", "/tasks/{taskid}", "cancelTask"),
        note="Jobs are now called tasks.",
    ),
    _row(
        "jobs.get",
        ("POST", "/tasks/{taskid}", "getTaskPost"),
        note="Jobs are now called tasks. The table prints POST; GET /tasks/{taskid} works too.",
    ),
    _row("list.destinations", ("GET", "/billing/destinations", "listDestinations")),
    _row("media/library.create", ("POST", "/audio-files", "createAudioFile"), note=MEDIA_NOTE),
    _row("media/library.delete", ("DELETE", "/audio-files/{sid}", "deleteAudioFile")),
    _row("media/library.get", ("GET", "/audio-files/{sid}", "getAudioFile"), note=MEDIA_NOTE),
    _row(
        "media/library.get_phone_id",
        ("PUT", "/audio-files/{sid}/phone-id", "getAudioFilePhoneId"),
    ),
    _row("media/library.search", ("GET", "/audio-files", "searchAudioFiles"), note=MEDIA_NOTE),
    _row(
        "media/library.set_content_from_file",
        ("PUT", "/audio-files/{sid}/file", "setAudioFileContent"),
        note="Upload the file itself (multipart/form-data).",
    ),
    _row("media/library.set_name", ("PATCH", "/audio-files/{sid}", "updateAudioFile")),
    _row(
        "media/recording.delete_async",
        ("DELETE", "/recordings/{sid}", "deleteRecording"),
        ("DELETE", "/recordings", "deleteRecordings"),
        note="One recording at once (204), or in bulk as a task (202).",
    ),
    _row(
        "media/recording.mark_as_read_async",
        ("PATCH", "/recordings/{sid}", "updateRecording"),
        note='Body {"read": true}.',
    ),
    _row(
        "media/recording.mark_as_unread_async",
        ("PATCH", "/recordings/{sid}", "updateRecording"),
        note='Body {"read": false}.',
    ),
    _row("media/recording.search", ("GET", "/recordings", "searchRecordings")),
    _row("sms.search", ("GET", "/sms", "searchSms")),
    _row(
        "sms.get",
        ("GET", "/sms/{sid}", "getSms"),
        note="The sid is the legacy hash in lower case (ABCDEF12 → abcdef12).",
    ),
    _row(
        "sms.send",
        ("POST", "/sms", "sendSms"),
        note="to/from/encoding/trafficType in the query, the text in the JSON body.",
    ),
    _row(
        "webhooks.disable", ("PATCH", "/webhooks/{sid}", "updateWebhook"), note='{"enabled": false}'
    ),
    _row(
        "webhooks.enable", ("PATCH", "/webhooks/{sid}", "updateWebhook"), note='{"enabled": true}'
    ),
    _row("webhooks.get_list", ("GET", "/webhooks/search", "searchWebhooks")),
    _row(
        "webhooks.subscribe",
        ("POST", "/webhooks", "createWebhook"),
        note="Event types are the v2.* names (e.g. sms.mt.status_update → v2.sms.outbound.updated).",
    ),
    _row("webhooks.unsubscribe", ("DELETE", "/webhooks/{sid}", "deleteWebhook")),
)

TABLE: dict[str, Row] = {row.legacy: row for row in ROWS}

# Methods the SDK READMEs (sdk-python, sdk-php, sdk-nodejs, sdk-go, sdk-ruby, sdk-java) and
# example programs (examples-nodejs, examples-php) call, beyond the guide's table.
NODE = "sdk-nodejs README"
ALL_SDKS = "sdk-python, sdk-php, sdk-nodejs, sdk-go READMEs"
CONFERENCE = (
    "Conference rooms (CONFERENCE10) do not exist in REST v2; handle calls with a Callr "
    "Actions scenario (POST /actions, PUT /actions/{sid}/numbers/{number})."
)
SDK_ROWS: tuple[Row, ...] = (
    _sdk(
        "system.get_timestamp",
        ("GET", "/ping", "ping"),
        note="The legacy call returns the UNIX time (an integer); GET /ping answers "
        "{pong, time} with the time in RFC 3339.",
        source=f"{NODE} (API return value management); sdk-dotnet SystemService.cs",
    ),
    _sdk(
        "sms.get_settings",
        ("GET", "/webhooks/search", "searchWebhooks"),
        note="No account-wide SMS settings in REST v2: the push URLs are webhook "
        "subscriptions to v2.sms.outbound.updated (DLR) and v2.sms.inbound.received (MO).",
        source="sdk-python, sdk-php, sdk-go, sdk-ruby READMEs (SMS Global Settings)",
    ),
    _sdk(
        "sms.set_settings",
        ("POST", "/webhooks", "createWebhook"),
        ("PATCH", "/webhooks/{sid}", "updateWebhook"),
        ("DELETE", "/webhooks/{sid}", "deleteWebhook"),
        note="push_dlr_url / push_mo_url become subscriptions to v2.sms.outbound.updated / "
        "v2.sms.inbound.received; push_*_url_auth (Basic credentials) has no v2 equivalent.",
        source="sdk-python, sdk-php, sdk-go, sdk-ruby READMEs (SMS Global Settings)",
    ),
    _sdk(
        "did/store.get_quote",
        ("GET", "/billing/destinations", "listDestinations"),
        note="No quote without reserving in REST v2: the price list gives the monthly price "
        "per country, type and class, and POST /numbers/store answers the reservation's price.",
        source=f"{ALL_SDKS} (Get a quote without reserving a DID)",
    ),
    _sdk(
        "did/store.view_order",
        note="REST v2 has no read of a reservation: keep the answer of POST /numbers/store "
        "(token, numbers, price, expires).",
        source=f"{ALL_SDKS} (View your order)",
    ),
    _sdk(
        "did/store.get_quota_status",
        note="Deprecated with the whole JSON-RPC API (shut down on 30 June 2027), not retired: "
        "Callr still answers it with a DID.Store.QuotaStatus object. REST v2 has no store "
        "quota (POST /numbers/store answers 403 when the account may not buy). The object's "
        "fields are documented nowhere we could read and no published client reads one, so "
        "the sandbox answers an empty object rather than guessed fields.",
        source=f"{ALL_SDKS} (View your store quota status); callr.com/docs/api/services/did/store",
    ),
    _sdk(
        "media/library.get_list",
        ("GET", "/audio-files", "searchAudioFiles"),
        note="Media library items are audio files; categories were tags, gone in REST v2. "
        "Page through GET /audio-files.",
        source=f"{ALL_SDKS} (List your medias); examples-nodejs scripts/media.js",
    ),
    _sdk(
        "media/library.set_content",
        ("PUT", "/audio-files/{sid}/file", "setAudioFileContent"),
        note="Upload the audio file itself (multipart/form-data); the text is not kept.",
        source=f"{ALL_SDKS} (Upload a media)",
    ),
    _legacy_only(
        "media/tts.set_content",
        note="REST v2 audio files have no text-to-speech: upload recorded audio with "
        "PUT /audio-files/{sid}/file, or speak text with the say action of Callr Actions.",
        source=f"{ALL_SDKS} (Use Text-to-Speech); examples-nodejs scripts/media.js",
    ),
    _legacy_only(
        "media/tts.get_voice_list",
        note="REST v2 has no text-to-speech voices list (no TTS audio files); Callr Actions "
        "scripts choose a voice in their say action.",
        source="examples-nodejs scripts/media.js",
    ),
    _legacy_only(
        "media.import_file_from_base64_async",
        note="REST v2 uploads the file itself with PUT /audio-files/{sid}/file (multipart); "
        "the sandbox's media/library.set_content_from_file also takes the base64 content.",
        source="examples-nodejs scripts/media.js; examples-php upload.media.php",
    ),
    _sdk(
        "cdr.get",
        ("POST", "/calls/export", "exportCalls"),
        note="REST v2 reads CDRs as an export task (202, the file when done) and through the "
        "v2.call.* webhooks; there is no synchronous CDR list.",
        source=f"{ALL_SDKS} (Get inbound or outbound CDRs)",
    ),
    _legacy_only(
        "dialr/call.realtime",
        note="REALTIME10 apps are replaced by Callr Actions: start an outbound call by running "
        "a scenario's api-initiated branch with POST /actions/{sid}/runs.",
        source=f"{ALL_SDKS} (Start a REALTIME outbound call)",
    ),
    _legacy_only("conference/10.create_room", note=CONFERENCE, source=f"{ALL_SDKS} (Conferencing)"),
    _legacy_only("conference/10.assign_did", note=CONFERENCE, source=f"{ALL_SDKS} (Conferencing)"),
    _legacy_only(
        "conference/10.call_room_access", note=CONFERENCE, source=f"{ALL_SDKS} (Conferencing)"
    ),
    _legacy_only(
        "sendr/simple.broadcast_1",
        note="SENDR broadcasts do not exist in REST v2: run a Callr Actions scenario per target "
        "with POST /actions/{sid}/runs.",
        source="sdk-python, sdk-nodejs, sdk-go READMEs (SENDR)",
    ),
    _legacy_only(
        "calls.broadcast_1",
        note="Broadcasts do not exist in REST v2: run a Callr Actions scenario whose "
        "api-initiated branch calls and plays the messages (POST /actions/{sid}/runs).",
        source="sdk-go, sdk-php, sdk-nodejs READMEs (Broadcast)",
    ),
    _legacy_only(
        "calls.realtime",
        note="REALTIME10 apps are replaced by Callr Actions: POST /actions/{sid}/runs.",
        source="sdk-go, sdk-php READMEs (Start a REALTIME outbound call)",
    ),
    *(
        _legacy_only(
            f"clicktocall/calls.{name}",
            note="CLICKTOCALL10 apps are replaced by Callr Actions: a scenario's "
            "api-initiated branch calls A, then B (POST /actions/{sid}/runs).",
            source="examples-nodejs scripts/click2call.js; sdk-dotnet ClickToCallService.cs",
        )
        for name in ("start_2", "get_status", "get_list", "cancel")
    ),
    *(
        _legacy_only(
            f"sendr/10/{name}",
            note="SENDR campaigns do not exist in REST v2: run a Callr Actions scenario per "
            "contact (POST /actions/{sid}/runs) or send SMS (POST /sms).",
            source="examples-nodejs scripts/campaign.js, scripts/address.js; examples-php campaign-sendr",
        )
        for name in (
            "addressbook.create",
            "addressbook.get",
            "addressbook.search",
            "addressbook.delete",
            "addressbook.append_file_async",
            "campaign.get_object_template",
            "campaign.get_voice_ivr_action_objects_templates",
            "campaign.check",
            "campaign.save",
            "campaign.get",
            "campaign.search",
            "campaign.start",
            "campaign.pause",
            "campaign.stop",
            "campaign.delete",
        )
    ),
    _sdk(
        "apps.get",
        ("GET", "/actions/{sid}", "getScenario"),
        note="Only ACTIONS10 apps are scenarios; the sandbox also answers the legacy-only apps.",
        source="sdk-dotnet AppsBaseService.cs",
    ),
    _sdk(
        "apps.get_list",
        ("GET", "/actions", "searchScenarios"),
        note="Page through GET /actions (Callr Actions scenarios only).",
        source="examples-nodejs scripts/click2call.js; sdk-dotnet AppsService.cs",
    ),
    _sdk(
        "sms.get_list",
        ("GET", "/sms", "searchSms"),
        note="Page through GET /sms (filters on direction and creation dates are the sandbox's).",
        source="sdk-dotnet SmsService.cs (GetInList, GetOutList)",
    ),
    _sdk(
        "webhooks.get_event_types",
        note="REST v2 has 14 fixed event types (the v2.* names); no call lists them.",
        source="sdk-php README (List available webhooks)",
    ),
    _legacy_only(
        "list.countries",
        note="No country list in REST v2: GET /numbers/store/countries lists where numbers "
        "are sold, GET /billing/destinations what is priced.",
        source="sdk-dotnet ListService.cs",
    ),
    _legacy_only(
        "list.number_infos",
        note="No number lookup in REST v2: the Sms object's from/to describe a number you send to.",
        source="sdk-dotnet ListService.cs",
    ),
    _legacy_only(
        "list.timezones",
        note="REST v2 dates are RFC 3339 in UTC: no time zone list.",
        source="sdk-dotnet ListService.cs",
    ),
    _legacy_only(
        "media/email.get_templates",
        note="No e-mail templates in REST v2 (voicemail and recording e-mails are gone).",
        source="sdk-dotnet MediaService.cs",
    ),
    *(
        _legacy_only(
            f"session.{name}",
            note="REST v2 authenticates with API keys only (x-api-key or Basic SID:KEY).",
            source="sdk-nodejs and sdk-java READMEs (User session token); sdk-java "
            "UserSessionKeyTest.java",
        )
        for name in ("create", "all", "refresh", "delete")
    ),
)
SDK_TABLE: dict[str, Row] = {row.legacy: row for row in SDK_ROWS}

GENERAL_NOTES = (
    "hash is now sid: the same value in lower case (ABCDEF12 → abcdef12).",
    "DID is now phone number, addressed by E.164 (PATCH /numbers/+33199001020).",
    "Constants are lower case: SENT → sent, REMOTE_QUEUED → remote-queued.",
    "Dates are RFC 3339 (2024-04-24T12:00:42.000Z), not 'YYYY-MM-DD HH:MM:SS'.",
    "Only Callr Actions scenarios exist (no CALLTRACKING10, CLICKTOCALL10, REALTIME10).",
    "Jobs are now tasks; media library items are now audio files (no tags).",
)


def rest_operations() -> set[Rest]:
    """The distinct REST operations of the table (41)."""
    return {rest for row in ROWS for rest in row.rest}


def lookup(legacy: str) -> Row | None:
    """The guide's row of a legacy method, else its row of the SDK methods."""
    name = legacy.strip()
    return TABLE.get(name) or SDK_TABLE.get(name)


def reverse(query: str) -> list[Row]:
    """Rows whose REST side matches ``"POST /sms"``, ``"/sms"`` or ``"/v2.0/sms"``."""
    method, _, path = query.strip().rpartition(" ")
    path = path.removeprefix(API_PREFIX) or "/"
    return [
        row
        for row in ROWS
        if any(r.path == path and (not method or r.method == method.upper()) for r in row.rest)
    ]


def _signature(legacy: str) -> str | None:
    try:
        from . import methods
    except ImportError:  # pragma: no cover - the legacy package ships with the mock
        return None
    method = methods().get(legacy)
    return method.signature if method else None


def describe(row: Row) -> str:
    lines = [f"{row.legacy}  (JSON-RPC)"]
    for rest in row.rest:
        lines.append(f"  → {rest.method} {API_PREFIX}{rest.path}    [{rest.operation_id}]")
    if row.kind == "legacy-only":
        lines.append(
            f"  → no REST v2 equivalent: Callr serves it until {SHUTDOWN}, and so does the "
            "sandbox's legacy endpoint"
        )
    elif not row.rest:
        lines.append("  → no REST v2 equivalent (served by the sandbox's legacy endpoint)")
    if row.note:
        lines.append(f"  {'instead' if row.kind == 'legacy-only' else 'note'}: {row.note}")
    if row.kind != "guide":
        lines.append(f"  not in the migration table; called in: {row.source}")
    signature = _signature(row.legacy)
    if signature:
        lines.append(f"  sandbox legacy call: POST /json-rpc/v1.1/ {signature}")
    return "\n".join(lines)


def table() -> str:
    width = max(len(row.legacy) for row in ROWS)
    lines = [f"{'JSON-RPC'.ljust(width)}  REST API v2 ({API_PREFIX})", f"{'-' * width}  {'-' * 40}"]
    for row in ROWS:
        for index, rest in enumerate(row.rest):
            name = row.legacy if index == 0 else ""
            lines.append(f"{name.ljust(width)}  {rest.method} {rest.path}")
    lines.append("")
    lines.append(f"{len(ROWS)} legacy methods, {len(rest_operations())} REST operations.")
    lines.extend(f"- {note}" for note in GENERAL_NOTES)
    lines.append("")
    lines.append("Not in the table, but called in Callr's SDK READMEs and example programs:")
    for row in SDK_ROWS:
        if row.kind == "legacy-only":
            target = f"no REST v2 equivalent (served until {SHUTDOWN})"
        elif row.rest:
            target = ", ".join(str(rest) for rest in row.rest)
        else:
            target = "no REST v2 equivalent (served)"
        lines.append(f"{row.legacy.ljust(width)}  {target}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the REST equivalent(s) of a legacy method, or the whole table; 1 if unknown."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(table())
        return 0
    query = " ".join(args).strip()
    row = lookup(query)
    if row is not None:
        print(describe(row))
        return 0
    if query.startswith("/") or " /" in query:
        rows = reverse(query)
        if rows:
            print("\n\n".join(describe(r) for r in rows))
            return 0
        print(f"no legacy method maps to {query!r}", file=sys.stderr)
        return 1
    close = difflib.get_close_matches(query, [*TABLE, *SDK_TABLE], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    print(
        f"{query!r} is not in the migration table{hint} (callr-mock rosetta lists all)",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
