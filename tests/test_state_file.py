"""``callr-mock serve --state-file PATH`` as a user runs it: a real process, stopped (SIGTERM)
or killed (SIGKILL), started again on the same file; a file it cannot use stops start-up in
one line and is left exactly as it was."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from callr_mock import Settings, create_app
from callr_mock.running.cli import main

from tests.served import Served, start
from tests.test_readme import README_URL, Block, blocks_of, check_output, commands_and_outputs
from tests.test_startup_costs import cpu_seconds, needs_proc, wakeups
from tests.webhook_receiver import Receiver

KEY = "callr-mock-demo-key"
API = {"x-api-key": KEY}
TO = "+33612345678"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "sandbox.json"


@pytest.fixture
def servers() -> Iterator[list[Served]]:
    """Every server a test starts is killed at the end, whatever happened."""
    started: list[Served] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
        server.process.communicate(timeout=10)
        if server.log is not None:
            server.log.close()


def serve(servers: list[Served], state: Path, *args: str) -> Served:
    server = start("--state-file", str(state), "--seed", "empty", *args)
    servers.append(server)
    return server


def send_sms(url: str, text: str = "Hi", headers: dict[str, str] = API) -> dict[str, Any]:
    answer = requests.post(
        f"{url}/v2.0/sms", params={"to": TO}, json={"text": text}, headers=headers, timeout=10
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def sms_status(url: str, sid: str, headers: dict[str, str] = API) -> str:
    answer = requests.get(f"{url}/v2.0/sms/{sid}", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


def uninterrupted_sids(id_seed: int) -> list[str]:
    """The sids the sandbox of the test below gives when it is never restarted."""
    client = create_app(Settings(id_seed=id_seed, clock="frozen")).test_client()
    client.post("/_mock/accounts", json={"sid": "team0001", "key": "team-key"})

    def sms(key: str) -> str:
        answer = client.post(
            "/v2.0/sms", query_string={"to": TO}, json={"text": "Hi"}, headers={"x-api-key": key}
        )
        return str(answer.get_json()["sid"])

    first = [sms("team-key"), sms(KEY)]
    client.post("/_mock/clock/advance", json={"seconds": 3600})
    return [*first, sms(KEY)]


# -- a clean stop loses nothing ------------------------------------------------------------------
def test_a_clean_stop_and_a_restart_continue_the_sandbox(
    servers: list[Served], state: Path
) -> None:
    first = serve(servers, state, "--clock", "frozen", "--id-seed", "7")
    assert state.is_file(), "the file is created at start"
    account = requests.post(
        f"{first.url}/_mock/accounts", json={"sid": "team0001", "key": "team-key"}, timeout=10
    ).json()
    team = {"x-api-key": account["key"]}
    own = send_sms(first.url, "kept", team)
    mine = send_sms(first.url)
    requests.post(f"{first.url}/_mock/clock/advance", json={"seconds": 3600}, timeout=10)
    clock = requests.get(f"{first.url}/_mock/clock", timeout=10).json()
    assert first.stop(signal.SIGTERM) == 0

    second = serve(servers, state, "--clock", "frozen", "--id-seed", "7")
    banner = "".join(second.banner)
    assert f"state: continued from {state}" in banner
    assert "team0001" in banner and "team-key" in banner
    assert requests.get(f"{second.url}/_mock/clock", timeout=10).json() == clock
    kept = requests.get(f"{second.url}/v2.0/sms/{own['sid']}", headers=team, timeout=10).json()
    assert kept["body"]["text"] == "kept"
    assert sms_status(second.url, mine["sid"]) == "delivered"  # an hour later
    # ids continue: the next sid is the one the sandbox would have given without the restart
    assert [own["sid"], mine["sid"], send_sms(second.url)["sid"]] == uninterrupted_sids(7)
    assert second.stop(signal.SIGINT) == 0  # Ctrl-C saves too

    # --seed takes a state file: a copy of the sandbox, the file itself is not written
    saved = state.read_bytes()
    seeded = start("--seed", str(state), "--clock", "frozen")
    servers.append(seeded)
    assert sms_status(seeded.url, own["sid"], team) == "delivered"
    send_sms(seeded.url)
    assert seeded.stop() == 0 and state.read_bytes() == saved


@needs_proc
def test_a_write_is_on_disk_a_second_after_it_was_answered(
    servers: list[Served], state: Path
) -> None:
    """A crash (SIGKILL: no final save) loses at most the last second of writes; once saved,
    an idle sandbox neither wakes up nor writes its file again."""
    first = serve(servers, state, "--clock", "frozen")  # nothing scheduled runs meanwhile
    sms = send_sms(first.url, "survives a crash")
    time.sleep(1.2)
    written = state.stat().st_mtime_ns
    cpu, woke = cpu_seconds(first.pid), wakeups(first.pid)
    time.sleep(2.0)
    used, woken = cpu_seconds(first.pid) - cpu, wakeups(first.pid) - woke
    assert used < 0.1, f"idle server used {used:.2f} s CPU in 2 s"
    assert woken <= 10, f"idle server woke {woken} times in 2 s"
    assert state.stat().st_mtime_ns == written, "an idle sandbox rewrote its state file"
    last = send_sms(first.url, "answered 1.5 s before the crash")
    time.sleep(1.5)
    first.stop(signal.SIGKILL)

    second = serve(servers, state, "--clock", "frozen")
    assert sms_status(second.url, sms["sid"]) == "created"
    assert sms_status(second.url, last["sid"]) == "created"


def test_a_lifecycle_continues_across_a_restart(servers: list[Served], state: Path) -> None:
    receiver = Receiver()
    try:
        first = serve(servers, state, "--clock", "frozen")
        hook = {"type": "v2.sms.outbound.updated", "endpoint": receiver.url}
        assert requests.post(f"{first.url}/v2.0/webhooks", json=hook, headers=API, timeout=10).ok
        sms = send_sms(first.url)
        assert first.stop() == 0
        assert receiver.received == []  # nothing moved: the clock is frozen

        second = serve(servers, state, "--clock", "frozen")
        assert sms_status(second.url, sms["sid"]) == "created"
        requests.post(f"{second.url}/_mock/clock/advance", json={"seconds": 5}, timeout=10)
        assert sms_status(second.url, sms["sid"]) == "delivered"
        assert receiver.wait_for(4, timeout=10), f"webhooks: {receiver.bodies()}"
        payloads = [body["payload"] for body in receiver.bodies()]
        assert [p["status"] for p in payloads] == ["pending", "sent", "remote-queued", "delivered"]
        assert {p["sid"] for p in payloads} == {sms["sid"]}
    finally:
        receiver.close()


# -- a file it cannot use: one line, exit 2, the file untouched -------------------------------------
def valid_document() -> dict[str, Any]:
    from callr_mock.services.state_document import snapshot_state
    from callr_mock.web.app import runtime_of

    return snapshot_state(runtime_of(create_app(Settings(seed_path="demo"))).store)


def bad_files() -> list[Any]:
    whole = json.dumps(valid_document(), indent=1).encode()
    other_version = json.dumps({**valid_document(), "version": 999}).encode()
    version_1 = json.dumps({**valid_document(), "version": 1}).encode()
    return [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(whole[: len(whole) // 2], "truncated", id="truncated"),
        pytest.param(  # cut right after an inner object: it ends with "}", and is still cut
            whole[: whole.rindex(b"}", 0, len(whole) // 2) + 1], "truncated", id="cut-after-a-brace"
        ),
        pytest.param(b"sandbox: yes\n", "not JSON", id="not-json"),
        pytest.param(b'{"format": "callr-mock-state",, }', "broken JSON", id="broken-json"),
        pytest.param(b'{"accounts": []}', "not a callr-mock state file", id="a-seed"),
        pytest.param(other_version, "version", id="other-version"),
        pytest.param(version_1, "move the file aside to start afresh", id="version-1"),
        pytest.param(b"\xff\xfe\x00garbage", "not UTF-8", id="binary"),
    ]


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``callr-mock serve --port 0 ARGS`` (its entry point, in this process: the file is
    checked before anything starts), which must fail in one line."""
    status = main(["serve", "--port", "0", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return status, lines[0]


@pytest.mark.parametrize(("content", "problem"), bad_files())
def test_an_unusable_state_file_stops_start_up_and_is_left_alone(
    capsys: pytest.CaptureFixture[str], state: Path, content: bytes, problem: str
) -> None:
    state.write_bytes(content)
    status, line = refused(capsys, "--state-file", str(state))
    assert status == 2
    assert line.startswith("callr-mock serve: error: --state-file: ")
    assert str(state) in line and problem in line
    assert state.read_bytes() == content
    assert [p.name for p in state.parent.iterdir()] == [state.name], "a temporary file was left"


def test_a_state_file_that_cannot_be_created_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-dir" / "sandbox.json"
    status, line = refused(capsys, "--state-file", str(missing))
    assert status == 2 and str(missing) in line and "no directory" in line
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    status, line = refused(capsys, "--state-file", str(not_a_dir / "sandbox.json"))
    assert status == 2 and str(not_a_dir) in line


# -- the README's example ---------------------------------------------------------------------------
@pytest.mark.parametrize("block", blocks_of("restart"))
def test_readme_restart_example_runs(servers: list[Served], block: Block, tmp_path: Path) -> None:
    """``callr-mock serve ... &`` starts a server (on a free port, in tmp_path), ``kill %1``
    stops it with SIGTERM, the rest runs against the running one, outputs checked."""
    problems = []
    for command, expected in commands_and_outputs(block.code):
        line = command.split("  #", 1)[0].strip()
        if line.startswith("callr-mock serve "):
            assert line.endswith("&"), command
            servers.append(start(*shlex.split(line[:-1])[2:], cwd=str(tmp_path)))
            continue
        if line.startswith("kill "):
            assert servers[-1].stop(signal.SIGTERM) == 0
            continue
        script = line.replace(README_URL, servers[-1].url)
        assert ":4010" not in script, f"{block.id}: write the sandbox URL as {README_URL}"
        result = subprocess.run(
            [
                "bash",
                "-c",
                "set -euo pipefail\n" + script.replace("curl ", "curl --fail-with-body "),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        for wanted in expected:
            problems += [
                f"{line.splitlines()[0]}: {p}" for p in check_output(wanted, result.stdout)
            ]
    assert problems == []
    assert len(servers) == 2 and (tmp_path / "sandbox.json").is_file()


def test_a_state_file_of_another_version_given_to_seed_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "callr-mock-state", "version": 999}))
    status, line = refused(capsys, "--seed", str(other))
    assert status == 2 and str(other) in line
    assert "version 999 is not supported" in line
