"""``callr-mock`` as a user runs it: ``serve`` as a real process (prints URL, credentials and
seed, serves, stops on SIGTERM), and every command-line mistake answered with one line on
stderr, no traceback, and a non-zero exit status (2 for a bad argument)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from callr_mock.running.cli import build_parser, main

from tests.served import Served, served, start


@pytest.fixture
def frozen_server() -> Iterator[Served]:
    with served("--clock", "frozen", "--account", "acct0001:secret-1") as server:
        yield server


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_prints_credentials_serves_and_stops_on_sigterm(frozen_server: Served) -> None:
    process, url, lines = frozen_server.process, frozen_server.url, frozen_server.banner
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


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="no SIGUSR1 on this platform")
def test_sigusr1_prints_every_thread_stack_and_the_sandbox_keeps_serving(
    frozen_server: Served,
) -> None:
    """For a sandbox that seems stuck: ``kill -USR1 <pid>`` prints what each thread is doing
    to stderr (the serving thread and the clock's among them), and changes nothing else."""
    process, log = frozen_server.process, frozen_server.log
    assert log is not None
    process.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 10
    text = ""
    while "_tick_loop" not in text and time.monotonic() < deadline:
        time.sleep(0.1)
        log.seek(0)
        text = log.read()
    assert "most recent call first" in text and "_tick_loop" in text, text[-2000:]
    assert get(frozen_server.url + "/v2.0/ping", {"x-api-key": "secret-1"})[0] == 200
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0


def test_serve_on_granian_serves_the_same_sandbox_and_stops_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with served("--server", "granian", "--state-file", str(state)) as server:
        headers = {"x-api-key": "callr-mock-demo-key"}
        status, body = get(server.url + "/v2.0/ping", headers)
        assert status == 200 and body["pong"] == "pong"
        assert get(server.url + "/_mock/health", {})[0] == 200
        assert server.stop() == 0
        assert server.process.stdout is not None
        assert f"state saved in {state}" in server.process.stdout.read()
    assert json.loads(state.read_text())  # the final save ran in the serving process


def test_serve_loads_the_demo_seed_and_says_so() -> None:
    with served() as server:
        assert server.url.startswith("http://127.0.0.1:")
        banner = "".join(server.banner)
        assert "sandbox1" in banner and "callr-mock-demo-key" in banner
        assert "seed: demo (" in banner and "numbers" in banner
        status, numbers = get(server.url + "/v2.0/numbers", {"x-api-key": "callr-mock-demo-key"})
        assert status == 200 and numbers["total"] > 0
        assert server.stop(signal.SIGINT) == 0


def test_serve_seed_empty_starts_empty_and_says_so() -> None:
    with served("--seed", "empty") as server:
        assert any(line.startswith("  seed: empty") for line in server.banner)
        status, numbers = get(server.url + "/v2.0/numbers", {"x-api-key": "callr-mock-demo-key"})
        assert status == 200 and numbers["total"] == 0


def test_a_named_seed_goes_into_the_first_account_given() -> None:
    with served("--account", "acct0001:secret-1", "--clock", "frozen") as server:
        status, numbers = get(server.url + "/v2.0/numbers", {"x-api-key": "secret-1"})
        assert status == 200 and numbers["total"] > 0
        assert get(server.url + "/v2.0/ping", {"x-api-key": "callr-mock-demo-key"})[0] == 401


def test_options_default_to_their_environment_variables() -> None:
    env = {"CALLR_MOCK_CLOCK": "frozen", "CALLR_MOCK_SEED": "empty", "CALLR_MOCK_STRICT": "0"}
    with served(env=env) as server:
        assert get(server.url + "/_mock/clock", {})[1]["mode"] == "frozen"
        assert any(line.startswith("  seed: empty") for line in server.banner)


# -- mistakes: one line, no traceback ----------------------------------------------------------
BROKEN_YAML = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x: [\n"
NOT_OPENAPI = "a: 1\nb: [2, 3]\n"
INVALID_OPENAPI = (
    "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
    "      responses:\n        '200': {description: 5}\n"
)


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    try:
        status = main(argv)
    except SystemExit as exit_info:  # argparse
        status = int(exit_info.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return status, lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "99999"], "argument --port: 99999 is out of range: a port is 0-65535"),
        (["--port", "-1"], "a port is 0-65535"),
        (["--port", "http"], "argument --port: 'http' is not a whole number"),
        (["--threads", "0"], "argument --threads: 0 is out of range: a thread count is 1-256"),
        (["--clock", "slow"], "argument --clock: 'slow' is not one of real, frozen"),
        (["--account", "BAD:key"], "8 lowercase"),
        (["--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_bad_arguments_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    status, line = one_line_error(capsys, ["serve", *args])
    assert status == 2
    assert expected in line and "--help)" in line


def test_a_bad_environment_default_is_refused_like_the_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLR_MOCK_PORT", "99999")
    status, line = one_line_error(capsys, ["serve"])
    assert status == 2 and "a port is 0-65535" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "spec.yaml: no such file"),
        ("<dir>", "spec.yaml is a directory; name the OpenAPI file"),
        (BROKEN_YAML, "spec.yaml line 5: broken YAML"),
        (NOT_OPENAPI, "spec.yaml is not an OpenAPI document (it has no 'paths')"),
        (
            INVALID_OPENAPI,
            "spec.yaml is not valid OpenAPI: at paths['/x'].get.responses['200'].description: "
            '5 is not of type "string"',
        ),
        ("{paths: {}}", "no 'openapi: 3.x' (or 'swagger') version field"),
    ],
)
def test_unusable_spec_is_named_with_its_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    spec = tmp_path / "spec.yaml"
    if content == "<dir>":
        spec.mkdir()
    elif content is not None:
        spec.write_text(content)
    status, line = one_line_error(capsys, ["serve", "--port", "0", "--spec", str(spec)])
    assert status == 2
    assert line.startswith("callr-mock serve: error: --spec: ")
    assert expected in line


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("nope", None, "no seed set named 'nope' (known: demo, empty) and no file nope"),
        ("seed.json", '{"accounts": [', "seed seed.json line 1: broken JSON"),
        ("seed.yaml", "accounts: [\n  - {sid: [\n", "seed seed.yaml line 2: broken YAML"),
        ("seed.yaml", "accounts: [5]\n", "seed accounts[0] must be an object"),
        ("seed.yaml", "numbers: []\n", "must be an object with an 'accounts' list"),
        (
            "seed.yaml",
            "accounts: [{numbers: [{e164: nope}]}]\n",
            "seed accounts[0].numbers[0] at",
        ),
    ],
)
def test_unusable_seed_is_named_with_its_problem(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: str | None,
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / name).write_text(content)
    status, line = one_line_error(capsys, ["serve", "--port", "0", "--seed", name])
    assert status == 2
    assert line.startswith(f"callr-mock serve: error: --seed {name}: ")
    assert expected in line


def test_a_port_in_use_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, line = one_line_error(capsys, ["serve", "--port", str(port)])
    assert status == 1
    assert (
        f"port {port} on 127.0.0.1 is already in use" in line
        and "--port (0 = any free port)" in line
    )


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("192.0.2.1", "cannot bind --host 192.0.2.1: it is not an address of this machine"),
        ("no-such-host.invalid", "cannot bind --host no-such-host.invalid: no such host"),
    ],
)
def test_a_host_that_cannot_be_bound_is_named(
    capsys: pytest.CaptureFixture[str], host: str, expected: str
) -> None:
    status, line = one_line_error(capsys, ["serve", "--port", "0", "--host", host])
    assert status == 1
    assert expected in line


def test_ctrl_c_during_start_up_prints_no_traceback() -> None:
    for delay in (0.3, 0.8):
        process = subprocess.Popen(
            [sys.executable, "-m", "callr_mock", "serve", "--port", "0", "--spec",
             str(Path(__file__).parents[1] / "spec" / "callr-v2.yaml")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        time.sleep(delay)  # mid start-up: importing, or checking the spec (~2 s)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        assert "Traceback" not in err, err
        assert len(err.strip().splitlines()) <= 1, err
        assert process.returncode != 0 or "callr-mock stopped" in out


def test_serve_process_reports_a_usage_error_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "callr_mock", "serve", "--threads", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--threads" in result.stderr


# -- version and help -------------------------------------------------------------------------
def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"callr-mock {version('callr-mock')}"


def subcommands() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)  # type: ignore[arg-type]


def test_every_option_has_help_and_says_its_default() -> None:
    for name, command in subcommands().items():
        for action in command._actions:  # type: ignore[attr-defined]
            if action.dest == "help":
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
            if action.option_strings:
                assert "default" in action.help, f"{name} {action.option_strings} hides its default"


def test_rosetta_help_shows_the_reverse_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["rosetta", "--help"])
    out = capsys.readouterr().out
    assert "reverse lookup" in out and 'callr-mock rosetta "POST /sms"' in out
    assert main(["rosetta", "POST", "/sms"]) == 0
    assert "sms.send" in capsys.readouterr().out


def test_a_started_server_binds_loopback_by_default() -> None:
    server = start("--seed", "empty")
    try:
        assert server.url.startswith("http://127.0.0.1:")
    finally:
        assert server.stop(signal.SIGINT) == 0
        if server.log is not None:
            server.log.close()


FREEZE_PROBE = """
import gc, os, signal
from callr_mock import MockServer, Settings

def ready(server):
    print("frozen", gc.get_freeze_count(), flush=True)
    os.kill(os.getpid(), signal.SIGTERM)

print("before", gc.get_freeze_count(), flush=True)
MockServer(Settings(port=0, clock="frozen")).serve_forever(on_ready=ready)
print("stopped", flush=True)
"""


def test_a_foreground_server_freezes_what_start_up_built() -> None:
    """``serve`` takes its start-up heap out of the collector's rounds (gc.freeze), and
    still stops cleanly on SIGTERM; the plugin's in-process server does not."""
    result = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.split("\n") if " " in line)
    assert int(lines["before"]) == 0
    assert int(lines["frozen"]) > 10_000  # the compiled contract, the catalogues, the seed
    assert result.stdout.rstrip().endswith("stopped")
