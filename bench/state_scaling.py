"""Search cost as one account grows: p50 per query at 1k, 10k and 100k SMS, memory per SMS.

    python bench/state_scaling.py [--sizes 1000,10000,100000] [--repeat 25]

Fills one account per size through the seed format (``POST /_mock/seed``, validated like
any seed), then times each query through the whole request pipeline (Flask test client:
authentication, validation of the request and of the response) and prints the median.
Goal: p50 <= 5 ms at 100k for every query. Memory per SMS is the growth of the process'
resident set while the account is filled, divided by the number of SMS.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from callr_mock import Settings, create_app

KEY = {"x-api-key": "callr-mock-demo-key"}
START = datetime(2025, 1, 1, tzinfo=UTC)
STEP = timedelta(seconds=30)
TEXTS = [
    "Your code is {n}",
    "Your appointment is confirmed for tomorrow at {h}:00.",
    "Parcel {n} is on its way",
    "Reminder: invoice {n} is due",
    "Thanks for your order {n}!",
    "Welcome aboard, your account is ready",
    "Flash sale: 20% off until midnight",
    "Your table for {h} is booked",
]
STATUSES = ["delivered"] * 7 + ["failed", "expired", "sent"]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def sms_objects(count: int) -> Iterator[dict[str, Any]]:
    """SMS as the API shows them (the REST v2 object): 90 % outbound, 30 s apart, varied recipients, statuses and texts."""
    for i in range(count):
        created = START + i * STEP
        outbound = i % 10 != 0
        status = STATUSES[i % len(STATUSES)] if outbound else "delivered"
        mobile = f"+336{(i * 7919) % 100_000_000:08d}"
        sandbox = "+33199000000"
        at = iso(created)
        yield {
            "direction": "outbound" if outbound else "inbound",
            "sid": f"{i:08x}",
            "from": sandbox if outbound else mobile,
            "to": mobile if outbound else sandbox,
            "body": {"text": TEXTS[i % len(TEXTS)].format(n=i, h=8 + i % 10)},
            "trafficType": ("alerting", "marketing")[i % 2],
            "status": status,
            "error": "",
            "created": at,
            "delivered": at if status == "delivered" else None,
            "updated": at,
            "sent": at if status != "failed" else None,
            "parts": 1,
            "network": "20801",
            "encoding": "gsm",
            "cost": "6.50" if outbound else "0.00",
            "paymentType": "prepaid",
            "statusHistory": [],
        }


def queries(count: int) -> dict[str, str]:
    middle = START + (count // 2) * STEP
    return {
        "default page": "",
        "status=failed": "status=failed",
        "direction=inbound": "direction=inbound",
        "to=+33612 (prefix)": "to=%2B33612",
        "from=+3361 (prefix)": "from=%2B3361",
        "text=invoice": "text=invoice",
        "one day (date range)": f"createdAfter={iso(middle)}&createdBefore={iso(middle + timedelta(days=1))}",
        "deep page (offset n/2)": f"offset={count // 2}&limit=10",
        "status+direction+range": f"status=delivered&direction=outbound&createdAfter={iso(middle)}",
        "sort=status asc": "sort=status&order=asc",
    }


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(count: int, repeat: int) -> tuple[dict[str, float], float, float]:
    # one seed request carries the whole account: lift the 1 MiB body limit for it
    app = create_app(Settings(clock="frozen", id_seed=1, max_body_bytes=1 << 30))
    client = app.test_client()
    objects = list(sms_objects(count))
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    answer = client.post(
        "/_mock/seed", json={"data": {"accounts": [{"sid": "sandbox1", "sms": objects}]}}
    )
    assert answer.status_code < 300, answer.get_data(as_text=True)[:300]
    fill = time.perf_counter() - started
    del objects, answer
    gc.collect()
    per_sms = (rss_bytes() - before) / count
    timings: dict[str, float] = {}
    for name, query in queries(count).items():
        url = f"/v2.0/sms?{query}"
        first = client.get(url, headers=KEY)
        assert first.status_code == 200, (name, first.get_json())
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url, headers=KEY)
            samples.append(time.perf_counter() - started)
        timings[name] = statistics.median(samples) * 1000
    return timings, per_sms, fill


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = {size: measure(size, args.repeat) for size in sizes}
    one, five, _ = os.getloadavg()
    print(
        f"GET /v2.0/sms p50 in ms (in-process, whole pipeline); load average {one:.1f}/{five:.1f}"
    )
    print(f"{'query':26s}" + "".join(f"{size:>10,d}" for size in sizes))
    for name in queries(sizes[0]):
        print(f"{name:26s}" + "".join(f"{results[size][0][name]:10.2f}" for size in sizes))
    print(f"{'memory per SMS (bytes)':26s}" + "".join(f"{results[s][1]:10.0f}" for s in sizes))
    print(f"{'fill by seed (s)':26s}" + "".join(f"{results[s][2]:10.2f}" for s in sizes))
    largest = sizes[-1]
    worst = max(results[largest][0].items(), key=lambda item: item[1])
    verdict = "met" if worst[1] <= 5 else "NOT met"
    print(f"goal p50 <= 5 ms at {largest:,d}: worst {worst[0]} {worst[1]:.2f} ms, {verdict}")


if __name__ == "__main__":
    main()
