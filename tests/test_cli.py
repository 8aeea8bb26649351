"""``callr-mock serve`` as a real process: prints URL and credentials, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pytest
from callr_mock.cli import main


def start(*args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "callr_mock", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"on (http://127\.0\.0\.1:\d+)/v2\.0", first)
    assert match, f"unexpected first line: {first!r}"
    lines = [first]
    for _ in range(3):
        lines.append(process.stdout.readline())
    return process, match.group(1), lines


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    process, url, lines = start("--clock", "frozen", "--account", "acct0001:secret-1")
    try:
        yield process, url, lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_prints_credentials_serves_and_stops_on_sigterm(
    served: tuple[subprocess.Popen[str], str, list[str]],
) -> None:
    process, url, lines = served
    assert any("account acct0001  x-api-key: secret-1" in line for line in lines)
    status, body = get(url + "/v2.0/ping", {"x-api-key": "secret-1"})
    assert status == 200 and body["pong"] == "pong"
    assert get(url + "/v2.0/ping", {"x-api-key": "callr-mock-demo-key"})[0] == 401
    clock = get(url + "/_mock/clock", {})[1]
    assert clock["mode"] == "frozen"
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    assert process.stdout is not None
    assert "callr-mock stopped" in process.stdout.read()


def test_default_demo_account_binds_to_loopback() -> None:
    process, url, lines = start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert any("sandbox1" in line and "callr-mock-demo-key" in line for line in lines)
        assert get(url + "/v2.0/ping", {"x-api-key": "callr-mock-demo-key"})[0] == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0


def test_bad_account_argument_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--account", "BAD:key"])
    assert exit_info.value.code == 2
    assert "8 lowercase" in capsys.readouterr().err
