"""callr-mock against Prism and WireMock over HTTP: req/s on a read and a write, side by side.

    python bench/vs_prism.py [--seconds 3] [--rounds 3] [--wsgi waitress,granian:8]

Starts the three servers on the same spec (``spec/callr-v2.yaml``), each in its own
process, and drives each with the same ``wrk -t1 -c8`` load, one server at a time, in
interleaved rounds (so a busy machine slows all of them alike); prints the median req/s
per server and the ratios of callr-mock to each peer.

- callr-mock: ``callr-mock serve`` as users run it (granian, real clock, strict, requests
  and responses validated). The write really creates, prices, charges and schedules an SMS.
- Prism (``@stoplight/prism-cli``, pinned): ``prism mock`` of the same spec, stateless,
  validating requests, answering the spec's examples.
- WireMock (npm ``wiremock``, the standalone jar, pinned): two static stubs answering
  what callr-mock answered for the same requests; no state, no validation.

Prism and WireMock are installed with npm into a temporary folder when missing; wrk is
taken from the PATH (``apt-get install -y wrk``). ``--wsgi`` also runs ``callr-mock serve
--server NAME [--threads N]`` in the same rounds, for each ``NAME[:N]`` given.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._load import (
    API_KEY,
    SPEC,
    Load,
    Result,
    free_port,
    machine_load,
    need_peers,
    need_wrk,
    run_wrk,
    running,
    say,
)

TO = "+33612345678"
TEXT = "Your code is 1234"
KEY = {"x-api-key": API_KEY}


def loads(sid: str, prefix: str) -> dict[str, Load]:
    return {
        "read": Load("read", "GET", f"{prefix}/sms/{sid}", KEY),
        "write": Load(
            "write",
            "POST",
            f"{prefix}/sms?to=%2B33612345678",
            {**KEY, "Content-Type": "application/json"},
            json.dumps({"text": TEXT}),
        ),
    }


def prepare_callr_mock(base: str) -> tuple[str, dict[str, object]]:
    """Credit for every write of the run, one SMS to read; both answers for WireMock's stubs."""
    requests.post(
        f"{base}/_mock/accounts/sandbox1/credit", json={"balance": "100000000"}, timeout=10
    ).raise_for_status()
    created = requests.post(
        f"{base}/v2.0/sms", params={"to": TO}, json={"text": TEXT}, headers=KEY, timeout=10
    )
    created.raise_for_status()
    sid = created.json()["sid"]
    read = requests.get(f"{base}/v2.0/sms/{sid}", headers=KEY, timeout=10)
    read.raise_for_status()
    return sid, {"read": read.json(), "write": created.json()}


def stub_wiremock(base: str, sid: str, bodies: dict[str, object]) -> None:
    stubs = [
        {
            "request": {"method": "GET", "urlPath": f"/v2.0/sms/{sid}"},
            "response": {"status": 200, "jsonBody": bodies["read"]},
        },
        {
            "request": {"method": "POST", "urlPath": "/v2.0/sms"},
            "response": {"status": 201, "jsonBody": bodies["write"]},
        },
    ]
    for stub in stubs:
        requests.post(f"{base}/__admin/mappings", json=stub, timeout=10).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--wsgi",
        default="",
        help="also run callr-mock serve --server NAME [--threads N], comma-separated NAME[:N] "
        "(waitress, granian; e.g. waitress,granian:8)",
    )
    args = parser.parse_args()
    need_wrk()
    peers = need_peers()
    python = sys.executable
    servers: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        port = free_port()
        ours = f"http://127.0.0.1:{port}"
        say("starting callr-mock, Prism and WireMock ...")
        process = stack.enter_context(
            running(
                [python, "-m", "callr_mock", "serve", "--port", str(port), "--id-seed", "1"],
                f"{ours}/_mock/health",
            )
        )
        servers["callr-mock"] = ours
        sid, bodies = prepare_callr_mock(ours)
        idle = idle_cpu(process.pid, seconds=IDLE_SECONDS)
        for name in [n for n in args.wsgi.split(",") if n]:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            server, _, threads = name.partition(":")
            stack.enter_context(
                running(
                    [python, "-m", "callr_mock", "serve", "--server", server, "--port", str(port)]
                    + ["--id-seed", "1"]
                    + (["--threads", threads] if threads else []),
                    f"{url}/_mock/health",
                )
            )
            prepare_callr_mock(url)
            servers[f"callr-mock/{name}"] = url
        port = free_port()
        prism = f"http://127.0.0.1:{port}"
        stack.enter_context(
            running(
                [
                    str(peers / "node_modules" / ".bin" / "prism"),
                    "mock",
                    str(SPEC),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                f"{prism}/ping",
            )
        )
        servers["Prism"] = prism
        port = free_port()
        wiremock = f"http://127.0.0.1:{port}"
        jar = next((peers / "node_modules" / "wiremock").rglob("wiremock-standalone-*.jar"))
        stack.enter_context(
            running(
                [
                    "java",
                    "-jar",
                    str(jar),
                    "--bind-address",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--disable-banner",
                    "--no-request-journal",
                ],
                f"{wiremock}/__admin/health",
            )
        )
        stub_wiremock(wiremock, sid, bodies)
        servers["WireMock"] = wiremock

        # Prism serves the spec's paths without the server's /v2.0 base path.
        work = {name: loads(sid, "" if name == "Prism" else "/v2.0") for name in servers}
        say("warming up (JIT, caches) ...")
        for name, url in servers.items():
            for load in work[name].values():
                run_wrk(url, load, seconds=1, connections=args.connections)
        say(f"measuring: {args.rounds} rounds of {args.seconds:.0f} s per server and request")
        results: dict[str, dict[str, list[Result]]] = {
            name: {"read": [], "write": []} for name in servers
        }
        for _ in range(args.rounds):
            for kind in ("read", "write"):
                for name, url in servers.items():
                    results[name][kind].append(
                        run_wrk(
                            url,
                            work[name][kind],
                            seconds=args.seconds,
                            connections=args.connections,
                        )
                    )
    report(results, args)
    print(f"callr-mock serve idle (no request for {IDLE_SECONDS:g} s): {idle:.2%} of a core")


IDLE_SECONDS = 5.0


def idle_cpu(pid: int, *, seconds: float) -> float:
    """The share of one core a process used while nothing was asked of it (Linux /proc)."""
    ticks_per_second = os.sysconf("SC_CLK_TCK")

    def used() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    time.sleep(1)  # start-up work settles
    before = used()
    time.sleep(seconds)
    return (used() - before) / ticks_per_second / seconds


def report(results: dict[str, dict[str, list[Result]]], args: argparse.Namespace) -> None:
    print(
        f"wrk -t1 -c{args.connections}, {args.rounds} x {args.seconds:.0f} s per cell, median req/s; {machine_load()}"
    )
    print("request  server              req/s   p50 ms   callr-mock ÷ this")
    for kind, label in (("read", "GET /v2.0/sms/{sid}"), ("write", "POST /v2.0/sms")):
        print(label)
        median = {
            name: statistics.median(r.requests_per_second for r in runs[kind])
            for name, runs in results.items()
        }
        for name, runs in results.items():
            p50 = statistics.median(r.latency_p50_ms for r in runs[kind])
            bad = sum(r.bad for r in runs[kind])
            note = f"   ({bad} non-2xx/errors: not comparable)" if bad else ""
            print(
                f"  {kind:6s} {name:18s} {median[name]:8.0f} {p50:8.2f}   {median['callr-mock'] / median[name]:6.2f}x{note}"
            )
    goals = [("read", "Prism", 4.0), ("write", "Prism", 4.0), ("read", "WireMock", 0.7)]
    for kind, peer, goal in goals:
        ratio = statistics.median(r.requests_per_second for r in results["callr-mock"][kind]) / (
            statistics.median(r.requests_per_second for r in results[peer][kind])
        )
        verdict = "met" if ratio >= goal else "NOT met"
        print(f"goal >= {goal:g}x {peer} on the {kind}: {ratio:.2f}x, {verdict}")


if __name__ == "__main__":
    main()
