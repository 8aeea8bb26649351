"""``media/library.*`` (audio files, ``account.audio_files``) and ``media/recording.*``
(recordings, ``account.recordings``).

Media library items are addressed by their legacy integer ``id`` (``int(sid, 36)``, see
``mapping.media_id``) or by their hash. Tags no longer exist in REST v2: they are
accepted (``media/library.set_tags``, search filters ``tags``/``category``/``language``)
and ignored, and items always show ``tags: {}``.

``media/library.set_content_from_file(id, filename)`` takes the ``filename`` of a file
imported with ``media.import_file_from_base64_async`` (kept in the legacy layer; REST v2
uploads the file itself), or the file content itself, base64-encoded (or a ``data:`` URL),
and runs the same upload rules as ``PUT /audio-files/{sid}/file``. ``media/tts.*`` makes
silent audio as long as the text (REST v2 has no text-to-speech); ``media/email.*`` lists
no templates.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ...state.audio_files import AUDIO_STATUSES
from ...state.audio_formats import silent_wav
from ...state.webhooks import check_endpoint
from .core import ALL, Ctx, P, Registry, filters_of, invalid_params, paging
from .jobs import legacy_only_job
from .mapping import (
    BadValue,
    enum_in,
    legacy_media,
    legacy_recording,
    media_id,
    media_sid,
    rest_date,
    search_envelope,
    to_hash,
    to_sid,
)
from .state import legacy_state

METHODS = Registry()
MEDIA = P("media_id", "integer|string")


# -- media/library: audio files -------------------------------------------------------------
@METHODS.method("media/library.create", P("name"))
def create(ctx: Ctx, name: str) -> int:
    """A new, empty item (``pending-content``); returns its integer id."""
    ctx.rest_input("createAudioFile", body={"name": name})
    return media_id(ctx.account.audio_files.create(name).sid)


@METHODS.method("media/library.get", MEDIA)
def get(ctx: Ctx, item: Any) -> dict[str, Any]:
    """The item (``GET /audio-files/{sid}``)."""
    return _item(ctx, media_sid(item))


def _item(ctx: Ctx, sid: str, audio: dict[str, Any] | None = None) -> dict[str, Any]:
    """A legacy Media.Library item, with the text prompt only the legacy API knows."""
    found = ctx.account.audio_files.get(sid)
    return legacy_media(audio or found.to_api(), legacy_state(ctx.account).media_text(found))


@METHODS.method("media/library.delete", MEDIA)
def delete(ctx: Ctx, item: Any) -> bool:
    ctx.account.audio_files.delete(media_sid(item))
    return True


@METHODS.method("media/library.set_name", MEDIA, P("name"))
def set_name(ctx: Ctx, item: Any, name: str) -> bool:
    sid = media_sid(item)
    ctx.rest_input("updateAudioFile", path={"sid": sid}, body={"name": name})
    ctx.account.audio_files.rename(sid, name)
    return True


@METHODS.method("media/library.set_tags", MEDIA, P("tags", "object|null"))
def set_tags(ctx: Ctx, item: Any, tags: Any) -> bool:
    """Accepted and ignored: REST v2 audio files have no tags (not in the migration table)."""
    ctx.account.audio_files.get(media_sid(item))
    return True


@METHODS.method("media/library.set_content_from_file", MEDIA, P("filename"))
def set_content_from_file(ctx: Ctx, item: Any, filename: str) -> bool:
    """Set the audio from a file imported with ``media.import_file_from_base64_async``
    (its ``jobs.get`` result's ``filename``); the file itself, base64-encoded, works too."""
    sid = media_sid(item)
    ctx.account.audio_files.get(sid)
    table = legacy_state(ctx.account).table(IMPORTS)
    data = imported_file(ctx, filename) if filename in table else _decode(filename)
    ctx.account.audio_files.set_content(sid, data)
    return True


# -- imported files (media.import_file_from_base64_async) -------------------------------------
IMPORTS = "imports"


def imported_file(ctx: Ctx, filename: Any) -> bytes:
    """The content of a file imported with ``media.import_file_from_base64_async``."""
    entry = (
        legacy_state(ctx.account).table(IMPORTS).get(filename)
        if isinstance(filename, str)
        else None
    )
    if entry is None:
        raise BadValue(
            f"filename: no imported file {filename!r} on this account (import it with "
            "media.import_file_from_base64_async; jobs.get gives its result.filename)"
        )
    return base64.b64decode(entry["content"])


@METHODS.method(
    "media.import_file_from_base64_async",
    P("base64_data"),
    P("webhook_url", "string|null", optional=True),
)
def import_file(ctx: Ctx, content: str, webhook: str | None) -> str:
    """Keep a file (audio or CSV) for later use; a job hash whose ``jobs.get`` shows
    ``DONE`` and ``result.filename`` (the name to give ``media/library.set_content_from_file``
    or ``sendr/10/addressbook.append_file_async``). The sandbox's import is done at once;
    ``webhook_url`` is checked like a webhook endpoint and not called [I]."""
    data = _decode(content, "base64_data")
    if not data:
        raise BadValue("base64_data is empty")
    if webhook is not None:
        check_endpoint(webhook)
    key = ctx.store.ids.sid()
    filename = f"import_{key}.tmp"
    legacy_state(ctx.account).table(IMPORTS)[filename] = {
        "content": base64.b64encode(data).decode("ascii"),
        "size": len(data),
    }
    return legacy_only_job(ctx, "MEDIA.IMPORT_FILE", {"filename": filename, "size": len(data)})


# -- text-to-speech -------------------------------------------------------------------------------
# Voice names as Callr's SDK READMEs (TTS_EN-GB_SERENA, and TTS-EN-GB_SERENA in sdk-go's)
# and sdk-dotnet Enums/MediaTtsVoices.cs (NUANCE_FR_*) print them [C]; the grouping by
# language is ours [I] (examples-nodejs scripts/media.js reads result[].voices).
TTS_VOICES = {
    "en-GB": ("TTS_EN-GB_SERENA", "TTS-EN-GB_SERENA"),
    "fr-FR": ("NUANCE_FR_AUDREY", "NUANCE_FR_SEBASTIEN", "NUANCE_FR_THOMAS", "NUANCE_FR_VIRGINIE"),
}
TTS_OPTIONS = ("rate",)
WORDS_PER_SECOND = 2.5


@METHODS.method("media/tts.get_voice_list")
def tts_voices(ctx: Ctx) -> list[dict[str, Any]]:
    """The text-to-speech voices, by language: ``[{language, voices: [...]}]``."""
    return [{"language": lang, "voices": list(voices)} for lang, voices in TTS_VOICES.items()]


@METHODS.method(
    "media/tts.set_content",
    MEDIA,
    P("text"),
    P("voice"),
    P("options", "object|null", optional=True),
)
def tts_set_content(ctx: Ctx, item: Any, text: str, voice: str, options: Any) -> bool:
    """Make the item speak ``text``: the sandbox stores silent audio as long as the text
    takes to say (2.5 words a second) and keeps the text as the item's ``content``."""
    sid = media_sid(item)
    ctx.account.audio_files.get(sid)
    if not text.strip():
        raise BadValue("text must not be empty")
    known = [v for voices in TTS_VOICES.values() for v in voices]
    if voice not in known:
        raise BadValue(f"voice must be one of {', '.join(known)} (media/tts.get_voice_list)")
    unknown = sorted(set(options or {}) - set(TTS_OPTIONS))
    if unknown:
        raise BadValue(f"options: unknown member(s) {', '.join(unknown)}")
    seconds = max(1.0, len(text.split()) / WORDS_PER_SECOND)
    audio = ctx.account.audio_files.set_content(sid, silent_wav(seconds))
    legacy_state(ctx.account).set_media_text(audio, text)
    return True


# -- e-mail templates ------------------------------------------------------------------------------
EMAIL_TEMPLATE_TYPES = ("VMS", "RECORD")  # sdk-dotnet Enums/MediaEmailTemplates.cs [C]


@METHODS.method("media/email.get_templates", P("type"))
def email_templates(ctx: Ctx, kind: str) -> dict[str, Any]:
    """The account's e-mail templates of ``type`` (VMS, RECORD) by hash: none in a sandbox
    account (the templates are made in Callr's customer portal) [I]."""
    if kind not in EMAIL_TEMPLATE_TYPES:
        raise BadValue(f"type must be one of {', '.join(EMAIL_TEMPLATE_TYPES)}, not {kind!r}")
    return {}


def _decode(content: str, what: str = "filename") -> bytes:
    text = content.strip()
    if text.startswith("data:"):
        _, _, text = text.partition(",")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        if what != "filename":
            raise BadValue(f"{what} must be the audio file, base64-encoded") from None
        raise BadValue(
            "filename: no file of that name was imported on this account (import it with "
            "media.import_file_from_base64_async; the file itself, base64-encoded, works too)"
        ) from None


@METHODS.method(
    "media/library.get_phone_id", MEDIA, P("country_code", "string|null", optional=True)
)
def get_phone_id(ctx: Ctx, item: Any, country: str | None) -> dict[str, Any]:
    """A number to call and a code to type, to record the item by phone."""
    sid = media_sid(item)
    query = ctx.rest_input("getAudioFilePhoneId", path={"sid": sid}, query={"country": country})
    grant = ctx.account.audio_files.phone_id(sid, query.get("country", "FR"))
    return {"code": grant.code, "number": grant.number}


@METHODS.method("media/library.set_content", MEDIA, P("text", "string|null"), P("base64_audio"))
def set_content(ctx: Ctx, item: Any, text: str | None, content: str) -> bool:
    """Set the audio from base64 data (sdk READMEs, "Upload a media"; ``PUT
    /audio-files/{sid}/file``). The legacy ``text`` (a transcript) has no REST v2 field;
    the sandbox keeps it for the legacy item's ``content`` (sdk-dotnet: "Text prompt (What is your
    Media saying?)")."""
    sid = media_sid(item)
    ctx.account.audio_files.get(sid)
    audio = ctx.account.audio_files.set_content(sid, _decode(content, "base64_audio"))
    legacy_state(ctx.account).set_media_text(audio, text)
    return True


@METHODS.method("media/library.get_list", P("categories", "array|null", optional=True))
def get_list(ctx: Ctx, categories: list[Any] | None) -> dict[str, Any]:
    """Every item, as a map from its id (a string, as JSON object keys are) to the item
    (sdk READMEs, "List your medias"; examples-nodejs ``media.js`` reads ``res[id].name``).
    ``categories`` were tags: accepted and ignored (REST v2 has none)."""
    result = ctx.account.audio_files.search(order="desc", offset=0, limit=ALL)
    return {str(media_id(hit["sid"])): _item(ctx, hit["sid"], hit) for hit in result["hits"]}


LIBRARY_FILTERS = ("name", "status", "tags", "category", "language")


@METHODS.method(
    "media/library.search",
    P("filters", "object|null", optional=True),
    P("options", "object|null", optional=True),
)
def search(ctx: Ctx, filters: dict[str, Any] | None, options: dict[str, Any] | None) -> Any:
    """Items, last updated first. ``filters``: ``name`` (part of it), ``status`` (legacy);
    ``tags``, ``category`` and ``language`` are accepted and ignored."""
    found = filters_of(ctx, filters, LIBRARY_FILTERS)
    offset, limit, order = paging(ctx, options)
    status = found.get("status")
    if status is not None:
        status = enum_in(status, AUDIO_STATUSES, "filters.status")
    ctx.rest_input("searchAudioFiles", query={"name": found.get("name")})
    result = ctx.account.audio_files.search(
        name=found.get("name"), status=status, order=order, offset=offset, limit=limit
    )
    return search_envelope(result, [_item(ctx, hit["sid"], hit) for hit in result["hits"]])


# -- media/recording: recordings ----------------------------------------------------------------
RECORDING_FILTERS = ("read", "date_from", "date_to")


def _recording_filters(ctx: Ctx, filters: dict[str, Any] | None) -> dict[str, Any]:
    found = filters_of(ctx, filters, RECORDING_FILTERS)
    if "read" in found and not isinstance(found["read"], bool):
        raise invalid_params(f"{ctx.method}: filters.read must be true or false")
    return {
        "read": found.get("read"),
        "created_after": rest_date(found["date_from"], "filters.date_from")
        if "date_from" in found
        else None,
        "created_before": rest_date(found["date_to"], "filters.date_to")
        if "date_to" in found
        else None,
    }


@METHODS.method(
    "media/recording.search",
    P("filters", "object|null", optional=True),
    P("options", "object|null", optional=True),
)
def search_recordings(ctx: Ctx, filters: Any, options: Any) -> Any:
    """Recordings, newest first. ``filters``: ``read``, ``date_from``, ``date_to``."""
    found = _recording_filters(ctx, filters)
    offset, limit, order = paging(ctx, options)
    result = ctx.account.recordings.search(**found, order=order, offset=offset, limit=limit)
    return search_envelope(result, [legacy_recording(hit) for hit in result["hits"]])


@METHODS.method("media/recording.delete_async", P("target", "string|array|object|null"))
def delete_async(ctx: Ctx, target: Any) -> Any:
    """A hash or a list of hashes: deleted at once, ``true``. Filters (``read``,
    ``date_from``, ``date_to``) or ``null`` (all): a background job deletes the matching
    recordings (``DELETE /recordings``); returns its hash."""
    if isinstance(target, str | list):
        hashes = [target] if isinstance(target, str) else target
        sids = [to_sid(h, "recording hash") for h in hashes]
        for sid in sids:
            ctx.account.recordings.get(sid)  # all exist, or nothing is deleted
        for sid in sids:
            ctx.account.recordings.delete(sid)
        return True
    task = ctx.account.recordings.delete_matching(**_recording_filters(ctx, target))
    return to_hash(task.sid)


@METHODS.method("media/recording.mark_as_read_async", P("hash"))
def mark_as_read(ctx: Ctx, recording_hash: str) -> bool:
    ctx.account.recordings.mark(to_sid(recording_hash, "recording hash"), True)
    return True


@METHODS.method("media/recording.mark_as_unread_async", P("hash"))
def mark_as_unread(ctx: Ctx, recording_hash: str) -> bool:
    ctx.account.recordings.mark(to_sid(recording_hash, "recording hash"), False)
    return True
