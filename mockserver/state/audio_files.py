"""Audio files (formerly the media library) and their conversion lifecycle.

- JSON create: a name only, status ``pending-content``.
- Upload (multipart create or ``PUT /audio-files/{sid}/file``): the real type is sniffed
  from the bytes (never from the file name or the declared type): WAV (RIFF/WAVE),
  FLAC (``fLaC``), MPEG (ID3 tag or an MPEG audio frame header), MP4 (``ftyp`` box) or
  Ogg (``OggS``). Anything else is refused with 400 ``unsupported-audio-format`` and
  changes nothing. An accepted upload moves on the sandbox clock:
  ``pending-conversion`` → (1 s) ``processing`` → (3 s after the upload) ``ready``, or
  ``error`` when the file is damaged (a WAV whose header is corrupt or whose data is
  truncated). Each status change fires ``v2.audio-file.updated``.
- Duration is read from the header for WAV (stdlib ``wave``; non-PCM WAV from its
  ``fmt``/``data`` chunks) and FLAC (STREAMINFO); it is null for the other formats.
  Sniffing and measuring are in ``audio_formats.py``.
- ``phone_id(country)`` issues a number to call and a 6-digit code, valid 10 minutes;
  a new call replaces the previous code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import phonenumbers

from ..base.errors import InvalidInput
from .audio_formats import DamagedAudio, measure, silent_wav, sniff
from .index import IndexSpec
from .repo import Repo
from .scheduler import Job, account_job
from .timefmt import iso, parse

AUDIO_STATUSES = ("pending-content", "pending-conversion", "processing", "ready", "error")
PROCESSING_AFTER = timedelta(seconds=1)
READY_AFTER = timedelta(seconds=3)
PHONE_ID_VALIDITY = timedelta(minutes=10)
MAX_AUDIO_BYTES = 1024 * 1024  # the default request body limit of the server (413 above it)
NAME_MAX = 64


class UnsupportedAudio(InvalidInput):
    code = "unsupported-audio-format"


# -- the resource ----------------------------------------------------------------


@dataclass
class PhoneIdGrant:
    number: str
    code: str
    expires: datetime

    def to_api(self) -> dict[str, Any]:
        return {"number": self.number, "code": self.code, "expires": iso(self.expires)}


@dataclass
class AudioFile:
    sid: str
    name: str
    created: datetime
    updated: datetime
    status: str = "pending-content"
    duration: float | None = None
    mime_type: str | None = None
    size: int | None = None
    content: bytes | None = field(default=None, repr=False)
    generation: int = 0
    phone_id: PhoneIdGrant | None = None
    seq: int = 0

    def to_api(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "name": self.name,
            "status": self.status,
            "duration": self.duration,
            "mimeType": self.mime_type,
            "size": self.size,
            "created": iso(self.created),
            "updated": iso(self.updated),
        }


def _check_name(name: Any) -> str:
    # the spec's pattern [^ \t\r\n]: other characters (even control ones) make a name
    if not isinstance(name, str) or not name.strip(" \t\r\n"):
        raise InvalidInput("name must not be empty or only spaces", code="invalid-name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            f"name is {len(name)} characters long; at most {NAME_MAX}", code="invalid-name"
        )
    return name


SORTS: dict[str, Callable[[AudioFile], Any]] = {
    "created": lambda a: a.created,
    "updated": lambda a: a.updated,
    "name": lambda a: a.name.casefold(),
}


class AudioFileRepo(Repo[AudioFile]):
    seed_schema = "AudioFile"
    not_found = "no audio file with sid {key!r} on this account"
    private_fields = ("content", "generation", "phone_id")
    index_spec = IndexSpec(
        sorts=SORTS,
        equal={"status": lambda a: a.status},
        contains={"name": lambda a: a.name},
    )

    def _changed(self, audio: AudioFile, at: datetime, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(audio, name, value)
        audio.updated = at
        self.reindex(audio)
        self.account.emit("v2.audio-file.updated", audio.to_api(), at=at)

    # -- create / content ----------------------------------------------------
    def create(self, name: str) -> AudioFile:
        """A file without content (``pending-content``)."""
        now = self.store.clock.now()
        audio = self.insert(
            AudioFile(sid=self.new_sid(), name=_check_name(name), created=now, updated=now)
        )
        self.account.emit("v2.audio-file.updated", audio.to_api(), at=now)
        return audio

    def upload(self, name: str | None, data: bytes, filename: str | None = None) -> AudioFile:
        """Create a file from an upload. A refused upload creates nothing."""
        mime_type = self._accept(data)
        chosen = name if name is not None else (filename or "").strip()[:NAME_MAX] or "audio file"
        now = self.store.clock.now()
        audio = self.insert(
            AudioFile(sid=self.new_sid(), name=_check_name(chosen), created=now, updated=now)
        )
        self._convert(audio, mime_type, data, now)
        return audio

    def set_content(self, sid: str, data: bytes) -> AudioFile:
        """Replace the content. A refused upload leaves the file as it was."""
        audio = self.get(sid)
        mime_type = self._accept(data)
        self._convert(audio, mime_type, data, self.store.clock.now())
        return audio

    def _accept(self, data: bytes) -> str:
        if not data:
            raise InvalidInput("the 'file' part is empty", code="empty-file")
        if len(data) > MAX_AUDIO_BYTES:
            raise InvalidInput(
                f"the file is {len(data)} bytes; at most {MAX_AUDIO_BYTES}",
                code="file-too-large",
                status=413,
            )
        mime_type = sniff(data)
        if mime_type is None:
            raise UnsupportedAudio(
                "the 'file' part is not a supported audio file (FLAC, MPEG, MP4, Ogg or WAV); "
                "the type is read from the content, not from the file name or the declared type"
            )
        return mime_type

    def _convert(self, audio: AudioFile, mime_type: str, data: bytes, now: datetime) -> None:
        audio.generation += 1
        generation = audio.generation
        audio.content = data
        audio.phone_id = None
        self._changed(
            audio,
            now,
            status="pending-conversion",
            mime_type=mime_type,
            size=len(data),
            duration=None,
        )
        scheduler, owner = self.store.scheduler, self.account.sid
        args: dict[str, Any] = {"audio": audio.sid, "generation": generation}
        scheduler.schedule(
            now + PROCESSING_AFTER, "audio.convert", {**args, "finish": None}, owner=owner
        )
        scheduler.schedule(
            now + READY_AFTER, "audio.convert", {**args, "finish": mime_type}, owner=owner
        )

    def step(self, sid: str, generation: int, at: datetime, finish: str | None) -> None:
        """A conversion step falls due: ``processing``, then (``finish``) ready or error."""
        audio = self.items.get(sid)
        if audio is None or audio.generation != generation:
            return  # deleted, or new content arrived since
        if finish is None:
            self._changed(audio, at, status="processing")
            return
        try:
            duration = measure(finish, audio.content or b"")
        except DamagedAudio:
            self._changed(audio, at, status="error")
            return
        self._changed(audio, at, status="ready", duration=duration)

    # -- read / change ---------------------------------------------------------
    def rename(self, sid: str, name: str) -> AudioFile:
        audio = self.get(sid)
        audio.name = _check_name(name)
        audio.updated = self.store.clock.now()
        self.reindex(audio)
        return audio

    def delete(self, sid: str) -> None:
        self.remove(sid)

    def search(
        self,
        *,
        name: str | None = None,
        status: str | None = None,
        sort: str = "updated",
        order: str = "desc",
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        if sort not in SORTS:
            raise InvalidInput(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        return self.search_page(
            {"name": name, "status": status}, sort=sort, order=order, offset=offset, limit=limit
        )

    def phone_id(self, sid: str, country: str) -> PhoneIdGrant:
        """A number to call and a fresh 6-digit code (the previous code stops working)."""
        audio = self.get(sid)
        example = phonenumbers.example_number_for_type(
            country, phonenumbers.PhoneNumberType.FIXED_LINE
        )
        example = example or phonenumbers.example_number(country)
        if example is None:
            raise InvalidInput(
                f"country {country!r} is not a known ISO 3166-1 alpha-2 code",
                code="invalid-country",
            )
        number = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        grant = PhoneIdGrant(
            number, self.store.ids.digits(6), self.store.clock.now() + PHONE_ID_VALIDITY
        )
        audio.phone_id = grant
        return grant

    def record_by_phone(self, sid: str, code: str, seconds: float) -> AudioFile:
        """What happens when somebody calls the phone-id number and types the code (control API)."""
        audio = self.get(sid)
        grant = audio.phone_id
        now = self.store.clock.now()
        if grant is None or grant.code != code:
            raise InvalidInput(
                f"code {code!r} is not the current phone-id code of {sid}", code="invalid-code"
            )
        if now >= grant.expires:
            raise InvalidInput(
                f"the phone-id code of {sid} expired at {iso(grant.expires)}", code="code-expired"
            )
        data = silent_wav(seconds)
        self._convert(audio, "audio/wav", data, now)
        return audio

    # -- seed ------------------------------------------------------------------
    def load(self, obj: dict[str, Any]) -> AudioFile:
        audio = AudioFile(
            sid=obj["sid"],
            name=obj["name"],
            created=parse(obj["created"]),
            updated=parse(obj["updated"]),
            status=obj["status"],
            duration=obj.get("duration"),
            mime_type=obj.get("mimeType"),
            size=obj.get("size"),
        )
        return self.insert(audio)


@account_job("audio.convert")
def _run_convert(account: Any, job: Job) -> None:
    args = job.args
    account.audio_files.step(args["audio"], args["generation"], job.due, args["finish"])
