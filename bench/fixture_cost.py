"""What the pytest plugin costs a suite: session server ready (cold), per-test account.

    python bench/fixture_cost.py [--tests 300] [--runs 3]

Writes a throw-away suite of ``--tests`` tests that each take the ``callr_mock`` fixture
(a fresh account, deleted after the test) and runs it ``--runs`` times, each in a fresh
interpreter (``python -m pytest``), reading the figures the plugin itself prints with
``-v``: the time from the session fixture's request to a server answering (``ready in``)
and the time to create and delete one test account. Prints the medians.
Goals: ready <= 0.5 s cold, account create + delete <= 1 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUITE = """
import pytest


@pytest.mark.parametrize("n", range({tests}))
def test_account(callr_mock, n):
    assert callr_mock.account_sid
"""


def run(folder: Path) -> tuple[float, float, float]:
    started = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            str(folder),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    wall = time.perf_counter() - started
    found = re.search(r"ready in ([\d.]+) s; (\d+) test account\(s\), ([\d.]+) ms each", out.stdout)
    if out.returncode != 0 or not found:
        raise SystemExit(f"the suite failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return float(found.group(1)), float(found.group(3)), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "test_fixture_cost.py").write_text(SUITE.format(tests=args.tests))
        results = [run(Path(folder)) for _ in range(args.runs)]
    ready = statistics.median(r[0] for r in results)
    account = statistics.median(r[1] for r in results)
    wall = statistics.median(r[2] for r in results)
    one, five, _ = os.getloadavg()
    print(f"{args.runs} fresh pytest runs of {args.tests} tests; load average {one:.1f}/{five:.1f}")
    print(
        f"session server ready (cold)     {ready:6.3f} s   goal <= 0.5 s: {'met' if ready <= 0.5 else 'NOT met'}"
    )
    print(
        f"test account create + delete    {account:6.2f} ms  goal <= 1 ms: {'met' if account <= 1 else 'NOT met'}"
    )
    print(f"whole pytest run (wall)         {wall:6.2f} s")


if __name__ == "__main__":
    main()
