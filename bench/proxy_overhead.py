"""What ``callr-mock proxy`` adds to each request, on loopback, measured in one run.

Starts ``callr-mock serve`` (the upstream: real, validated answers) and
``callr-mock proxy --upstream`` it, each in its own process, then sends the same request
mix straight to the sandbox and through the proxy, in interleaved rounds on keep-alive
sessions, and prints the median time per request of each, the difference (target:
<= 2 ms added) and the ratio. The proxy forwards, checks both directions against the
spec and builds the drift report, as in real use; ``--record DIR`` adds recording.

    python bench/proxy_overhead.py [--requests 2000] [--rounds 10] [--record DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import requests

KEY = {"x-api-key": "callr-mock-demo-key"}


def start(*argv: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "callr_mock", *argv, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    url = next(word for word in first.split() if word.startswith("http://"))
    return process, url.removesuffix("/v2.0")


def mix(session: requests.Session, base: str) -> list[Callable[[], Any]]:
    api = base + "/v2.0"
    return [
        lambda: session.get(f"{api}/ping", headers=KEY),
        lambda: session.get(f"{api}/sms?limit=10", headers=KEY),
        lambda: session.post(
            f"{api}/sms?to=%2B33612345678", json={"text": "Your code is 1234"}, headers=KEY
        ),
        lambda: session.get(f"{api}/actions?limit=10", headers=KEY),
        lambda: session.get(f"{api}/numbers/store/prefixes?country=FR&limit=10", headers=KEY),
    ]


def per_request_ms(calls: list[Callable[[], Any]], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for call in calls:
            call()
    return (time.perf_counter() - started) * 1000 / (rounds * len(calls))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per side")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--record", metavar="DIR", help="also record exchanges to DIR")
    args = parser.parse_args()

    sandbox, sandbox_url = start("serve", "--seed", "demo")
    extra = ["--record", args.record] if args.record else []
    proxy, proxy_url = start("proxy", "--upstream", sandbox_url + "/v2.0", *extra)
    try:
        direct_session, proxied_session = requests.Session(), requests.Session()
        direct = mix(direct_session, sandbox_url)
        proxied = mix(proxied_session, proxy_url)
        for call in [*direct, *proxied] * 20:  # warm up both paths and their pools
            call()
        rounds = max(1, args.requests // len(direct) // args.rounds)
        direct_ms, proxied_ms = [], []
        for _ in range(args.rounds):  # interleaved, so both see the same machine load
            direct_ms.append(per_request_ms(direct, rounds))
            proxied_ms.append(per_request_ms(proxied, rounds))
        report = requests.get(proxy_url + "/_mock/drift", timeout=10).json()
    finally:
        for process in (proxy, sandbox):
            process.terminate()
            process.wait(timeout=20)
    d, p = statistics.median(direct_ms), statistics.median(proxied_ms)
    total = rounds * len(direct) * args.rounds
    print(f"requests per side: {total} (mix of {len(direct)} operations)")
    print(f"straight to callr-mock serve : {d:.3f} ms/request")
    print(f"through callr-mock proxy     : {p:.3f} ms/request")
    verdict = "met" if p - d <= 2.0 else "NOT met"
    print(f"added by the proxy           : {p - d:.3f} ms/request (target <= 2 ms: {verdict})")
    print(f"ratio proxied / direct       : {p / d:.2f}x")
    print(f"proxy saw {report['exchanges']} exchanges, {len(report['findings'])} finding(s)")
    return 0  # a benchmark reports; it does not fail on a busy machine


if __name__ == "__main__":
    sys.exit(main())
