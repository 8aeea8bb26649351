"""8 threads x 500 requests on one account through real HTTP: nothing lost, nothing doubled."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
import requests
from callr_mock import MockServer, Settings, create_app

THREADS = 8
REQUESTS_PER_THREAD = 500
SCRIPT = "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n        params:\n          message: hi\n"


def test_concurrent_mixed_traffic_keeps_state_exact(live: MockServer) -> None:
    base = live.url + "/v2.0"
    headers = {"x-api-key": "callr-mock-demo-key"}
    requests.post(
        live.url + "/_mock/accounts/sandbox1/credit", json={"balance": "100000"}, timeout=10
    ).raise_for_status()
    sent: list[list[dict[str, Any]]] = [[] for _ in range(THREADS)]
    last_name: dict[str, str] = {}
    statuses: list[Counter[int]] = [Counter() for _ in range(THREADS)]
    errors: list[str] = []
    # a dead worker breaks the barrier (BrokenBarrierError in the others) instead of hanging them
    start = threading.Barrier(THREADS, timeout=60)

    def worker(index: int) -> None:
        """Failures are collected in ``errors`` (an assert in a thread fails nothing)."""
        try:
            traffic(index)
        except Exception as error:
            start.abort()
            errors.append(f"worker {index}: {type(error).__name__}: {error}")

    def traffic(index: int) -> None:
        session = requests.Session()
        session.headers.update(headers)
        created = session.post(
            base + "/actions", json={"name": f"worker {index}", "script": SCRIPT}, timeout=10
        )
        if created.status_code != 201:
            raise AssertionError(f"create: {created.status_code} {created.text[:200]}")
        sid = created.json()["sid"]
        start.wait()
        for i in range(REQUESTS_PER_THREAD - 1):
            kind = i % 5
            if kind in (0, 1):
                response = session.post(
                    base + "/sms",
                    params={"to": "+33612345678"},
                    json={"text": f"t{index}-{i}"},
                    timeout=10,
                )
                if response.status_code == 201:
                    sent[index].append(response.json())
            elif kind == 2:
                response = session.get(base + "/sms", params={"limit": 5}, timeout=10)
            elif kind == 3:
                name = f"worker {index} edit {i}"
                response = session.patch(base + f"/actions/{sid}", json={"name": name}, timeout=10)
                if response.status_code == 200:
                    last_name[sid] = name
            else:
                response = session.get(base + f"/actions/{sid}", timeout=10)
            statuses[index][response.status_code] += 1
            if response.status_code >= 300:
                errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a worker is still running"
    assert errors == []
    total = sum(statuses, Counter())
    assert sum(total.values()) == THREADS * (REQUESTS_PER_THREAD - 1)

    all_sms = [sms for per_thread in sent for sms in per_thread]
    sids = [sms["sid"] for sms in all_sms]
    assert len(sids) == len(set(sids)), "duplicate sids"
    session = requests.Session()
    session.headers.update(headers)
    listed = session.get(base + "/sms", params={"limit": 1}, timeout=10).json()
    assert listed["total"] == len(all_sms) == THREADS * 200
    for sid, name in last_name.items():
        assert session.get(base + f"/actions/{sid}", timeout=10).json()["name"] == name
    spent = sum(Decimal(sms["cost"]) for sms in all_sms)
    credit = session.get(base + "/billing/credit", timeout=10).json()
    assert Decimal(credit["balance"]) == Decimal("100000") - spent
    assert requests.get(live.url + "/_mock/violations", timeout=10).json() == []


def test_a_server_stopped_as_soon_as_started_leaves_no_thread_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plugin stops its session server at once when a session fails to start: the
    serving thread must neither fail nor go on serving."""
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    app = create_app(Settings(clock="frozen"))
    before = threading.active_count()
    for _ in range(30):
        MockServer(Settings(port=0, clock="frozen"), app=app).start().stop()
    assert errors == []
    assert threading.active_count() <= before + 1  # at most a thread still winding down
