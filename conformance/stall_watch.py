"""Watch a sandbox through a conformance pass: a stall gets named, with the server's stacks.

Usage: ``stall_watch.py URL PID REPORT`` (``conformance/run.sh`` starts one per sandbox).

Every second it asks ``GET URL/_mock/health``. An answer that has not come after
``STALL_SECONDS`` is a stall: it appends a line to REPORT and sends the serving process
SIGUSR1, on which ``callr-mock serve`` prints every thread's stack to its log
(``faulthandler``), then waits for the answer and appends how long it took. Ends when the
process ``PID`` is gone. ``run.sh`` prints REPORT and the stacks after the pass; a stall is
reported, not fatal (conformance is about the contract; speed is measured in ``bench/``).
"""

from __future__ import annotations

import os
import signal
import sys
import time
import urllib.error
import urllib.request

STALL_SECONDS = 3.0
PERIOD_SECONDS = 1.0
GIVE_UP_SECONDS = 120.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def ask(url: str, timeout: float) -> bool:
    """False when ``url`` gave no answer within ``timeout`` seconds; True when it answered
    (any HTTP status) or refused the connection (the sandbox is stopping: no stall)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            answer.read()
    except urllib.error.HTTPError:
        return True
    except urllib.error.URLError as error:
        return not isinstance(error.reason, TimeoutError)
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def main(url: str, pid: int, report: str) -> int:
    health = url.rstrip("/") + "/_mock/health"
    while alive(pid):
        started = time.monotonic()
        if not ask(health, STALL_SECONDS) and alive(pid):
            stamp = time.strftime("%H:%M:%S")
            with open(report, "a", encoding="utf-8") as out:
                out.write(f"{stamp} stall: /_mock/health unanswered after {STALL_SECONDS:g} s\n")
            os.kill(pid, signal.SIGUSR1)
            answered = ask(health, GIVE_UP_SECONDS)
            waited = time.monotonic() - started
            with open(report, "a", encoding="utf-8") as out:
                verb = "answered" if answered else "still unanswered"
                out.write(f"{stamp} stall: {verb} after {waited:.1f} s\n")
        time.sleep(max(0.0, PERIOD_SECONDS - (time.monotonic() - started)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: stall_watch.py URL PID REPORT")
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
