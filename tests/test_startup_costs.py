"""What a mock costs when nobody uses it, and what its first request costs.

An idle ``callr-mock serve`` must not burn CPU nor wake up on a timer (the real-clock
ticker sleeps until a job is due), and the lazy data a first request would load
(libphonenumber's geocoder, the catalogue, the price list) is loaded at start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.served import served

IDLE_SECONDS = 2.0
PROC = Path("/proc")
needs_proc = pytest.mark.skipif(not (PROC / "self" / "stat").exists(), reason="needs Linux /proc")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads) so far."""
    fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wakeups(pid: int) -> int:
    """Context switches of all the process' threads so far: each wake-up of a sleeping thread."""
    total = 0
    for task in (PROC / str(pid) / "task").iterdir():
        try:
            status = (task / "status").read_text()
        except FileNotFoundError:  # a thread that just ended
            continue
        for line in status.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


@needs_proc
def test_an_idle_server_uses_no_cpu_and_does_not_poll() -> None:
    # real clock (the ticker runs), demo seed (state with lifecycles), a pending job far ahead
    with served("--seed", "demo") as server:
        time.sleep(0.5)  # let start-up settle
        cpu, woke = cpu_seconds(server.pid), wakeups(server.pid)
        time.sleep(IDLE_SECONDS)
        used = cpu_seconds(server.pid) - cpu
        woken = wakeups(server.pid) - woke
    assert used < 0.05 * IDLE_SECONDS, f"idle server used {used:.2f} s CPU in {IDLE_SECONDS} s"
    # waitress' loop wakes once a second; a thread polling every 50 ms would add ~40
    assert woken <= 10, f"idle server woke {woken} times in {IDLE_SECONDS} s"


FIRST_REQUESTS = """
import sys
from callr_mock import create_app

client = create_app().test_client()
key = {"x-api-key": "callr-mock-demo-key"}
loaded = set(sys.modules)
script = "branches:\\n  api-initiated:\\n    actions:\\n      - action: log@v1\\n"
answers = [
    client.post("/v2.0/sms", query_string={"to": "+33612345678"}, json={"text": "Hi"}, headers=key),
    client.get("/v2.0/numbers/store/prefixes", query_string={"country": "FR"}, headers=key),
    client.post("/v2.0/actions", json={"name": "a", "script": script}, headers=key),
    client.post(
        "/json-rpc/v1.1/",
        json={"jsonrpc": "2.0", "id": 1, "method": "sms.send", "params": ["SMS", "+33612345678", "Hi", None]},
        headers={"Authorization": "Api-Key callr-mock-demo-key"},
    ),
]
assert [a.status_code for a in answers] == [201, 200, 201, 200], [a.get_data(True) for a in answers]
print(" ".join(sorted(set(sys.modules) - loaded)))
"""


def test_first_requests_load_nothing_start_up_did_not() -> None:
    """The first SMS used to import libphonenumber's geocoder (~0.5 s) in the request."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FIRST_REQUESTS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_the_real_clock_ticker_wakes_for_new_jobs_and_clock_moves() -> None:
    """The ticker sleeps until the next job; a job added later, or a clock that starts
    running again, wakes it: lifecycles still move with no request to drive them."""
    import threading
    from datetime import timedelta

    from callr_mock import MockServer, Settings
    from callr_mock.state.scheduler import Job

    server = MockServer(Settings(port=0, clock="real")).start()
    try:
        store = server.runtime.store
        ran: list[str] = []
        soon, later = threading.Event(), threading.Event()
        time.sleep(0.2)  # the ticker is asleep with nothing to do

        done = {"soon": soon, "later": later}

        def run(_store: object, job: Job) -> None:
            ran.append(job.args["name"])
            done[job.args["name"]].set()

        store.scheduler.runners["test.mark"] = run
        with store.lock:
            store.scheduler.schedule(
                store.clock.now() + timedelta(seconds=0.2), "test.mark", {"name": "soon"}
            )
        assert soon.wait(5), "a job added to an idle ticker never ran"
        store.clock.freeze()
        with store.lock:
            store.scheduler.schedule(
                store.clock.now() + timedelta(seconds=0.1), "test.mark", {"name": "later"}
            )
        time.sleep(0.4)
        assert ran == ["soon"], "a job ran on a frozen clock"
        store.clock.unfreeze()
        store.clock.advance(0.1)
        assert later.wait(5), "unfreezing the clock did not wake the ticker"
    finally:
        server.stop()
