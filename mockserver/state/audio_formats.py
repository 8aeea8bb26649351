"""The audio formats an upload may be, recognised and measured from the bytes alone.

``sniff`` tells the real type of the content (WAV, FLAC, MPEG, MP4 or Ogg) from its
magic bytes, never from a file name or a declared type;
``measure`` reads the duration from the header where the format gives it cheaply (WAV with
the stdlib ``wave`` or, when it is not PCM, from its ``fmt``/``data`` chunks; FLAC from its
STREAMINFO) and raises ``DamagedAudio`` for a corrupt header or truncated data;
``silent_wav`` makes the WAV of a phone recording of nothing.
"""

from __future__ import annotations

import io
import struct
import wave


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
