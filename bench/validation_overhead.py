"""Per-request cost of contract validation, measured in one run.

Runs the same request mix against two apps built from the same spec, one validating
requests and responses (the default) and one with validation switched off, in
interleaved rounds, and prints the time per request of each and their ratio
(target: <= 1.3). In-process (Flask test client) by default, so the ratio is not
diluted by socket time; ``--http`` measures through waitress too.

    python bench/validation_overhead.py [--requests 3000] [--http]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from callr_mock import MockServer, Settings, create_app, runtime_of

KEY = {"x-api-key": "callr-mock-demo-key"}


def request_mix(client: Any) -> list[Callable[[], Any]]:
    """Representative calls: reads with list bodies, a create with a JSON body, a small read."""
    calls: list[Callable[[], Any]] = [
        lambda: client.get("/v2.0/ping", headers=KEY),
        lambda: client.get("/v2.0/tasks?limit=10&order=asc", headers=KEY),
        lambda: client.post(
            "/v2.0/sms?to=%2B33612345678&trafficType=alerting",
            json={"text": "Your code is 1234"},
            headers=KEY,
        ),
        lambda: client.get("/v2.0/sms?limit=10", headers=KEY),
        lambda: client.get("/v2.0/actions?limit=10", headers=KEY),
        lambda: client.get("/v2.0/numbers/store/prefixes?country=FR&limit=10", headers=KEY),
    ]
    return [call for call in calls if call().status_code < 400]


def prepare(validate: bool) -> Any:
    settings = Settings(
        clock="frozen", id_seed=1, validate_requests=validate, validate_responses=validate
    )
    app = create_app(settings)
    runtime = runtime_of(app)
    runtime.store.account("sandbox1").credit.set("1000000")
    with runtime.store.lock:
        for _ in range(20):
            runtime.store.account("sandbox1").tasks.start("calls-export")
    return app


def time_round(calls: list[Callable[[], Any]], count: int) -> float:
    started = time.perf_counter()
    for index in range(count):
        calls[index % len(calls)]()
    return (time.perf_counter() - started) / count


def measure(clients: dict[str, Any], count: int, rounds: int) -> dict[str, float]:
    mixes = {name: request_mix(client) for name, client in clients.items()}
    sizes = {name: len(mix) for name, mix in mixes.items()}
    assert len(set(sizes.values())) == 1, f"the two apps answer differently: {sizes}"
    samples: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(rounds):
        for name, mix in mixes.items():
            samples[name].append(time_round(mix, count // rounds))
    return {name: statistics.median(values) for name, values in samples.items()}


class HttpClient:
    """The subset of the Flask test client API used above, over real HTTP."""

    def __init__(self, base: str) -> None:
        import requests

        self.session = requests.Session()
        self.base = base

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.session.get(self.base + path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.session.post(self.base + path, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--http", action="store_true", help="also measure through waitress")
    args = parser.parse_args()

    apps = {"validated": prepare(True), "unvalidated": prepare(False)}
    clients = {name: app.test_client() for name, app in apps.items()}
    print(
        f"request mix: {len(request_mix(clients['validated']))} operations, {args.requests} requests per app"
    )
    result = measure(clients, args.requests, args.rounds)
    for name, seconds in result.items():
        print(f"in-process  {name:12s} {seconds * 1e6:8.1f} us/request")
    print(
        f"in-process  ratio validated/unvalidated = {result['validated'] / result['unvalidated']:.3f}"
    )

    if args.http:
        servers = {
            name: MockServer(Settings(port=0), app=app).start() for name, app in apps.items()
        }
        try:
            http = {name: HttpClient(server.url) for name, server in servers.items()}
            result = measure(http, args.requests // 2, args.rounds)
            for name, seconds in result.items():
                print(f"http        {name:12s} {seconds * 1e6:8.1f} us/request")
            print(
                f"http        ratio validated/unvalidated = {result['validated'] / result['unvalidated']:.3f}"
            )
        finally:
            for server in servers.values():
                server.stop()


if __name__ == "__main__":
    main()
