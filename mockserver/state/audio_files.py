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
- ``phone_id(country)`` issues a number to call and a 6-digit code, valid 10 minutes;
  a new call replaces the previous code.
"""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from callr_mock.state.errors import InvalidInput, NotFound
from callr_mock.state.pagination import page, sort_items
from callr_mock.state.repo import Repo, next_seq
from callr_mock.state.timefmt import iso, parse

AUDIO_STATUSES = ("pending-content", "pending-conversion", "processing", "ready", "error")
AUDIO_TYPES = ("audio/wav", "audio/flac", "audio/mpeg", "audio/mp4", "audio/ogg")
PROCESSING_AFTER = timedelta(seconds=1)
READY_AFTER = timedelta(seconds=3)
PHONE_ID_VALIDITY = timedelta(minutes=10)
MAX_AUDIO_BYTES = 1024 * 1024  # the default request body limit of the server (413 above it)
NAME_MAX = 64


class UnsupportedAudio(InvalidInput):
    code = "unsupported-audio-format"


# -- sniffing and measuring ------------------------------------------------------


def _is_mpeg_frame(head: bytes) -> bool:
    """An MPEG-1/2/2.5 audio frame header (layer I-III), not AAC/ADTS (layer bits 00)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x03
    return version != 0x01 and layer != 0x00 and bitrate != 0x0F and rate != 0x03


def sniff(data: bytes) -> str | None:
    """The audio MIME type the bytes really are, or ``None``."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"fLaC":
        return "audio/flac"
    if data[:3] == b"ID3" or _is_mpeg_frame(data[:4]):
        return "audio/mpeg"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "audio/mp4"
    if data[:4] == b"OggS":
        return "audio/ogg"
    return None


class DamagedAudio(ValueError):
    """The type was recognised but the content cannot be converted."""


def _riff_chunks(data: bytes) -> dict[bytes, tuple[int, int]]:
    """``{chunk id: (offset of the data, declared size)}`` of a RIFF/WAVE file."""
    chunks: dict[bytes, tuple[int, int]] = {}
    position = 12
    while position + 8 <= len(data):
        chunk_id, size = struct.unpack("<4sI", data[position : position + 8])
        chunks.setdefault(chunk_id, (position + 8, size))
        position += 8 + size + (size & 1)
    return chunks


def wav_duration(data: bytes) -> float:
    """Seconds of audio in a WAV file; ``DamagedAudio`` if the header is corrupt or the data truncated."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            frames, rate = reader.getnframes(), reader.getframerate()
            width = reader.getsampwidth() * reader.getnchannels()
            got = len(reader.readframes(frames))
        if rate <= 0 or width <= 0:
            raise DamagedAudio("WAV header has no sample rate or no channels")
        if got < frames * width:
            raise DamagedAudio(f"WAV data is truncated: {got} of {frames * width} bytes")
        return round(frames / rate, 3)
    except wave.Error as error:
        if "unknown format" not in str(error):
            raise DamagedAudio(f"corrupt WAV header: {error}") from None
    except (EOFError, struct.error) as error:
        raise DamagedAudio(f"corrupt WAV header: {error}") from None
    # Not PCM (mu-law, A-law, float...): measure from the fmt and data chunks.
    chunks = _riff_chunks(data)
    if b"fmt " not in chunks or b"data" not in chunks:
        raise DamagedAudio("WAV file without a fmt or data chunk")
    fmt_at, fmt_size = chunks[b"fmt "]
    if fmt_size < 16 or fmt_at + 16 > len(data):
        raise DamagedAudio("WAV fmt chunk is too short")
    byte_rate = struct.unpack("<I", data[fmt_at + 8 : fmt_at + 12])[0]
    data_at, data_size = chunks[b"data"]
    if byte_rate <= 0:
        raise DamagedAudio("WAV header has a byte rate of 0")
    if data_at + data_size > len(data):
        raise DamagedAudio(f"WAV data is truncated: {len(data) - data_at} of {data_size} bytes")
    return round(data_size / byte_rate, 3)


def flac_duration(data: bytes) -> float | None:
    """Seconds from the FLAC STREAMINFO block; ``None`` when it does not say."""
    if len(data) < 8 + 34 or data[4] & 0x7F != 0:
        raise DamagedAudio("FLAC file without a STREAMINFO block")
    info = data[8 : 8 + 34]
    packed = int.from_bytes(info[10:18], "big")
    rate = packed >> 44
    total = packed & ((1 << 36) - 1)
    if rate == 0:
        raise DamagedAudio("FLAC STREAMINFO has a sample rate of 0")
    return round(total / rate, 3) if total else None


def measure(mime_type: str, data: bytes) -> float | None:
    """Duration in seconds when the format tells it cheaply, else ``None``; may raise DamagedAudio."""
    if mime_type == "audio/wav":
        return wav_duration(data)
    if mime_type == "audio/flac":
        return flac_duration(data)
    return None


def silent_wav(seconds: float, rate: int = 8000) -> bytes:
    """A mono 8-bit PCM WAV of silence (what a phone recording of nothing sounds like)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(rate)
        writer.writeframes(b"\x80" * int(seconds * rate))
    return buffer.getvalue()


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
    seq: int = field(default_factory=next_seq)

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
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("name must be a non-empty string", code="invalid-name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            f"name is {len(name)} characters long; at most {NAME_MAX}", code="invalid-name"
        )
    return name


class AudioFileRepo(Repo):
    def __init__(self, account: Any) -> None:
        super().__init__(account)
        self.items: dict[str, AudioFile] = {}

    def _changed(self, audio: AudioFile, at: datetime, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(audio, name, value)
        audio.updated = at
        self.account.emit("v2.audio-file.updated", audio.to_api(), at=at)

    # -- create / content ----------------------------------------------------
    def create(self, name: str) -> AudioFile:
        """A file without content (``pending-content``)."""
        now = self.store.clock.now()
        audio = AudioFile(
            sid=self.store.ids.sid(), name=_check_name(name), created=now, updated=now
        )
        self.items[audio.sid] = audio
        self.account.emit("v2.audio-file.updated", audio.to_api(), at=now)
        return audio

    def upload(self, name: str | None, data: bytes, filename: str | None = None) -> AudioFile:
        """Create a file from an upload. A refused upload creates nothing."""
        mime_type = self._accept(data)
        chosen = name if name is not None else (filename or "").strip()[:NAME_MAX] or "audio file"
        now = self.store.clock.now()
        audio = AudioFile(
            sid=self.store.ids.sid(), name=_check_name(chosen), created=now, updated=now
        )
        self.items[audio.sid] = audio
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
        scheduler.schedule(
            now + PROCESSING_AFTER, lambda at: self._step(audio, generation, at, None), owner=owner
        )
        scheduler.schedule(
            now + READY_AFTER, lambda at: self._step(audio, generation, at, mime_type), owner=owner
        )

    def _step(self, audio: AudioFile, generation: int, at: datetime, finish: str | None) -> None:
        if self.items.get(audio.sid) is not audio or audio.generation != generation:
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
    def get(self, sid: str) -> AudioFile:
        audio = self.items.get(sid)
        if audio is None:
            raise NotFound(f"no audio file with sid {sid!r} on this account")
        return audio

    def rename(self, sid: str, name: str) -> AudioFile:
        audio = self.get(sid)
        audio.name = _check_name(name)
        audio.updated = self.store.clock.now()
        return audio

    def delete(self, sid: str) -> None:
        self.get(sid)
        del self.items[sid]

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
        needle = name.casefold() if name else None
        found = [
            audio
            for audio in self.items.values()
            if (needle is None or needle in audio.name.casefold())
            and (status is None or audio.status == status)
        ]
        keys = {
            "name": lambda a: a.name.casefold(),
            "created": lambda a: a.created,
            "updated": lambda a: a.updated,
        }
        if sort not in keys:
            raise InvalidInput(f"sort must be one of {', '.join(keys)}, not {sort!r}")
        ordered = sort_items(found, key=keys[sort], order=order, tiebreak=lambda a: a.seq)
        return page(ordered, offset=offset, limit=limit, render=AudioFile.to_api)

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

    # -- snapshot / seed -------------------------------------------------------
    def snapshot(self) -> list[dict[str, Any]]:
        return [audio.to_api() for audio in sorted(self.items.values(), key=lambda a: a.seq)]

    def load(self, obj: dict[str, Any]) -> None:
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
        self.items[audio.sid] = audio
