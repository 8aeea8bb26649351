"""Legacy ``media/library.*`` (audio files) and ``media/recording.*`` (recordings)."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.handlers.legacy.mapping import media_id, media_sid, number_hash
from callr_mock.plugin.parity import LegacyClient, assert_parity
from legacy_support import NOW, legacy_client, ok, rpc_error, wav_base64


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


# -- media library = audio files -----------------------------------------------------------------
def test_create_returns_an_integer_id_of_an_audio_file(rpc: LegacyClient, api: Any) -> None:
    item_id = rpc.call("media/library.create", "Welcome message")
    assert isinstance(item_id, int)
    sid = media_sid(item_id)
    rest = ok(api.get(f"/audio-files/{sid}"))
    assert (rest["name"], rest["status"]) == ("Welcome message", "pending-content")
    item = rpc.call("media/library.get", item_id)
    assert item == {
        "id": item_id,
        "hash": sid.upper(),
        "name": "Welcome message",
        "content": None,
        "status": "PENDING_CONTENT",
        "duration": None,
        "voice": None,
        "source": None,
        "language": [],
        "category": [],
        "tags": {},
        "url": None,
        "is_editable": True,
        "date_creation": NOW,
        "date_update": NOW,
    }
    assert rpc.call("media/library.get", sid.upper()) == item  # the hash works too
    assert_parity("media", item, rest)


def test_audio_file_created_by_rest_is_a_media_item(rpc: LegacyClient, api: Any) -> None:
    rest = ok(api.post("/audio-files", json={"name": "From REST"}), 201)
    item = rpc.call("media/library.get", media_id(rest["sid"]))
    assert item["hash"] == rest["sid"].upper()
    assert_parity("media", item, rest)
    [hit] = rpc.call("media/library.search", {}, {})["hits"]
    assert hit == item


def test_content_name_tags_and_delete(rpc: LegacyClient, api: Any) -> None:
    item_id = rpc.call("media/library.create", "Greeting")
    sid = media_sid(item_id)
    assert rpc.call("media/library.set_content_from_file", item_id, wav_base64(2.4)) is True
    assert ok(api.get(f"/audio-files/{sid}"))["status"] == "pending-conversion"
    assert rpc.call("media/library.get", item_id)["status"] == "PENDING_CONVERSION"
    api.advance(3)
    item = rpc.call("media/library.get", item_id)
    rest = ok(api.get(f"/audio-files/{sid}"))
    assert (item["status"], item["duration"], rest["duration"]) == ("READY", 2, 2.4)
    assert_parity("media", item, rest)
    assert rpc.call("media/library.set_name", item_id, "Hello") is True
    assert ok(api.get(f"/audio-files/{sid}"))["name"] == "Hello"
    assert (
        rpc.call("media/library.set_tags", item_id, {"CATEGORY": ["ivr"], "LANGUAGE": ["fr"]})
        is True
    )
    assert rpc.call("media/library.get", item_id)["tags"] == {}
    assert rpc.call("media/library.delete", item_id) is True
    assert api.get(f"/audio-files/{sid}").status_code == 404
    assert rpc_error(rpc, "media/library.get", item_id).code == -32004


def test_content_is_the_text_prompt_of_the_content_it_came_with(
    rpc: LegacyClient, api: Any
) -> None:
    """``content`` is the text given to ``media/library.set_content`` (sdk-dotnet
    MediaService.SetContent: "Text prompt (What is your Media saying?)"; MediaLibrary.cs:
    "Media text content if provided"), as examples-nodejs media.js prints it; new audio
    from REST (or no text) leaves no stale prompt behind."""
    item_id = rpc.call("media/library.create", "Hold music")
    assert rpc.call("media/library.get", item_id)["content"] is None
    assert rpc.call("media/library.set_content", item_id, "Waiting music 01", wav_base64(1))
    listed = rpc.call("media/library.get_list", None)[str(item_id)]
    assert (listed["content"], listed["voice"], listed["source"]) == (
        "Waiting music 01",
        None,
        None,
    )
    assert rpc.call("media/library.search", {}, {})["hits"][0]["content"] == "Waiting music 01"
    sid = media_sid(item_id)
    assert "content" not in ok(api.get(f"/audio-files/{sid}"))  # REST v2 has no such field
    replaced = api.put(
        f"/audio-files/{sid}/file",
        data={"file": (io.BytesIO(base64.b64decode(wav_base64(2))), "new.wav")},
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 200, replaced.get_json()
    assert rpc.call("media/library.get", item_id)["content"] is None
    assert rpc.call("media/library.set_content", item_id, None, wav_base64(1))
    assert rpc.call("media/library.get", item_id)["content"] is None


def test_content_errors(rpc: LegacyClient, api: Any) -> None:
    item_id = rpc.call("media/library.create", "Greeting")
    error = rpc_error(rpc, "media/library.set_content_from_file", item_id, "/tmp/upload-1234.wav")
    assert error.code == -32602 and "base64" in error.message
    not_audio = base64.b64encode(b"plain text, not audio").decode()
    error = rpc_error(rpc, "media/library.set_content_from_file", item_id, not_audio)
    assert error.data["code"] == "unsupported-audio-format"
    assert ok(api.get(f"/audio-files/{media_sid(item_id)}"))["status"] == "pending-content"
    data_url = "data:audio/wav;base64," + wav_base64(1)
    assert rpc.call("media/library.set_content_from_file", item_id, data_url) is True


def test_phone_id(rpc: LegacyClient) -> None:
    item_id = rpc.call("media/library.create", "By phone")
    grant = rpc.call("media/library.get_phone_id", item_id, "FR")
    assert set(grant) == {"code", "number"} and grant["number"].startswith("+33")
    assert len(grant["code"]) == 6 and grant["code"].isdigit()
    assert rpc.call("media/library.get_phone_id", item_id)["number"].startswith("+33")  # default FR
    assert rpc_error(rpc, "media/library.get_phone_id", item_id, "France").code == -32602


def test_library_search(rpc: LegacyClient, api: Any) -> None:
    first = rpc.call("media/library.create", "Welcome")
    api.advance(1)
    second = rpc.call("media/library.create", "Goodbye")
    rpc.call("media/library.set_content_from_file", second, wav_base64(1))

    def found(filters: Any, options: Any = None) -> list[int]:
        return [h["id"] for h in rpc.call("media/library.search", filters, options)["hits"]]

    assert found({}) == [second, first]
    assert found({}, {"order": "ASC"}) == [first, second]
    assert found({"name": "welc"}) == [first]
    assert found({"status": "PENDING_CONTENT"}) == [first]
    assert found({"tags": {"CATEGORY": ["x"]}, "language": "fr", "category": "y"}) == [
        second,
        first,
    ]
    assert (
        rpc_error(rpc, "media/library.search", {"status": "pending-content"}, None).code == -32602
    )


@pytest.mark.parametrize("bad", [-1, 36**8, True, "short", 1.5])
def test_media_ids(rpc: LegacyClient, bad: Any) -> None:
    assert rpc_error(rpc, "media/library.get", bad).code == -32602


def test_media_create_refuses_what_rest_refuses(rpc: LegacyClient, api: Any) -> None:
    assert rpc_error(rpc, "media/library.create", "").code == -32602
    assert rpc_error(rpc, "media/library.create", "x" * 65).code == -32602
    assert ok(api.get("/audio-files"))["total"] == 0


# -- recordings -------------------------------------------------------------------------------------
def record(client: Any, **fields: Any) -> dict[str, Any]:
    body = {"duration": 12, "number": "+33199001234", "callerNumber": "+33639980042", **fields}
    response = client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings", json=body)
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def test_recordings_read_both_ways(rpc: LegacyClient, client: Any, api: Any) -> None:
    created = record(client, status="ready")
    [legacy] = rpc.call("media/recording.search", {}, {})["hits"]
    assert legacy == {
        "hash": created["sid"].upper(),
        "callid": created["callid"],
        "did_hash": number_hash("+33199001234"),
        "did_intl_number": "+33199001234",
        "cli_number": "+33639980042",
        "duration": 12,
        "read": False,
        "date_read": None,
        "status": "READY",
        "url": created["url"],
        "file_size_total": created["size"],
        "date": NOW,
    }
    assert_parity("recording", legacy, ok(api.get(f"/recordings/{created['sid']}")))


def test_mark_read_and_unread(rpc: LegacyClient, client: Any, api: Any) -> None:
    sid = record(client)["sid"]
    api.advance(30)
    assert rpc.call("media/recording.mark_as_read_async", sid.upper()) is True
    rest = ok(api.get(f"/recordings/{sid}"))
    assert (rest["read"], rest["readAt"]) == (True, "2026-01-01T12:00:30.000Z")
    [legacy] = rpc.call("media/recording.search", {"read": True}, None)["hits"]
    assert (legacy["read"], legacy["date_read"], legacy["status"]) == (
        True,
        "2026-01-01 12:00:30",
        "READY",
    )
    assert rpc.call("media/recording.mark_as_unread_async", sid.upper()) is True
    assert ok(api.get(f"/recordings/{sid}"))["read"] is False
    assert rpc.call("media/recording.search", {"read": True}, None)["total"] == 0
    assert rpc_error(rpc, "media/recording.mark_as_read_async", "ZZZZZZZZ").code == -32004


def test_delete_one_or_several_at_once(rpc: LegacyClient, client: Any, api: Any) -> None:
    one, two, three = (record(client)["sid"] for _ in range(3))
    assert rpc.call("media/recording.delete_async", one.upper()) is True
    assert api.get(f"/recordings/{one}").status_code == 404
    error = rpc_error(rpc, "media/recording.delete_async", [two.upper(), "ZZZZZZZZ"])
    assert error.code == -32004
    assert api.get(f"/recordings/{two}").status_code == 200  # nothing deleted
    assert rpc.call("media/recording.delete_async", [two.upper(), three.upper()]) is True
    assert ok(api.get("/recordings"))["total"] == 0


def test_delete_by_filters_is_a_job(rpc: LegacyClient, client: Any, api: Any) -> None:
    old = record(client)["sid"]
    api.advance(60)
    new = record(client)["sid"]
    job_hash = rpc.call("media/recording.delete_async", {"date_to": "2026-01-01 12:00:30"})
    task = ok(api.get(f"/tasks/{job_hash.lower()}"))
    assert (task["type"], task["status"]) == ("recordings-delete", "pending")
    api.advance(3)
    job = rpc.call("jobs.get", job_hash)
    assert (job["status"], job["result"]) == ("DONE", {"deleted": 1})
    assert api.get(f"/recordings/{old}").status_code == 404
    assert api.get(f"/recordings/{new}").status_code == 200
    everything = rpc.call("media/recording.delete_async", None)
    api.advance(3)
    assert rpc.call("jobs.get", everything)["result"] == {"deleted": 1}


def test_recording_search_errors(rpc: LegacyClient) -> None:
    assert rpc_error(rpc, "media/recording.search", {"read": "yes"}, None).code == -32602
    assert rpc_error(rpc, "media/recording.search", {"date_from": "yesterday"}, None).code == -32602
    assert rpc_error(rpc, "media/recording.delete_async", 42).code == -32602
