"""Measure the embedded JavaScript engines the Actions runner could use, in one run:
start-up (a fresh context), cost per ``${{ }}`` expression, memory of a context, and
whether a time limit can stop ``while (true) {}``.

    python3 bench/js_engines.py          # the engines installed here (pip install quickjs mini-racer dukpy)

Prints one line per engine; ratios are against the fastest in the same run.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

EXPRESSION = (
    "sms.fromNumber.startsWith('+33') && $count + 1 > 2 ? JSON.stringify({a: $count}) : 'no'"
)
SETUP = "var sms = {fromNumber: '+33612345678'}; var $count = 2;"
ROUNDS = 2000

CHILD = r"""
import resource, sys, time
name = sys.argv[1]
EXPRESSION, SETUP, ROUNDS = sys.argv[2], sys.argv[3], int(sys.argv[4])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if name == "quickjs":
    import quickjs
    def make():
        c = quickjs.Context(); c.set_time_limit(1); c.set_memory_limit(32 << 20); return c
    def run(c, code): return c.eval(code)
elif name == "mini-racer":
    from py_mini_racer import MiniRacer
    def make(): return MiniRacer()
    def run(c, code): return c.eval(code, timeout=1000)
else:
    import dukpy
    def make(): return dukpy.JSInterpreter()
    def run(c, code): return c.evaljs(code)
imported = time.perf_counter() - t0
t0 = time.perf_counter()
contexts = [make() for _ in range(20)]
start = (time.perf_counter() - t0) / 20
c = contexts[0]
run(c, SETUP)
t0 = time.perf_counter()
for _ in range(ROUNDS):
    run(c, EXPRESSION)
per = (time.perf_counter() - t0) / ROUNDS
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
stopped = "no"
t0 = time.perf_counter()
try:
    loop = make()
    if name == "dukpy":
        stopped = "no (no time limit)"
    else:
        run(loop, "while (true) {}")
except Exception as error:
    stopped = f"yes, {type(error).__name__} after {time.perf_counter() - t0:.2f} s"
print(f"{imported:.4f} {start:.6f} {per:.7f} {(after - before) / 1024:.1f} {stopped!r}", flush=True)
if len(sys.argv) > 5:  # the measure only: leave without the engine's own teardown
    import os
    os._exit(0)
"""


def main() -> int:
    rows = []
    for name, module in (
        ("quickjs", "quickjs"),
        ("mini-racer", "py_mini_racer"),
        ("dukpy", "dukpy"),
    ):
        if importlib.util.find_spec(module) is None:
            print(f"{name:11s} not installed")
            continue
        done = subprocess.run(
            [sys.executable, "-c", CHILD, name, EXPRESSION, SETUP, str(ROUNDS), "fast-exit"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        try:  # the same again, ending as a program ends: does the interpreter exit?
            subprocess.run(
                [sys.executable, "-c", CHILD, name, EXPRESSION, SETUP, "10"],
                capture_output=True,
                timeout=20,
            )
            exits = "exits"
        except subprocess.TimeoutExpired:
            exits = "HANGS at exit"
        if done.returncode != 0:
            print(f"{name:11s} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        imported, start, per, memory, stopped = done.stdout.split(" ", 4)
        rows.append(
            (
                name,
                float(imported),
                float(start),
                float(per),
                float(memory),
                f"{stopped.strip()}; {exits}",
            )
        )
    if not rows:
        return 1
    fastest = min(r[3] for r in rows)
    load = ", ".join(f"{x:.2f}" for x in __import__("os").getloadavg())
    print(f"load average {load}; {ROUNDS} evaluations of one expression per engine")
    print(
        f"{'engine':11s} {'import':>8s} {'context':>9s} {'per expr':>10s} {'ratio':>6s} {'memory':>9s}  time limit stops a loop; process"
    )
    for name, imported, start, per, memory, stopped in rows:
        print(
            f"{name:11s} {imported * 1000:6.1f}ms {start * 1000:7.2f}ms {per * 1e6:8.1f}µs "
            f"{per / fastest:5.1f}× {memory:7.1f}MB  {stopped}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
