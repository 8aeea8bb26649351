"""``callr-mock serve`` as a real process, for the tests that need one (CLI, idle cost,
the README's shell examples)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

BANNER_END = "  try: curl"


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    banner: list[str] = field(default_factory=list)
    log: IO[str] | None = None  # its stderr

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(10)


def start(
    *args: str, port: str = "0", env: dict[str, str] | None = None, cwd: str | None = None
) -> Served:
    """Start ``callr-mock serve --port 0 ARGS`` and wait for its banner (up to its try: line)."""
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed by served() / the caller; not a pipe: a chatty server never blocks on it)
    process = subprocess.Popen(
        [sys.executable, "-m", "callr_mock", "serve", "--port", port, *args],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=None if env is None else {**os.environ, **env},
        cwd=cwd,
    )
    assert process.stdout is not None
    banner: list[str] = []
    url = ""
    for line in process.stdout:
        banner.append(line)
        match = re.search(r"on (http://[^/\s]+)/v2\.0", line)
        if match:
            url = match.group(1)
        if line.startswith(BANNER_END):
            break
    if not url:
        process.kill()
        process.wait(10)
        log.seek(0)
        raise AssertionError(f"callr-mock serve did not start: {''.join(banner)}{log.read()}")
    return Served(process, url, banner, log)


@contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    server = start(*args, env=env)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
        server.process.communicate(timeout=10)
        if server.log is not None:
            server.log.close()
