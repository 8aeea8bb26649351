"""What ``--state-file`` costs: writes/s with and without it, side by side, and the snapshot's
lock hold at a big state.

    python bench/state_file.py [--seconds 3] [--rounds 3] [--sms 10000]

1. Two ``callr-mock serve`` processes (real clock, as users run it; one with
   ``--state-file`` in a temporary folder), each driven in interleaved rounds by the same
   ``wrk -t1 -c8`` load of ``POST /v2.0/sms`` (priced, charged, lifecycle scheduled: every
   answer is a change to save). Prints the median writes/s of each and the ratio. Run twice:
   from an empty account, then with ``--sms`` delivered SMS preloaded in both (a big state:
   each save snapshots and writes all of it, about twice a second under load).
2. In-process, at ``--sms`` SMS (``--sms``/10 sent through the API on a frozen clock, so their
   lifecycle steps are pending work too): the median time a save holds the store lock
   (requests wait for it) and the whole save, made as the server makes it (the snapshot in a
   forked child: the lock is held only while forking) and in-process (the fallback where
   there is no fork: the lock is held for the whole snapshot).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._load import (
    API_KEY,
    Load,
    Result,
    free_port,
    machine_load,
    need_wrk,
    run_wrk,
    running,
    say,
)
from bench.state_scaling import sms_objects

KEY = {"x-api-key": API_KEY}
WRITE = Load(
    "write",
    "POST",
    "/v2.0/sms?to=%2B33612345678",
    {**KEY, "Content-Type": "application/json"},
    '{"text": "Your code is 1234"}',
)


def seed_file(preload: int, folder: Path) -> str:
    """``--seed``: empty, or a seed file with ``preload`` delivered SMS."""
    if not preload:
        return "empty"
    path = folder / f"seed-{preload}.json"
    data = {"accounts": [{"sid": "sandbox1", "sms": list(sms_objects(preload))}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def writes_per_second(args: argparse.Namespace, preload: int, folder: Path) -> dict[str, float]:
    python = sys.executable
    servers: dict[str, str] = {}
    state = folder / f"state-{preload}.json"
    seed = seed_file(preload, folder)
    with contextlib.ExitStack() as stack:
        for name, extra in (("without", []), ("with --state-file", ["--state-file", str(state)])):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            command = [python, "-m", "callr_mock", "serve", "--port", str(port), "--seed", seed]
            stack.enter_context(running([*command, *extra], f"{url}/_mock/health"))
            requests.post(
                f"{url}/_mock/accounts/sandbox1/credit", json={"balance": "100000000"}, timeout=10
            ).raise_for_status()
            servers[name] = url
        for url in servers.values():
            run_wrk(url, WRITE, seconds=1, connections=args.connections)  # warm-up
        results: dict[str, list[Result]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, url in servers.items():
                results[name].append(
                    run_wrk(url, WRITE, seconds=args.seconds, connections=args.connections)
                )
        size = state.stat().st_size
    for name, runs in results.items():
        bad = sum(r.bad for r in runs)
        if bad:
            raise SystemExit(f"{name}: {bad} failed requests; the figures are not comparable")
    medians = {
        name: statistics.median(r.requests_per_second for r in runs)
        for name, runs in results.items()
    }
    p50 = {
        name: statistics.median(r.latency_p50_ms for r in runs) for name, runs in results.items()
    }
    p99 = {
        name: statistics.median(r.latency_p99_ms for r in runs) for name, runs in results.items()
    }
    ratio = medians["with --state-file"] / medians["without"]
    print(f"POST /v2.0/sms, {preload:,d} SMS preloaded (final state file {size / 1e6:.1f} MB):")
    for name in servers:
        print(
            f"  {name:20s} {medians[name]:8.0f} writes/s   "
            f"p50 {p50[name]:6.2f} ms   p99 {p99[name]:7.2f} ms"
        )
    print(f"  with/without: {ratio:.2f}")
    return medians


def snapshot_cost(count: int, repeat: int, folder: Path) -> None:
    from callr_mock import Settings, create_app
    from callr_mock.services.state_file import StateFile
    from callr_mock.web.frame.runtime import runtime_of

    app = create_app(Settings(clock="frozen", seed_path=None, max_body_bytes=1 << 30))
    client = app.test_client()
    client.post("/_mock/accounts/sandbox1/credit", json={"balance": "100000000"})
    sent = count // 10
    objects = list(sms_objects(count - sent))
    answer = client.post(
        "/_mock/seed", json={"data": {"accounts": [{"sid": "sandbox1", "sms": objects}]}}
    )
    assert answer.status_code < 300, answer.get_data(as_text=True)[:300]
    for _ in range(sent):
        client.post(
            "/v2.0/sms", query_string={"to": "+33612345678"}, json={"text": "Hi"}, headers=KEY
        )
    runtime = runtime_of(app)
    state = StateFile(folder / "snapshot.json", runtime)
    pending = runtime.store.scheduler.pending()
    print(f"one save at {count:,d} SMS ({pending:,d} pending jobs), median of {repeat}:")
    for name, save in (("in a child (fork)", state.save_in_child), ("in-process", state.save)):
        locks, saves = [], []
        for _ in range(repeat):
            runtime.store.touch()
            save()
            saves.append(state.last_save_seconds)
            locks.append(state.last_lock_seconds)
        size = state.path.stat().st_size / 1e6
        print(
            f"  {name:18s} store lock held {statistics.median(locks) * 1000:7.1f} ms, "
            f"whole save {statistics.median(saves) * 1000:7.1f} ms, file {size:.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--sms", type=int, default=10_000, help="the big state (SMS)")
    parser.add_argument("--repeat", type=int, default=5, help="saves timed in-process")
    args = parser.parse_args()
    need_wrk()
    say(machine_load())
    with tempfile.TemporaryDirectory(prefix="callr-mock-bench-") as folder:
        for preload in (0, args.sms):
            say(f"measuring writes/s, {preload:,d} SMS preloaded ...")
            writes_per_second(args, preload, Path(folder))
        snapshot_cost(args.sms, args.repeat, Path(folder))


if __name__ == "__main__":
    main()
