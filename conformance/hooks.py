"""Schemathesis hooks of our conformance run (loaded by conformance/run.sh via SCHEMATHESIS_HOOKS).

The audio-file operations take a multipart ``file`` part whose encoding says
``audio/flac, audio/mpeg, audio/mp4, audio/ogg, audio/wav``. The sandbox sniffs the bytes
(never the declared type) and refuses anything that is not really one of those with 400
``unsupported-audio-format``, as a schema cannot say. Left alone, schemathesis sends random
bytes, so no positive upload ever succeeds and the operations behind an uploaded file are
never reached with a 2xx. These strategies give each media type real content of that type:
a playable PCM WAV, a FLAC with a valid STREAMINFO, and MPEG/MP4/Ogg files that start with
their format's signature, each followed by random bytes.
"""

from __future__ import annotations

import io
import struct
import wave

import schemathesis
from hypothesis import strategies as st

_TAIL = st.binary(max_size=64)


@st.composite
def _wav(draw: st.DrawFn) -> bytes:
    frames = draw(st.binary(max_size=800))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(draw(st.sampled_from([8000, 16000, 44100])))
        writer.writeframes(frames)
    return buffer.getvalue()


@st.composite
def _flac(draw: st.DrawFn) -> bytes:
    rate = draw(st.sampled_from([8000, 16000, 44100]))
    samples = draw(st.integers(min_value=0, max_value=rate * 10))
    # STREAMINFO: block sizes, frame sizes, then rate (20 bits), channels-1 (3), bits-1 (5),
    # total samples (36), then the MD5 of the audio.
    packed = (rate << 44) | (0 << 41) | (15 << 36) | samples
    info = struct.pack(">HH", 4096, 4096) + b"\0" * 6 + packed.to_bytes(8, "big") + b"\0" * 16
    header = b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info
    return header + draw(_TAIL)


def _signed(signature: bytes) -> st.SearchStrategy[bytes]:
    return _TAIL.map(lambda tail: signature + tail)


AUDIO: dict[str, st.SearchStrategy[bytes]] = {
    "audio/wav": _wav(),
    "audio/flac": _flac(),
    "audio/mpeg": _signed(b"ID3\x04\x00\x00\x00\x00\x00\x00"),
    "audio/mp4": _signed(b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00"),
    "audio/ogg": _signed(b"OggS\x00\x02"),
}
"""Content of each audio media type the spec's uploads name."""

for _media_type, _strategy in AUDIO.items():
    schemathesis.openapi.media_type(_media_type, _strategy)
