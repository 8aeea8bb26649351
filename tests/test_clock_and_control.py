"""The sandbox clock, the scheduler, tasks on the clock, and the control API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from callr_mock.state.clock import SandboxClock
from callr_mock.state.scheduler import Scheduler
from callr_mock.state.timefmt import iso, parse


def test_frozen_clock_moves_only_when_advanced() -> None:
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    clock = SandboxClock("frozen", start)
    assert clock.now() == start
    assert clock.now() == start
    clock.advance(90.5)
    assert clock.now() == start + timedelta(seconds=90.5)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


def test_real_clock_can_be_frozen_and_resumed_without_jumping() -> None:
    clock = SandboxClock("real")
    frozen_at = clock.freeze()
    assert clock.mode == "frozen"
    clock.advance(3600)
    clock.unfreeze()
    assert clock.mode == "real"
    assert clock.now() - frozen_at >= timedelta(seconds=3600)
    assert clock.now() - frozen_at < timedelta(seconds=3660)


def test_scheduler_runs_due_jobs_in_time_order_with_their_own_due_time() -> None:
    seen: list[tuple[str, datetime]] = []
    scheduler = Scheduler()
    scheduler.runners["note"] = lambda _store, job: seen.append((job.args["name"], job.due))
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    scheduler.schedule(t0 + timedelta(seconds=5), "note", {"name": "late"})
    scheduler.schedule(t0 + timedelta(seconds=1), "note", {"name": "early"})
    scheduler.schedule(t0 + timedelta(seconds=1), "note", {"name": "early-2"})
    assert scheduler.run_due(t0) == 0
    assert scheduler.run_due(t0 + timedelta(seconds=2)) == 2
    assert seen == [("early", t0 + timedelta(seconds=1)), ("early-2", t0 + timedelta(seconds=1))]
    scheduler.run_due(t0 + timedelta(days=1))
    assert seen[-1] == ("late", t0 + timedelta(seconds=5))


def test_iso_format_is_utc_with_milliseconds() -> None:
    moment = datetime(2024, 4, 24, 12, 0, 42, 7000, tzinfo=UTC)
    assert iso(moment) == "2024-04-24T12:00:42.007Z"
    assert parse("2024-04-24T14:00:42.007+02:00") == moment
    with pytest.raises(ValueError):
        parse("2024-04-24 12:00:42")


def test_task_lifecycle_follows_the_frozen_clock(api: Any, runtime: Any) -> None:
    with runtime.store.lock:
        task = runtime.store.account("sandbox1").tasks.start("calls-export", result={"records": 0})
    assert api.get(f"/tasks/{task.sid}").get_json()["status"] == "pending"
    api.advance(0.5)
    assert api.get(f"/tasks/{task.sid}").get_json()["status"] == "pending"
    api.advance(0.5)
    running = api.get(f"/tasks/{task.sid}").get_json()
    assert running["status"] == "running"
    api.advance(2)
    done = api.post(f"/tasks/{task.sid}").get_json()
    assert done["status"] == "done" and done["progress"] == 100
    assert done["result"] == {"records": 0}
    created = parse(done["created"])
    assert parse(done["updated"]) - created == timedelta(seconds=3)
    events = api.client.get("/_mock/events?type=v2.task.updated").get_json()
    assert [e["payload"]["status"] for e in events] == ["pending", "running", "done"]


def test_cancel_rules(api: Any, runtime: Any) -> None:
    with runtime.store.lock:
        tasks = runtime.store.account("sandbox1").tasks
        pending, finished = tasks.start("calls-export"), tasks.start("calls-export", duration=1)
    api.advance(1)
    assert api.delete(f"/tasks/{pending.sid}").status_code == 204
    assert api.get(f"/tasks/{pending.sid}").get_json()["status"] == "cancelled"
    api.advance(10)
    assert api.get(f"/tasks/{pending.sid}").get_json()["status"] == "cancelled"
    refused = api.delete(f"/tasks/{finished.sid}")
    assert refused.status_code == 400
    assert refused.get_json()["code"] == "task-finished"
    assert api.get("/tasks?status=cancelled").get_json()["total"] == 1


def test_control_clock_routes(client: Any) -> None:
    before = client.get("/_mock/clock").get_json()
    assert before["mode"] == "frozen"
    moved = client.post("/_mock/clock/advance", json={"seconds": 60}).get_json()
    assert parse(moved["now"]) - parse(before["now"]) == timedelta(seconds=60)
    pinned = client.post("/_mock/clock/freeze", json={"at": "2030-01-01T00:00:00Z"}).get_json()
    assert pinned["now"] == "2030-01-01T00:00:00.000Z"
    assert client.post("/_mock/clock/advance", json={"seconds": -5}).status_code == 400
    assert client.post("/_mock/clock/advance", json={"seconds": "5"}).status_code == 400
    assert client.post("/_mock/clock/unfreeze").get_json()["mode"] == "real"


def test_ping_reports_sandbox_time(api: Any) -> None:
    api.client.post("/_mock/clock/freeze", json={"at": "2031-02-03T04:05:06.789Z"})
    assert api.get("/ping").get_json() == {"pong": "pong", "time": "2031-02-03T04:05:06.789Z"}


def test_reset_empties_accounts_but_keeps_credentials(api: Any, runtime: Any) -> None:
    with runtime.store.lock:
        runtime.store.account("sandbox1").tasks.start("calls-export")
    assert api.get("/tasks").get_json()["total"] == 1
    assert api.client.post("/_mock/reset").status_code == 204
    assert api.get("/tasks").get_json()["total"] == 0
    assert api.client.get("/_mock/journal").get_json() == [
        e for e in api.client.get("/_mock/journal").get_json() if e["path"] == "/v2.0/tasks"
    ]
    assert runtime.store.scheduler.pending() == 0


def test_accounts_control_routes(client: Any) -> None:
    created = client.post("/_mock/accounts", json={"credit": "1250"}).get_json()
    assert len(created["sid"]) == 8 and created["key"]
    headers = {"x-api-key": created["key"]}
    assert client.get("/v2.0/ping", headers=headers).status_code == 200
    state = client.get(f"/_mock/state?account={created['sid']}").get_json()
    assert state["accounts"][0]["credit"]["balance"] == "1250.00"
    assert client.post("/_mock/accounts", json={"sid": created["sid"]}).status_code == 400
    assert client.delete(f"/_mock/accounts/{created['sid']}").status_code == 204
    assert client.get("/v2.0/ping", headers=headers).status_code == 401
    assert client.delete(f"/_mock/accounts/{created['sid']}").status_code == 404


def test_credit_top_up_fires_an_event(client: Any) -> None:
    topped = client.post("/_mock/accounts/sandbox1/credit", json={"amount": "1000"}).get_json()
    assert topped["balance"] == "11000.00"
    events = client.get("/_mock/events?account=sandbox1&type=v2.billing.credit.topup").get_json()
    assert [e["payload"]["balance"] for e in events] == ["11000.00"]
    assert client.post("/_mock/accounts/sandbox1/credit", json={"amount": "-3"}).status_code == 400


def test_health_lists_the_spec(client: Any) -> None:
    health = client.get("/_mock/health").get_json()
    assert health["status"] == "ok"
    assert health["spec"].startswith("Callr REST API v2.0")
    assert health["operations"] >= 48
