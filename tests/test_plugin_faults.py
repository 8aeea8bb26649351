"""The plugin's unhappy path: ``callr_mock.fault`` / ``rate_limit``, scoped to the test's
account, removed at teardown, isolated between parallel workers (pytester). The README's
worked example runs in tests/test_readme.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from callr_mock import MockServer


def test_faults_and_limits_go_at_teardown_and_stay_in_their_account(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_scoped="""
        import pytest
        import requests

        def test_faults_hit_only_this_account(callr_mock, callr_client):
            fault = callr_mock.fault("ping", status=500, times=None)
            callr_mock.rate_limit(100, per_seconds=1)
            assert callr_client.get("/ping").status_code == 500
            other = callr_mock.new_account()
            assert callr_mock.client(other).get("/ping").status_code == 200
            assert [f["id"] for f in callr_mock.faults()] == [fault.id]
            assert fault.info()["hits"] == 1

        def test_nothing_is_left_over(callr_mock, callr_mock_server, callr_client):
            assert callr_mock_server.control.faults() == []
            assert callr_mock_server.control.rate_limits() == []
            assert callr_client.get("/ping").status_code == 200

        def test_remove_and_refusals(callr_mock, callr_client):
            fault = callr_mock.fault("ping", latency_ms=10, times=None)
            fault.remove()
            assert callr_mock.faults() == []
            from callr_mock.plugin.handle import CallrMockError
            with pytest.raises(CallrMockError, match="unknown operation 'pong'"):
                callr_mock.fault("pong")
            with pytest.raises(CallrMockError, match="probability"):
                callr_mock.fault("ping", probability=2)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)


# Each worker's test puts a fault on its own account that lasts the whole test, and keeps
# sending requests while the other worker does the same on the same server: each must see
# exactly its own fault. A file-based rendezvous makes sure the two tests overlap.
ISOLATION = """
import os, time
from pathlib import Path

def rendezvous(me, tmp):
    Path(tmp, me).touch()
    deadline = time.monotonic() + 20
    while len(list(Path(tmp).iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(list(Path(tmp).iterdir())) == 2, "the two tests did not run at the same time"

def run(callr_mock, callr_client, status, me):
    callr_mock.fault("ping", status=status, times=None)
    callr_mock.rate_limit(1000, per_seconds=1)
    rendezvous(me, os.environ["RENDEZVOUS"])
    seen = {callr_client.get("/ping").status_code for _ in range(150)}
    assert seen == {status}, seen

def test_a(callr_mock, callr_client):
    run(callr_mock, callr_client, 502, "a")

def test_b(callr_mock, callr_client):
    run(callr_mock, callr_client, 503, "b")
"""


def test_parallel_workers_on_one_server_keep_their_faults_apart(
    pytester: pytest.Pytester,
    live: MockServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makepyfile(test_isolation=ISOLATION)
    meeting = tmp_path / "meet"
    meeting.mkdir()
    monkeypatch.setenv("RENDEZVOUS", str(meeting))
    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "no:randomly", f"--callr-mock-url={live.url}"
    )
    result.assert_outcomes(passed=2)
    journal = live.runtime.journal.list_entries()
    by_account: dict[str, set[int | None]] = {}
    for entry in journal:
        if entry["operation"] == "ping":
            by_account.setdefault(entry["account"], set()).add(entry["status"])
    assert sorted(map(frozenset, by_account.values()), key=sorted) == [
        frozenset({502}),
        frozenset({503}),
    ]
    assert live.runtime.store.faults.list() == []
