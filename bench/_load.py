"""What the HTTP benches share: free ports, servers in subprocesses, wrk, the peers' install.

Every server is a separate process (so the bench's own Python never competes with it for
the GIL) and every load comes from ``wrk`` (a C load generator, far faster than any server
measured here). ``wrk`` is taken from the PATH, else installed from Debian when the bench
runs as root; Prism and WireMock are installed with npm into a temporary folder that
later runs reuse.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

PRISM_VERSION = "5.16.0"
WIREMOCK_VERSION = "3.13.2"
PEERS_DIR = Path(tempfile.gettempdir()) / "callr-mock-bench-peers"
SPEC = Path(__file__).resolve().parent.parent / "spec" / "callr-v2.yaml"
API_KEY = "callr-mock-demo-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def need_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing wrk from Debian (apt-get install -y wrk) ...")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet).returncode != 0:
            subprocess.run(["apt-get", "update"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk is needed: apt-get install -y wrk (Debian) or your system's package")


def need_peers() -> Path:
    """Prism and WireMock (the npm package ``wiremock`` ships the standalone jar), pinned."""
    prism = PEERS_DIR / "node_modules" / ".bin" / "prism"
    jar = (
        PEERS_DIR
        / "node_modules"
        / "wiremock"
        / "build"
        / f"wiremock-standalone-{WIREMOCK_VERSION}.jar"
    )
    if not (prism.exists() and jar.exists()):
        if not shutil.which("npm") or not shutil.which("java"):
            raise SystemExit("npm and java are needed to install Prism and WireMock")
        say(
            f"installing Prism {PRISM_VERSION} and WireMock {WIREMOCK_VERSION} into {PEERS_DIR} ..."
        )
        PEERS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(PEERS_DIR),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"@stoplight/prism-cli@{PRISM_VERSION}",
                f"wiremock@{WIREMOCK_VERSION}",
            ],
            check=True,
        )
    return PEERS_DIR


def wait_until_up(
    url: str, timeout: float = 60.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"server for {url} exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def running(
    command: Sequence[str], probe: str, *, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process, wait until ``probe`` answers, and stop it (its id only) after."""
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        wait_until_up(probe, process=process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Load:
    """One wrk load: a method, a URL, headers and a body."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass
class Result:
    requests_per_second: float
    bad: int  # non-2xx/3xx answers or socket errors: a result with any is not comparable
    latency_p50_ms: float
    latency_p99_ms: float = float("nan")


def _script(load: Load) -> str:
    lines = [f'wrk.method = "{load.method}"']
    for name, value in load.headers.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if load.body is not None:
        escaped = load.body.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'wrk.body = "{escaped}"')
    return "\n".join(lines) + "\n"


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(base_url: str, load: Load, *, seconds: float, connections: int = 8) -> Result:
    """``wrk -t1 -cN`` for ``seconds``; req/s, failures and p50 latency."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_script(load))
    try:
        out = subprocess.run(
            [
                need_wrk(),
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                script.name,
                base_url + load.path,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    p50 = re.search(r"50%\s+([\d.]+(?:us|ms|s))", out)
    p99 = re.search(r"99%\s+([\d.]+(?:us|ms|s))", out)
    return Result(
        rate,
        bad,
        _milliseconds(p50.group(1)) if p50 else float("nan"),
        _milliseconds(p99.group(1)) if p99 else float("nan"),
    )


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"
