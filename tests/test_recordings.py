"""Recordings: created by the control API, media served by the mock, search with the read
and date filters, mark read/unread, delete one, delete in bulk as a task."""

from __future__ import annotations

import io
import wave
from typing import Any

from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.state.recordings import media_chunks, media_size

CREATE = f"/_mock/accounts/{DEMO_ACCOUNT_SID}/recordings"


def record(api: Any, **body: Any) -> dict[str, Any]:
    response = api.client.post(CREATE, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def recording_events(api: Any) -> list[tuple[str, str, bool]]:
    events = api.client.get(
        "/_mock/events", query_string={"type": "v2.recording.updated", "account": DEMO_ACCOUNT_SID}
    ).get_json()
    return [(e["payload"]["sid"], e["payload"]["status"], e["payload"]["read"]) for e in events]


def sids(api: Any, **query: Any) -> list[str]:
    response = api.get("/recordings", query_string=query)
    assert response.status_code == 200, response.get_json()
    return [hit["sid"] for hit in response.get_json()["hits"]]


# -- media (state rules) -------------------------------------------------------------------


def test_media_is_a_valid_wav_of_the_duration() -> None:
    data = b"".join(media_chunks(3, chunk=5000))
    assert len(data) == media_size(3)
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getnframes() / reader.getframerate() == 3.0
    empty = b"".join(media_chunks(0))
    assert len(empty) == media_size(0) == 44
    with wave.open(io.BytesIO(empty)) as reader:
        assert reader.getnframes() == 0


# -- create and lifecycle ------------------------------------------------------------------


def test_control_api_creates_a_recording_that_becomes_ready(api: Any) -> None:
    created = record(
        api, duration=37, number="+33199001234", callerNumber="+33639980042", callid=242359184129
    )
    assert created == {
        "sid": created["sid"],
        "callid": 242359184129,
        "number": "+33199001234",
        "callerNumber": "+33639980042",
        "duration": 37,
        "read": False,
        "readAt": None,
        "status": "processing",
        "url": f"http://localhost/_mock/media/{created['sid']}",
        "size": media_size(37),
        "mimeType": "audio/wav",
        "created": "2026-01-01T12:00:00.000Z",
    }
    assert api.get(f"/recordings/{created['sid']}").get_json() == created
    api.advance(1)
    assert api.get(f"/recordings/{created['sid']}").get_json()["status"] == "ready"
    assert recording_events(api) == [
        (created["sid"], "processing", False),
        (created["sid"], "ready", False),
    ]


def test_control_api_defaults_and_explicit_status(api: Any) -> None:
    plain = record(api)
    assert plain["duration"] == 10 and plain["callerNumber"] == ""
    assert isinstance(plain["callid"], int)
    failed = record(api, status="error")
    api.advance(5)
    assert api.get(f"/recordings/{failed['sid']}").get_json()["status"] == "error"
    assert [s for sid, s, _ in recording_events(api) if sid == failed["sid"]] == ["error"]


def test_control_api_refuses_bad_input(api: Any) -> None:
    for body in ({"duration": -1}, {"duration": "long"}, {"number": "0612"}, {"status": "done"}):
        response = api.client.post(CREATE, json=body)
        assert response.status_code == 400, body
    assert api.client.post("/_mock/accounts/nosuchac/recordings", json={}).status_code == 404
    assert api.get("/recordings").get_json()["total"] == 0


def test_media_is_served_when_ready(api: Any) -> None:
    created = record(api, duration=2)
    path = created["url"].removeprefix("http://localhost")
    assert api.client.get(path).status_code == 409  # still processing
    api.advance(1)
    media = api.client.get(path)
    assert media.status_code == 200
    assert media.mimetype == "audio/wav"
    assert len(media.data) == created["size"]
    with wave.open(io.BytesIO(media.data)) as reader:
        assert reader.getnframes() / reader.getframerate() == 2.0
    assert api.client.get("/_mock/media/zzzzzzzz").status_code == 404


# -- read / unread -------------------------------------------------------------------------


def test_mark_read_and_unread(api: Any) -> None:
    sid = record(api, status="ready")["sid"]
    api.advance(30)
    response = api.patch(f"/recordings/{sid}", json={"read": True})
    assert response.status_code == 200
    assert (response.get_json()["read"], response.get_json()["readAt"]) == (
        True,
        "2026-01-01T12:00:30.000Z",
    )
    again = api.patch(f"/recordings/{sid}", json={"read": True}).get_json()
    assert again["readAt"] == "2026-01-01T12:00:30.000Z"  # unchanged
    unread = api.patch(f"/recordings/{sid}", json={"read": False}).get_json()
    assert (unread["read"], unread["readAt"]) == (False, None)
    assert [(s, r) for _, s, r in recording_events(api)] == [
        ("ready", False),
        ("ready", True),
        ("ready", False),
    ]
    assert api.patch(f"/recordings/{sid}", json={"read": "yes"}).status_code == 400
    assert api.patch(f"/recordings/{sid}", json={}).status_code == 400
    assert api.patch("/recordings/zzzzzzzz", json={"read": True}).status_code == 404


# -- search --------------------------------------------------------------------------------


def test_search_filters_and_order(api: Any) -> None:
    first = record(api)["sid"]  # 12:00:00
    api.advance(60)
    second = record(api)["sid"]  # 12:01:00
    api.advance(60)
    third = record(api)["sid"]  # 12:02:00
    api.patch(f"/recordings/{second}", json={"read": True})

    assert sids(api) == [third, second, first]
    assert sids(api, order="asc") == [first, second, third]
    assert sids(api, read="true") == [second]
    assert sids(api, read="false") == [third, first]
    assert sids(api, createdAfter="2026-01-01T12:01:00Z") == [third, second]  # inclusive
    assert sids(api, createdBefore="2026-01-01T13:01:00+01:00") == [second, first]
    assert sids(api, createdAfter="2026-01-01T12:00:30Z", createdBefore="2026-01-01T12:01:30Z") == [
        second
    ]
    page = api.get("/recordings", query_string={"limit": 2}).get_json()
    assert (page["total"], page["hasMore"], len(page["hits"])) == (3, True, 2)
    assert api.get("/recordings", query_string={"createdAfter": "yesterday"}).status_code == 400
    assert api.get("/recordings", query_string={"read": "maybe"}).status_code == 400


# -- delete --------------------------------------------------------------------------------


def test_delete_one(api: Any) -> None:
    sid = record(api)["sid"]
    assert api.delete(f"/recordings/{sid}").status_code == 204
    assert api.get(f"/recordings/{sid}").status_code == 404
    assert api.delete(f"/recordings/{sid}").status_code == 404
    api.advance(5)  # its "ready" step does not resurrect it
    assert api.get("/recordings").get_json()["total"] == 0


def test_bulk_delete_runs_as_a_task(api: Any) -> None:
    read = record(api)["sid"]
    unread = record(api)["sid"]
    api.patch(f"/recordings/{read}", json={"read": True})
    response = api.delete("/recordings", query_string={"read": "true"})
    assert response.status_code == 202
    task = response.get_json()
    assert (task["type"], task["status"], task["result"]) == ("recordings-delete", "pending", None)
    late = record(api)["sid"]  # created after the request: not part of it
    api.patch(f"/recordings/{late}", json={"read": True})

    assert sids(api, order="asc") == [read, unread, late]  # nothing deleted yet
    api.advance(3)
    done = api.get(f"/tasks/{task['sid']}").get_json()
    assert (done["status"], done["result"]) == ("done", {"deleted": 1})
    assert sids(api, order="asc") == [unread, late]


def test_bulk_delete_without_filters_deletes_everything(api: Any) -> None:
    for _ in range(3):
        record(api)
    task = api.delete("/recordings").get_json()
    api.advance(3)
    assert api.get(f"/tasks/{task['sid']}").get_json()["result"] == {"deleted": 3}
    assert api.get("/recordings").get_json()["total"] == 0


def test_bulk_delete_counts_only_what_it_deleted(api: Any) -> None:
    first = record(api)["sid"]
    record(api)
    task = api.delete("/recordings").get_json()
    api.delete(f"/recordings/{first}")  # gone before the task runs
    api.advance(3)
    assert api.get(f"/tasks/{task['sid']}").get_json()["result"] == {"deleted": 1}


def test_recordings_are_private_to_their_account(api: Any, other_api: Any) -> None:
    sid = record(api)["sid"]
    assert other_api.get(f"/recordings/{sid}").status_code == 404
    assert other_api.patch(f"/recordings/{sid}", json={"read": True}).status_code == 404
    assert other_api.get("/recordings").get_json()["total"] == 0
    task = other_api.delete("/recordings").get_json()
    api.advance(3)
    assert other_api.get(f"/tasks/{task['sid']}").get_json()["result"] == {"deleted": 0}
    assert api.get(f"/recordings/{sid}").status_code == 200


# -- seed and snapshot ---------------------------------------------------------------------


def test_seeded_recordings_are_served_as_given(api: Any, runtime: Any) -> None:
    seeded = {
        "sid": "rec0rd01",
        "callid": 242359184129,
        "number": "+33199001234",
        "callerNumber": "+33639980042",
        "duration": 37,
        "read": True,
        "readAt": "2025-03-30T08:00:00.000Z",
        "status": "ready",
        "url": "https://api.callr.com/v2.0/recordings/rec0rd01/audio.mp3",
        "size": 296000,
        "mimeType": "audio/mpeg",
        "created": "2025-03-29T17:56:02.000Z",
    }
    runtime.seed({"accounts": [{"sid": DEMO_ACCOUNT_SID, "recordings": [seeded]}]})
    assert api.get("/recordings/rec0rd01").get_json() == seeded
    state = api.client.get("/_mock/state", query_string={"account": DEMO_ACCOUNT_SID}).get_json()
    assert state["accounts"][0]["recordings"] == [seeded]
