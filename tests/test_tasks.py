"""Tasks: lifecycle and progress on the frozen clock, v2.task.updated events, GET and
POST /tasks/{taskid}, search, and the cancel rules."""

from __future__ import annotations

from typing import Any

import pytest

SANDBOX = "sandbox1"


def start_export(api: Any, query: str = "") -> dict[str, Any]:
    response = api.post(f"/calls/export{query}")
    assert response.status_code == 202, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def task_events(client: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(
        f"/_mock/events?account={SANDBOX}&type=v2.task.updated"
    ).get_json()
    return found


def test_task_lifecycle_with_progress_and_events(api: Any, client: Any) -> None:
    task = start_export(api)
    sid = task["sid"]
    assert (task["type"], task["status"], task["progress"], task["result"], task["error"]) == (
        "calls-export",
        "pending",
        0,
        None,
        None,
    )
    assert task["created"] == task["updated"] == "2026-01-01T12:00:00.000Z"

    def now() -> dict[str, Any]:
        body: dict[str, Any] = api.get(f"/tasks/{sid}").get_json()
        return body

    api.advance(0.5)
    assert now() == task
    api.advance(0.5)
    assert (now()["status"], now()["progress"], now()["updated"]) == (
        "running",
        10,
        "2026-01-01T12:00:01.000Z",
    )
    api.advance(1.999)
    assert (now()["status"], now()["progress"]) == ("running", 10)
    api.advance(0.001)
    done = now()
    assert (done["status"], done["progress"], done["updated"]) == (
        "done",
        100,
        "2026-01-01T12:00:03.000Z",
    )
    assert done["result"]["records"] == 0
    fired = task_events(client)
    assert [(e["payload"]["status"], e["payload"]["progress"]) for e in fired] == [
        ("pending", 0),
        ("running", 10),
        ("done", 100),
    ]
    assert fired[-1]["payload"] == done
    api.advance(30)
    assert now() == done


def test_get_and_post_forms_answer_the_same(api: Any) -> None:
    sid = start_export(api)["sid"]
    api.advance(1)
    got = api.get(f"/tasks/{sid}")
    posted = api.post(f"/tasks/{sid}")
    assert got.status_code == posted.status_code == 200
    assert got.get_json() == posted.get_json()
    assert got.get_json()["status"] == "running"


def test_unknown_task_is_404_and_tasks_are_per_account(api: Any, other_api: Any) -> None:
    sid = start_export(api)["sid"]
    for method in ("get", "post", "delete"):
        response = getattr(other_api, method)(f"/tasks/{sid}")
        assert response.status_code == 404
        assert response.get_json()["code"] == "not-found"
    assert api.get("/tasks/zzzzzzzz").status_code == 404
    assert other_api.get("/tasks").get_json()["total"] == 0


@pytest.mark.parametrize("wait", [0, 1, 2])
def test_cancel_a_pending_or_running_task(api: Any, client: Any, wait: int) -> None:
    sid = start_export(api)["sid"]
    api.advance(wait)
    before = api.get(f"/tasks/{sid}").get_json()
    response = api.delete(f"/tasks/{sid}")
    assert response.status_code == 204
    assert response.get_data() == b""
    cancelled = api.get(f"/tasks/{sid}").get_json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["progress"] == before["progress"]
    assert cancelled["result"] is None
    assert task_events(client)[-1]["payload"] == cancelled
    api.advance(60)
    assert api.get(f"/tasks/{sid}").get_json() == cancelled  # never moves again
    assert task_events(client)[-1]["payload"] == cancelled


def test_cancel_a_finished_task_is_400_task_finished(api: Any) -> None:
    sid = start_export(api)["sid"]
    api.advance(3)
    done = api.get(f"/tasks/{sid}").get_json()
    response = api.delete(f"/tasks/{sid}")
    assert response.status_code == 400
    assert response.get_json()["code"] == "task-finished"
    assert "done" in response.get_json()["message"]
    assert api.get(f"/tasks/{sid}").get_json() == done
    assert api.delete(f"/tasks/{sid}").status_code == 400


def test_cancel_twice_is_400(api: Any) -> None:
    sid = start_export(api)["sid"]
    assert api.delete(f"/tasks/{sid}").status_code == 204
    second = api.delete(f"/tasks/{sid}")
    assert second.status_code == 400
    assert "cancelled" in second.get_json()["message"]


def test_a_failed_task_cannot_be_cancelled(api: Any, client: Any) -> None:
    client.post(
        f"/_mock/accounts/{SANDBOX}/calls",
        json={"direction": "inbound", "callerNumber": "+33199000009", "callee": "+33199001234"},
    )
    sid = start_export(api)["sid"]
    api.advance(3)
    assert api.get(f"/tasks/{sid}").get_json()["status"] == "failed"
    assert api.delete(f"/tasks/{sid}").get_json()["code"] == "task-finished"


def test_search_filters_order_and_pages(api: Any) -> None:
    a = start_export(api)["sid"]
    api.advance(5)
    b = start_export(api)["sid"]
    c = start_export(api)["sid"]
    api.delete(f"/tasks/{c}")
    api.advance(1)

    def found(query: str = "") -> list[str]:
        response = api.get(f"/tasks{query}")
        assert response.status_code == 200, response.get_json()
        return [hit["sid"] for hit in response.get_json()["hits"]]

    assert found() == [c, b, a]
    assert found("?order=asc") == [a, b, c]
    assert found("?status=done") == [a]
    assert found("?status=running") == [b]
    assert found("?status=cancelled") == [c]
    assert found("?status=pending") == []
    assert found("?type=calls-export") == [c, b, a]
    assert found("?type=recordings-delete") == []
    page = api.get("/tasks?limit=2&offset=1&order=asc").get_json()
    assert (page["offset"], page["total"], page["hasMore"]) == (1, 3, False)
    assert [hit["sid"] for hit in page["hits"]] == [b, c]
    assert api.get("/tasks?limit=2").get_json()["hasMore"] is True
    assert api.get("/tasks?status=finished").status_code == 400


def test_a_huge_offset_over_merged_index_lists_is_an_empty_page(api: Any) -> None:
    """Found by the --vary conformance pass: offset + limit beyond sys.maxsize crashed."""
    api.post("/calls/export", json={})
    api.delete("/recordings")
    api.advance(5)
    api.post("/calls/export", json={})
    for query in ({"type": "calls-export"}, {"status": "done"}, {}):
        answer = api.get("/tasks", query_string={**query, "offset": str(2**63 - 1)})
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["hits"] == [] and answer.get_json()["hasMore"] is False
