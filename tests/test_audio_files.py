"""Audio files: JSON create, multipart upload with type sniffing, the conversion lifecycle
on the sandbox clock, WAV/FLAC duration, rename, delete, search, phone-id."""

from __future__ import annotations

import io
import re
import struct
import wave
from typing import Any

import phonenumbers
import pytest
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.state.audio_formats import DamagedAudio, flac_duration, sniff, wav_duration

SID = re.compile(r"^[a-z0-9]{8}$")


# -- sample files ---------------------------------------------------------------------


def wav_bytes(seconds: float = 2.0, rate: int = 8000, width: int = 2, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(b"\x00" * int(seconds * rate) * width * channels)
    return buffer.getvalue()


def mulaw_wav(seconds: int = 3, rate: int = 8000) -> bytes:
    """A G.711 mu-law WAV (format 7), which the stdlib ``wave`` module does not read."""
    data = b"\xff" * (seconds * rate)
    fmt = struct.pack("<HHIIHH", 7, 1, rate, rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def flac_bytes(seconds: int = 4, rate: int = 44100) -> bytes:
    packed = (rate << 44) | (1 << 41) | (15 << 36) | (seconds * rate)
    info = struct.pack(">HH", 4096, 4096) + b"\x00" * 6 + packed.to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info + b"\x00" * 64


SAMPLES = {
    "audio/wav": wav_bytes(),
    "audio/flac": flac_bytes(),
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
    "audio/mpeg-frame": b"\xff\xfb\x90\x64" + b"\x00" * 64,  # MPEG-1 layer III, no ID3 tag
    "audio/mp4": b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + b"\x00" * 64,
    "audio/ogg": b"OggS\x00\x02" + b"\x00" * 64,
}
NOT_AUDIO = {
    "pdf": b"%PDF-1.7\n" + b"\x00" * 64,
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "text": b"hello, this is not audio at all",
    "aac-adts": b"\xff\xf1\x50\x80" + b"\x00" * 64,  # AAC, not MPEG layer I-III
    "riff-avi": b"RIFF\x00\x00\x00\x00AVI " + b"\x00" * 64,
}


def upload(
    api: Any,
    data: bytes,
    filename: str = "sound.wav",
    name: str | None = "Greeting",
    part_type: str = "audio/wav",
) -> Any:
    form: dict[str, Any] = {"file": (io.BytesIO(data), filename, part_type)}
    if name is not None:
        form["name"] = name
    return api.post("/audio-files", data=form, content_type="multipart/form-data")


def put_file(api: Any, sid: str, data: bytes, filename: str = "sound.wav") -> Any:
    return api.put(
        f"/audio-files/{sid}/file",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def audio_events(api: Any, sid: str) -> list[tuple[str, str]]:
    events = api.client.get(
        "/_mock/events", query_string={"type": "v2.audio-file.updated", "account": DEMO_ACCOUNT_SID}
    ).get_json()
    return [(e["payload"]["status"], e["at"]) for e in events if e["payload"]["sid"] == sid]


def total(api: Any) -> int:
    return api.get("/audio-files").get_json()["total"]


# -- sniffing and measuring (state rules) ------------------------------------------------


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_sniff_recognises_each_supported_format(kind: str) -> None:
    assert sniff(SAMPLES[kind]) == kind.removesuffix("-frame")


@pytest.mark.parametrize("kind", sorted(NOT_AUDIO))
def test_sniff_rejects_other_content(kind: str) -> None:
    assert sniff(NOT_AUDIO[kind]) is None


def test_wav_duration_comes_from_the_header() -> None:
    assert wav_duration(wav_bytes(2.5)) == 2.5
    assert wav_duration(wav_bytes(1.0, rate=16000, width=2, channels=2)) == 1.0
    assert wav_duration(mulaw_wav(3)) == 3.0


def test_damaged_wav_is_detected() -> None:
    with pytest.raises(DamagedAudio, match="truncated"):
        wav_duration(wav_bytes(2.0)[:-1000])
    with pytest.raises(DamagedAudio, match="truncated"):
        wav_duration(mulaw_wav(3)[:-10])
    with pytest.raises(DamagedAudio):
        wav_duration(b"RIFF\x24\x00\x00\x00WAVEjunk" + b"\x00" * 40)


def test_flac_duration_comes_from_streaminfo() -> None:
    assert flac_duration(flac_bytes(4)) == 4.0
    with pytest.raises(DamagedAudio):
        flac_duration(b"fLaC" + b"\x05" * 10)


# -- create ---------------------------------------------------------------------------


def test_json_create_has_no_content(api: Any) -> None:
    response = api.post("/audio-files", json={"name": "Welcome message"})
    assert response.status_code == 201
    audio = response.get_json()
    assert SID.match(audio["sid"])
    assert audio == {
        "sid": audio["sid"],
        "name": "Welcome message",
        "status": "pending-content",
        "duration": None,
        "mimeType": None,
        "size": None,
        "created": "2026-01-01T12:00:00.000Z",
        "updated": "2026-01-01T12:00:00.000Z",
    }
    api.advance(60)
    assert api.get(f"/audio-files/{audio['sid']}").get_json()["status"] == "pending-content"
    assert audio_events(api, audio["sid"]) == [("pending-content", "2026-01-01T12:00:00.000Z")]


def test_upload_converts_on_the_clock_and_fires_each_status(api: Any) -> None:
    data = wav_bytes(2.0)
    response = upload(api, data)
    assert response.status_code == 201
    audio = response.get_json()
    assert audio["status"] == "pending-conversion"
    assert audio["mimeType"] == "audio/wav" and audio["size"] == len(data)
    assert audio["duration"] is None
    sid = audio["sid"]

    api.advance(1)
    assert api.get(f"/audio-files/{sid}").get_json()["status"] == "processing"
    api.advance(2)
    ready = api.get(f"/audio-files/{sid}").get_json()
    assert ready["status"] == "ready"
    assert ready["duration"] == 2.0
    assert ready["updated"] == "2026-01-01T12:00:03.000Z"
    assert audio_events(api, sid) == [
        ("pending-conversion", "2026-01-01T12:00:00.000Z"),
        ("processing", "2026-01-01T12:00:01.000Z"),
        ("ready", "2026-01-01T12:00:03.000Z"),
    ]


def test_the_type_is_sniffed_not_taken_from_the_name_or_the_part(api: Any) -> None:
    created = {}
    for kind, data in SAMPLES.items():
        response = upload(api, data, filename="totally.txt", part_type="application/pdf")
        assert response.status_code == 201, (kind, response.get_json())
        assert response.get_json()["mimeType"] == kind.removesuffix("-frame")
        created[kind] = response.get_json()["sid"]
    api.advance(3)
    for kind, sid in created.items():
        assert api.get(f"/audio-files/{sid}").get_json()["status"] == "ready", kind


def test_a_wav_named_mp3_is_a_wav(api: Any) -> None:
    response = upload(api, wav_bytes(), filename="song.mp3", part_type="audio/mpeg")
    assert response.get_json()["mimeType"] == "audio/wav"


def test_unsupported_content_is_refused_and_creates_nothing(api: Any) -> None:
    for kind, data in NOT_AUDIO.items():
        response = upload(api, data, filename="sound.wav", part_type="audio/wav")
        assert response.status_code == 400, kind
        assert response.get_json()["code"] == "unsupported-audio-format"
    assert total(api) == 0
    assert api.client.get("/_mock/events").get_json() == []


def test_flac_duration_and_other_formats_without_duration(api: Any) -> None:
    flac = upload(api, flac_bytes(4)).get_json()
    ogg = upload(api, SAMPLES["audio/ogg"]).get_json()
    api.advance(3)
    assert api.get(f"/audio-files/{flac['sid']}").get_json()["duration"] == 4.0
    assert api.get(f"/audio-files/{ogg['sid']}").get_json()["duration"] is None


def test_name_defaults_to_the_file_name(api: Any) -> None:
    audio = upload(api, wav_bytes(), filename="welcome-fr.wav", name=None).get_json()
    assert audio["name"] == "welcome-fr.wav"


def test_a_damaged_wav_ends_in_error(api: Any) -> None:
    truncated = upload(api, wav_bytes(2.0)[:-1000]).get_json()["sid"]
    corrupt = upload(api, b"RIFF\x24\x00\x00\x00WAVEjunk" + b"\x00" * 40).get_json()["sid"]
    api.advance(3)
    for sid in (truncated, corrupt):
        audio = api.get(f"/audio-files/{sid}").get_json()
        assert audio["status"] == "error"
        assert audio["duration"] is None
        assert [s for s, _ in audio_events(api, sid)] == [
            "pending-conversion",
            "processing",
            "error",
        ]


def test_an_oversized_upload_is_refused_and_creates_nothing(api: Any) -> None:
    big = wav_bytes(70.0)  # 1.1 MB of 16-bit 8 kHz audio: over the 1 MiB body limit
    response = upload(api, big)
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload-too-large"
    assert total(api) == 0


def test_multipart_without_a_file_part_is_refused(api: Any) -> None:
    response = api.post(
        "/audio-files", data={"name": "nothing"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert total(api) == 0


def test_an_empty_file_is_refused(api: Any) -> None:
    response = upload(api, b"")
    assert response.status_code == 400
    assert total(api) == 0


# -- content ----------------------------------------------------------------------------


def test_put_file_gives_content_to_a_pending_content_file(api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "Later"}).get_json()["sid"]
    response = put_file(api, sid, mulaw_wav(3))
    assert response.status_code == 200
    assert response.get_json()["status"] == "pending-conversion"
    api.advance(3)
    audio = api.get(f"/audio-files/{sid}").get_json()
    assert (audio["status"], audio["duration"]) == ("ready", 3.0)


def test_new_content_during_a_conversion_restarts_it(api: Any) -> None:
    sid = upload(api, wav_bytes(2.0)).get_json()["sid"]
    api.advance(1)  # processing the first upload
    put_file(api, sid, wav_bytes(5.0))  # at 12:00:01
    api.advance(2)  # 12:00:03: the first upload's "ready" must not fire
    audio = api.get(f"/audio-files/{sid}").get_json()
    assert audio["status"] == "processing"
    api.advance(1)  # 12:00:04 = 3 s after the second upload
    audio = api.get(f"/audio-files/{sid}").get_json()
    assert (audio["status"], audio["duration"]) == ("ready", 5.0)
    assert [s for s, _ in audio_events(api, sid)] == [
        "pending-conversion",
        "processing",
        "pending-conversion",
        "processing",
        "ready",
    ]


def test_a_refused_put_leaves_the_file_as_it_was(api: Any) -> None:
    sid = upload(api, wav_bytes(2.0)).get_json()["sid"]
    api.advance(3)
    before = api.get(f"/audio-files/{sid}").get_json()
    response = put_file(api, sid, NOT_AUDIO["pdf"])
    assert response.status_code == 400
    assert response.get_json()["code"] == "unsupported-audio-format"
    assert api.get(f"/audio-files/{sid}").get_json() == before


def test_put_file_on_an_unknown_sid_is_404(api: Any) -> None:
    assert put_file(api, "zzzzzzzz", wav_bytes()).status_code == 404


def test_put_file_takes_multipart_only(api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "x"}).get_json()["sid"]
    assert api.put(f"/audio-files/{sid}/file", json={"file": "abc"}).status_code == 415


def test_uploaded_content_is_served_by_the_mock(api: Any) -> None:
    data = wav_bytes(1.0)
    sid = upload(api, data).get_json()["sid"]
    media = api.client.get(f"/_mock/media/{sid}")
    assert media.status_code == 200
    assert media.mimetype == "audio/wav"
    assert media.data == data


# -- rename, delete, get ------------------------------------------------------------------


def test_rename(api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "Old"}).get_json()["sid"]
    api.advance(5)
    response = api.patch(f"/audio-files/{sid}", json={"name": "New name"})
    assert response.status_code == 200
    audio = response.get_json()
    assert audio["name"] == "New name"
    assert audio["updated"] == "2026-01-01T12:00:05.000Z"
    assert api.patch(f"/audio-files/{sid}", json={"name": ""}).status_code == 400
    assert api.patch(f"/audio-files/{sid}", json={"name": "x" * 65}).status_code == 400
    assert api.patch("/audio-files/zzzzzzzz", json={"name": "y"}).status_code == 404


def test_delete_stops_the_lifecycle(api: Any) -> None:
    sid = upload(api, wav_bytes()).get_json()["sid"]
    assert api.delete(f"/audio-files/{sid}").status_code == 204
    assert api.get(f"/audio-files/{sid}").status_code == 404
    assert api.delete(f"/audio-files/{sid}").status_code == 404
    api.advance(5)
    assert [s for s, _ in audio_events(api, sid)] == ["pending-conversion"]


def test_audio_files_are_private_to_their_account(api: Any, other_api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "Mine"}).get_json()["sid"]
    assert other_api.get(f"/audio-files/{sid}").status_code == 404
    assert other_api.delete(f"/audio-files/{sid}").status_code == 404
    assert other_api.put(f"/audio-files/{sid}/phone-id").status_code == 404
    assert other_api.get("/audio-files").get_json()["total"] == 0


# -- search ---------------------------------------------------------------------------------


def test_search_by_partial_name_status_sort_and_order(api: Any) -> None:
    first = api.post("/audio-files", json={"name": "Welcome"}).get_json()
    api.advance(1)
    second = upload(api, wav_bytes(), name="welcome back").get_json()
    api.advance(1)
    third = api.post("/audio-files", json={"name": "Goodbye"}).get_json()

    def sids(**query: Any) -> list[str]:
        response = api.get("/audio-files", query_string=query)
        assert response.status_code == 200
        return [hit["sid"] for hit in response.get_json()["hits"]]

    assert sids() == [third["sid"], second["sid"], first["sid"]]  # updated, desc
    assert sids(name="WELCOME") == [second["sid"], first["sid"]]
    assert sids(status="pending-content", order="asc") == [first["sid"], third["sid"]]
    assert sids(sort="name", order="asc") == [third["sid"], first["sid"], second["sid"]]
    assert sids(sort="created", order="asc") == [first["sid"], second["sid"], third["sid"]]
    page = api.get("/audio-files", query_string={"limit": 2, "offset": 1}).get_json()
    assert (page["total"], page["offset"], page["hasMore"], len(page["hits"])) == (3, 1, False, 2)
    page = api.get("/audio-files", query_string={"limit": 1}).get_json()
    assert page["hasMore"] is True
    assert api.get("/audio-files", query_string={"status": "lost"}).status_code == 400
    assert api.get("/audio-files", query_string={"sort": "size"}).status_code == 400


# -- phone-id -------------------------------------------------------------------------------


def test_phone_id_gives_a_number_of_the_country_and_a_fresh_code(api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "By phone"}).get_json()["sid"]
    response = api.put(f"/audio-files/{sid}/phone-id")
    assert response.status_code == 200
    grant = response.get_json()
    assert set(grant) == {"number", "code", "expires"}
    number = phonenumbers.parse(grant["number"])
    assert phonenumbers.region_code_for_number(number) == "FR"
    assert phonenumbers.is_valid_number(number)
    assert re.fullmatch(r"[0-9]{6}", grant["code"])
    assert grant["expires"] == "2026-01-01T12:10:00.000Z"

    uk = api.put(f"/audio-files/{sid}/phone-id", query_string={"country": "GB"}).get_json()
    assert phonenumbers.region_code_for_number(phonenumbers.parse(uk["number"])) == "GB"
    assert uk["code"] != grant["code"]


def test_phone_id_refuses_an_unknown_country(api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "x"}).get_json()["sid"]
    response = api.put(f"/audio-files/{sid}/phone-id", query_string={"country": "ZZ"})
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid-country"
    assert (
        api.put(f"/audio-files/{sid}/phone-id", query_string={"country": "fr"}).status_code == 400
    )


def test_recording_by_phone_with_the_current_code(api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "By phone"}).get_json()["sid"]
    old = api.put(f"/audio-files/{sid}/phone-id").get_json()["code"]
    code = api.put(f"/audio-files/{sid}/phone-id").get_json()["code"]
    route = f"/_mock/accounts/{DEMO_ACCOUNT_SID}/audio-files/{sid}/record"
    if old != code:
        refused = api.client.post(route, json={"code": old, "duration": 4})
        assert refused.status_code == 400 and refused.get_json()["code"] == "invalid-code"
    recorded = api.client.post(route, json={"code": code, "duration": 4})
    assert recorded.status_code == 200
    assert recorded.get_json()["status"] == "pending-conversion"
    api.advance(3)
    audio = api.get(f"/audio-files/{sid}").get_json()
    assert (audio["status"], audio["mimeType"], audio["duration"]) == ("ready", "audio/wav", 4.0)
    again = api.client.post(route, json={"code": code, "duration": 4})
    assert again.status_code == 400  # a code records once


def test_an_expired_phone_id_code_is_refused(api: Any) -> None:
    sid = api.post("/audio-files", json={"name": "Late"}).get_json()["sid"]
    code = api.put(f"/audio-files/{sid}/phone-id").get_json()["code"]
    api.advance(600)
    response = api.client.post(
        f"/_mock/accounts/{DEMO_ACCOUNT_SID}/audio-files/{sid}/record", json={"code": code}
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "code-expired"


# -- seed and snapshot ---------------------------------------------------------------------


def test_seeded_audio_files_are_served_as_given(api: Any, runtime: Any) -> None:
    seeded = {
        "sid": "aud10f1l",
        "name": "Welcome message",
        "status": "ready",
        "duration": 4.2,
        "mimeType": "audio/mpeg",
        "size": 67890,
        "created": "2025-03-31T15:42:00.000Z",
        "updated": "2025-03-31T15:42:09.000Z",
    }
    runtime.seed({"accounts": [{"sid": DEMO_ACCOUNT_SID, "audio_files": [seeded]}]})
    assert api.get("/audio-files/aud10f1l").get_json() == seeded
    state = api.client.get("/_mock/state", query_string={"account": DEMO_ACCOUNT_SID}).get_json()
    assert state["accounts"][0]["audio_files"] == [seeded]
