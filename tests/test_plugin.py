"""The pytest plugin, tested the way users run it (pytester: inner pytest sessions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import callr_mock.plugin.handle
import callr_mock.plugin.strategies
import callr_mock.web.surfaces.control
import pytest
import requests
from callr_mock.handlers.rest import load_handlers
from callr_mock.plugin.receiver import WebhookReceiver

# pytester's in-process runs drop the modules they import once they end; import what the
# plugin loads now, so that every inner session shares these modules.
load_handlers()
assert callr_mock.web.surfaces.control and callr_mock.plugin.handle and callr_mock.plugin.strategies

INNER_TIMEOUT = 120


def _entry_point() -> metadata.EntryPoint:
    [entry] = [e for e in metadata.entry_points(group="pytest11") if e.name == "callr_mock"]
    return entry


# -- loading ------------------------------------------------------------------------------
def test_the_plugin_is_declared_as_a_pytest11_entry_point() -> None:
    entry = _entry_point()
    assert entry.value == "callr_mock.plugin.pytest_plugin"
    assert entry.dist is not None and entry.dist.name == "callr-mock"


def test_without_the_plugin_the_fixtures_do_not_exist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ping="def test_ping(callr_mock):\n    pass\n")
    disabled = pytester.runpytest("-p", "no:callr_mock")
    disabled.assert_outcomes(errors=1)
    disabled.stdout.fnmatch_lines(["*fixture 'callr_mock' not found*"])


def test_the_registered_plugin_is_our_module_from_the_distribution(
    pytester: pytest.Pytester,
) -> None:
    config = pytester.parseconfigure()
    plugin = config.pluginmanager.get_plugin("callr_mock")
    assert plugin is not None and plugin.__name__ == "callr_mock.plugin.pytest_plugin"
    dists = {dist.project_name for _, dist in config.pluginmanager.list_plugin_distinfo()}
    assert "callr-mock" in dists
    assert "callr_mock" in config.getini("markers")[0] or any(
        line.startswith("callr_mock(") for line in config.getini("markers")
    )


def test_the_plugin_module_stays_import_light() -> None:
    # pytest loads the plugin in every run of a project that installs callr-mock: loading it
    # must not import the server stack (flask, waitress) nor hypothesis, faker, requests.
    code = (
        "import sys, pytest; before = set(sys.modules); "
        "import callr_mock.plugin.pytest_plugin; "
        "print(sorted(set(sys.modules) - before))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    added = eval(out.stdout)  # a printed list of module names
    heavy = {
        "flask",
        "werkzeug",
        "waitress",
        "hypothesis",
        "faker",
        "requests",
        "jsonschema_rs",
        "phonenumbers",
    }
    assert not {name.split(".")[0] for name in added} & heavy, added
    assert "callr_mock.plugin.parity" in added  # the parity fixtures come with the plugin


# -- isolation ----------------------------------------------------------------------------------
ISOLATION_TESTS = """
import pytest

SEEN = {}
TASK = {
    "sid": "tsk0a1b2", "type": "calls-export", "status": "done", "progress": 100,
    "result": None, "error": None,
    "created": "2026-01-01T11:00:00.000Z", "updated": "2026-01-01T11:00:03.000Z",
}


def test_first_creates_data(callr_mock, callr_client):
    callr_mock.seed({"accounts": [{"tasks": [TASK]}]})
    assert callr_client.get("/tasks").json()["total"] == 1
    script = "branches:\\n  api-initiated:\\n    actions: []\\n"
    created = callr_client.post("/actions", json={"name": "Mine", "script": script})
    assert created.status_code == 201, created.text
    SEEN.update(sid=callr_mock.account_sid, key=callr_mock.api_key, scenario=created.json()["sid"])
    assert callr_mock.store.account(callr_mock.account_sid).tasks.items


def test_second_sees_none_of_it(callr_mock, callr_client):
    assert callr_mock.journal() == [] and callr_mock.events() == []
    assert callr_mock.account_sid != SEEN["sid"]
    assert callr_client.get("/tasks").json()["total"] == 0
    assert callr_client.get("/tasks/tsk0a1b2").status_code == 404
    assert callr_client.get("/actions").json()["total"] == 0
    assert callr_client.get("/actions/" + SEEN["scenario"]).status_code == 404
    # the first test's account is gone: its key no longer opens anything
    stale = callr_client.get("/ping", headers={"x-api-key": SEEN["key"]})
    assert stale.status_code == 401
    assert callr_mock.store.find_account(SEEN["sid"]) is None
"""


def test_two_tests_cannot_see_each_others_data(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_isolation=ISOLATION_TESTS)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


# -- violations ---------------------------------------------------------------------------------
VIOLATION_TESTS = """
from callr_mock.handlers.rest import Reply


def test_broken_ping(callr_mock, callr_client, monkeypatch):
    monkeypatch.setitem(callr_mock.runtime.handlers, "ping", lambda call: Reply(200, {"pong": "nope", "time": "now"}))
    response = callr_client.get("/ping")
    assert response.status_code in (200, 500)


def test_healthy_ping(callr_mock, callr_client):
    assert callr_client.get("/ping").status_code == 200


def test_failing_on_its_own(callr_mock, callr_client, monkeypatch):
    monkeypatch.setitem(callr_mock.runtime.handlers, "ping", lambda call: Reply(200, {"pong": "pong"}))
    assert callr_client.get("/ping").status_code == 200
"""


def test_a_response_violation_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_violations=VIOLATION_TESTS)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    outcomes = {
        r.nodeid.split("::")[-1]: r.outcome
        for r in result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
        if r.when == "call"
    }
    assert outcomes == {
        "test_broken_ping": "failed",
        "test_healthy_ping": "passed",
        "test_failing_on_its_own": "failed",
    }
    text = result.stdout.str()
    assert "callr-mock recorded 1 contract violation(s)" in text
    assert "GET /v2.0/ping -> 500 (operation ping)" in text
    assert re.search(r"ping 200 response body at '/pong'", text)
    # the test that failed by itself carries the violation report as a note
    assert "ping 200 response body at '/'" in text


def test_lenient_mode_turns_violations_into_warnings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_violations=VIOLATION_TESTS.split("def test_failing_on_its_own")[0])
    result = pytester.runpytest("--callr-mock-lenient", "-W", "default")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(
        ["*| lenient", "*CallrMockViolationWarning*", "*GET /v2.0/ping -> 200 (operation ping)*"]
    )


def test_a_violation_in_a_fixture_teardown_errors_that_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_late="""
        import pytest
        from callr_mock.handlers.rest import Reply

        @pytest.fixture
        def noisy(callr_mock, callr_client, monkeypatch):
            yield
            monkeypatch.setitem(callr_mock.runtime.handlers, "ping", lambda call: Reply(200, {}))
            callr_client.get("/ping")

        def test_passes_then_its_fixture_breaks_the_contract(noisy):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_passes_then_its_fixture_breaks_the_contract*"]
    )
    result.stdout.fnmatch_lines(["*ping 200 response body at '/'*"])


def test_check_raises_a_readable_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_check="""
        import pytest
        from callr_mock.handlers.rest import Reply

        def test_check(callr_mock, callr_client, monkeypatch):
            callr_mock.check()  # nothing yet
            monkeypatch.setitem(callr_mock.runtime.handlers, "ping", lambda call: Reply(418, None))
            assert callr_client.get("/ping").status_code == 500
            with pytest.raises(AssertionError, match="ping answered status 418"):
                callr_mock.check()
            assert len(callr_mock.violations()) == 1
        """
    )
    # check() marked the violation reported: the test itself passes
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_spec_variant_makes_the_mock_violate(pytester: pytest.Pytester) -> None:
    from callr_mock.contract.spec import packaged_spec_text

    text = packaged_spec_text()
    assert "pong: {type: string, const: pong}" in text
    variant = pytester.path / "variant.yaml"
    variant.write_text(
        text.replace("pong: {type: string, const: pong}", "pong: {type: string, const: PONG}")
    )
    pytester.makepyfile(
        test_variant="""
        def test_ping(callr_client):
            callr_client.get("/ping")
        """
    )
    result = pytester.runpytest(f"--callr-mock-spec={variant}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ping 200 response body at '/pong'*"])
    missing = pytester.runpytest("--callr-mock-spec=nope.yaml")
    assert missing.ret == pytest.ExitCode.USAGE_ERROR
    missing.stderr.fnmatch_lines(["*--callr-mock-spec: no such file*"])
    (pytester.path / "broken.yaml").write_text("openapi: 3.1.0\npaths:\n  /x: [\n")
    broken = pytester.runpytest("--callr-mock-spec=broken.yaml")
    broken.assert_outcomes(errors=1)
    broken.stdout.fnmatch_lines(["*--callr-mock-spec: *broken.yaml line 4: broken YAML*"])
    assert "Traceback" not in broken.stdout.str()


# -- marker, options, clock ----------------------------------------------------------------------
def test_marker_picks_clock_start_and_credit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marker="""
        import time
        import pytest
        from datetime import datetime, timezone

        def test_default_is_frozen_at_the_fixed_start(callr_mock, callr_client):
            assert callr_mock.clock.mode == "frozen"
            assert callr_client.get("/ping").json()["time"] == "2026-01-01T12:00:00.000Z"
            assert callr_mock.clock.advance(90).isoformat() == "2026-01-01T12:01:30+00:00"
            assert callr_client.get("/ping").json()["time"] == "2026-01-01T12:01:30.000Z"

        def test_each_test_starts_again_at_the_same_instant(callr_client):
            assert callr_client.get("/ping").json()["time"] == "2026-01-01T12:00:00.000Z"

        @pytest.mark.callr_mock(now="2024-04-24T12:00:42Z", credit="500.00")
        def test_start_and_credit(callr_mock, callr_client):
            assert callr_client.get("/ping").json()["time"] == "2024-04-24T12:00:42.000Z"
            assert callr_mock.state()["credit"]["balance"] == "500.00"

        @pytest.mark.callr_mock(clock="real", now=datetime(2030, 5, 1, tzinfo=timezone.utc))
        def test_real_clock(callr_mock):
            assert callr_mock.clock.mode == "real"
            first = callr_mock.clock.now()
            assert first.year == 2030
            time.sleep(0.01)
            assert callr_mock.clock.now() > first

        def test_back_to_frozen(callr_mock):
            assert callr_mock.clock.mode == "frozen"
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


def test_marker_arguments_are_checked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad_marker="""
        import pytest

        @pytest.mark.callr_mock(clok="real")
        def test_typo(callr_mock):
            pass

        @pytest.mark.callr_mock(clock="slow")
        def test_mode(callr_mock):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["*got clok; it takes seed, clock, now, credit*", "*'frozen' or 'real', not 'slow'*"]
    )


def test_ini_keys_configure_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncallr_mock_clock = real\ncallr_mock_strict = false\n")
    pytester.makepyfile(
        test_ini="""
        def test_clock(callr_mock):
            assert callr_mock.clock.mode == "real"
            assert callr_mock.server.runtime.settings.strict is False
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["callr-mock: * | clock: real | lenient"])
    pytester.makeini("[pytest]\ncallr_mock_clock = sometimes\n")
    assert pytester.runpytest().ret == pytest.ExitCode.USAGE_ERROR


def test_the_seed_option_and_ini_key_seed_every_test(pytester: pytest.Pytester) -> None:
    from callr_mock.contract.seeding import read_seed
    from callr_mock.fixtures.factories import SeedFactory

    demo_numbers = len(read_seed("demo")["accounts"][0]["numbers"])
    pytester.makepyfile(
        test_seeded=f"""
        import pytest

        def test_seeded(callr_client):
            assert callr_client.get("/numbers").json()["total"] == {demo_numbers}

        @pytest.mark.callr_mock(seed=None)
        def test_opt_out(callr_client):
            assert callr_client.get("/numbers").json()["total"] == 0
        """
    )
    result = pytester.runpytest("--callr-mock-seed=demo")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["callr-mock: * | seed: demo | *"])

    make = SeedFactory(seed=9)
    (pytester.path / "seeds").mkdir()
    (pytester.path / "seeds" / "mine.json").write_text(
        json.dumps(make.document(numbers=[make.number()]))
    )
    pytester.makeini("[pytest]\ncallr_mock_seed = seeds/mine.json\n")
    pytester.makepyfile(
        test_seeded="""
        def test_seeded(callr_client):
            assert callr_client.get("/numbers").json()["total"] == 1
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_sub_accounts_and_extra_accounts_are_isolated_and_cleaned_up(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_accounts="""
        SEEN = []

        def test_accounts(callr_mock, callr_client):
            other = callr_mock.new_account()
            sub = callr_mock.new_account(sub_account=True)
            assert callr_mock.client(other).get("/ping").status_code == 200
            assert callr_mock.client(sub).get("/ping").status_code == 200
            journal = callr_mock.server.control.journal()
            assert {e["account"] for e in journal[-2:]} == {other.sid, sub.sid}
            SEEN.extend([other.sid, sub.sid, callr_mock.account_sid])

        def test_gone(callr_mock):
            assert all(callr_mock.store.find_account(sid) is None for sid in SEEN)
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


# -- xdist --------------------------------------------------------------------------------------------
def test_installed_plugin_runs_under_xdist_with_a_server_per_worker(
    pytester: pytest.Pytester,
) -> None:
    """A fresh interpreter, no conftest, no -p: the pytest11 entry point loads the plugin;
    with -n 2 each worker starts its own server on its own free port."""
    pytester.makepyfile(
        test_xdist="""
        import os, pytest

        @pytest.mark.parametrize("n", range(3))
        def test_ping(callr_mock, callr_client, n):
            response = callr_client.get("/ping")
            assert response.status_code == 200 and response.json()["pong"] == "pong"
            callr_mock.clock.advance(5)
            worker = os.environ.get("PYTEST_XDIST_WORKER", "none")
            with open(f"port-{worker}-{n}.txt", "w") as out:
                out.write(callr_mock.base_url)
        """
    )
    assert not list(pytester.path.glob("conftest.py"))
    result = pytester.runpytest_subprocess(
        "-n", "2", "--dist", "each", "-p", "no:cacheprovider", timeout=INNER_TIMEOUT
    )
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(
        ["callr-mock: Callr REST API v2.0 * | url: in-process* | clock: frozen | strict"]
    )
    urls = {path.read_text() for path in pytester.path.glob("port-gw*.txt")}
    assert len(urls) == 2, urls  # two workers, two servers, two free ports
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+/v2\.0", url) for url in urls)


# -- external server -------------------------------------------------------------------------------------
@pytest.fixture
def serve_process() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "callr_mock", "serve", "--port", "0", "--clock", "frozen"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.append(process.stdout.readline() if process.stdout else "")
    )
    reader.start()
    reader.join(timeout=60)
    try:
        match = re.search(r" on (http://\S+?)/v2\.0", lines[0] if lines else "")
        assert match, f"callr-mock serve did not announce its URL: {lines}"
        yield match.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


EXTERNAL_TESTS = """
import pytest
from callr_mock.plugin.handle import CallrMockError

def test_against_the_external_server(callr_mock, callr_client):
    assert callr_mock.external
    assert callr_mock.base_url == "{url}/v2.0"
    assert callr_client.get("/ping").status_code == 200
    before = callr_mock.clock.now()
    assert (callr_mock.clock.advance(30) - before).total_seconds() == 30
    assert [e["operation"] for e in callr_mock.journal()] == ["ping"]
    assert callr_mock.violations() == []
    with pytest.raises(CallrMockError, match="only reachable in-process"):
        callr_mock.store

def test_accounts_are_separate(callr_mock, callr_client):
    assert callr_mock.journal() == []
    assert callr_client.get("/tasks").json()["total"] == 0
    assert [e["operation"] for e in callr_mock.journal()] == ["searchTasks"]
"""


def test_the_external_url_option_runs_against_a_serve_process(
    pytester: pytest.Pytester, serve_process: str
) -> None:
    url = serve_process
    pytester.makepyfile(test_external=EXTERNAL_TESTS.replace("{url}", url))
    result = pytester.runpytest(f"--callr-mock-url={url}/v2.0", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"callr-mock: * | url: {url}/v2.0 | *"])
    accounts = requests.get(f"{url}/_mock/accounts", timeout=10).json()
    assert [a["sid"] for a in accounts] == ["sandbox1"]  # the test accounts were deleted
    # a real-clock server is left with a real clock after a (frozen-clock) test run
    requests.post(f"{url}/_mock/clock/unfreeze", timeout=10)
    pytester.runpytest(f"--callr-mock-url={url}", "-k", "separate").assert_outcomes(passed=1)
    assert requests.get(f"{url}/_mock/clock", timeout=10).json()["mode"] == "real"


def test_an_unreachable_external_url_fails_clearly_once(pytester: pytest.Pytester) -> None:
    tests = "".join(f"def test_{n}(callr_mock):\n    pass\n\n" for n in range(5))
    pytester.makepyfile(test_x=tests)
    result = pytester.runpytest("--callr-mock-url=http://127.0.0.1:9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert output.count("cannot reach the callr-mock control API at http://127.0.0.1:9") == 1
    assert "Traceback" not in output


# -- the webhook receiver -------------------------------------------------------------------------------------
def test_the_receiver_collects_posts_and_can_fail_on_demand() -> None:
    with WebhookReceiver() as receiver:
        assert receiver.url.startswith("http://127.0.0.1:")
        receiver.fail_next(1, status=503)
        body = json.dumps({"type": "v2.task.updated", "payload": {}}).encode()
        secret = "s3cret"
        signature = base64.b64encode(
            hmac.new(secret.encode(), body, hashlib.sha256).digest()
        ).decode()
        headers = {"Content-Type": "application/json", "X-CALLR-HmacSignature": signature}
        first = requests.post(receiver.url, data=body, headers=headers, timeout=5)
        second = requests.post(receiver.url, data=body, headers=headers, timeout=5)
        assert (first.status_code, second.status_code) == (503, 200)
        got = receiver.wait_for(2, timeout=2)
        assert [r.status for r in got] == [503, 200]
        assert got[1].json == {"type": "v2.task.updated", "payload": {}}
        assert got[1].signature_valid(secret) and not got[1].signature_valid("other")
        assert receiver.events("v2.task.updated") == [{"type": "v2.task.updated", "payload": {}}]
        assert receiver.wait_for(1, type="v2.task.updated")
        started = time.monotonic()
        with pytest.raises(AssertionError, match="got 2 of 3 expected deliveries"):
            receiver.wait_for(3, timeout=0.2)
        assert time.monotonic() - started < 2


def test_the_receiver_fixture_is_available(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_receiver="""
        import requests

        def test_receiver(callr_webhook_receiver):
            requests.post(callr_webhook_receiver.url, json={"type": "v2.sms.outbound.updated"}, timeout=5)
            [delivery] = callr_webhook_receiver.wait_for(1)
            assert delivery.event_type == "v2.sms.outbound.updated"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_session_fixture_timing_is_reported_in_verbose_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_t="def test_t(callr_mock):\n    pass\n")
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        [
            "callr-mock (in-process at http://127.0.0.1:*): ready in * s; 1 test account(s), * ms each*"
        ]
    )


def test_paths_are_under_the_test_folder(pytester: pytest.Pytester) -> None:
    # guards the assumption of the tests above: pytester runs in its own folder
    assert Path.cwd() == pytester.path


def test_redeliver_sends_this_accounts_delivery_again_and_refuses_another_accounts(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_redeliver="""
        import pytest
        import requests
        from callr_mock.plugin import CallrMockError

        def test_redeliver(callr_mock, callr_client, callr_webhook_receiver):
            hook = {"type": "v2.billing.credit.topup", "endpoint": callr_webhook_receiver.url}
            assert callr_client.post("/webhooks", json=hook).status_code == 201
            callr_mock.top_up("5")
            callr_mock.flush_deliveries()
            [delivery] = callr_mock.deliveries()
            again = callr_mock.redeliver(delivery["id"])
            assert again["redeliveryOf"] == delivery["id"] and again["state"] == "delivered"
            assert [a["status"] for a in again["history"]] == [200]
            first, second = callr_webhook_receiver.wait_for(2)
            assert first.body == second.body
            other = callr_mock.new_account()
            theirs = requests.post(
                callr_mock.base_url + "/webhooks", json=hook, headers=other.headers, timeout=5
            )
            assert theirs.status_code == 201
            callr_mock.control.credit(other.sid, amount="5")
            callr_mock.flush_deliveries()
            [their_delivery] = callr_mock.control.deliveries(other.sid)
            with pytest.raises(CallrMockError, match="not one of account"):
                callr_mock.redeliver(their_delivery["id"])
            with pytest.raises(CallrMockError, match="404: no webhook delivery with id 'nope'"):
                callr_mock.redeliver("nope")
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_journal_entry_shows_this_accounts_request_and_response_and_refuses_another_accounts(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_entry="""
        import pytest
        import requests
        from callr_mock.plugin import CallrMockError

        def test_entry(callr_mock, callr_client):
            sent = callr_client.post("/sms", params={"to": "+33612345678"}, json={"text": "hi"})
            assert sent.status_code == 201
            [listed] = callr_mock.journal()
            entry = callr_mock.journal_entry(listed["seq"])
            assert entry["request"]["body"] == {"text": "hi"}
            assert entry["response"]["body"]["sid"] == sent.json()["sid"]
            assert callr_mock.api_key not in str(entry)
            other = callr_mock.new_account()
            requests.get(callr_mock.base_url + "/ping", headers=other.headers, timeout=5)
            theirs = [e for e in callr_mock.control.journal(other.sid)][-1]
            with pytest.raises(CallrMockError, match="not one of account"):
                callr_mock.journal_entry(theirs["seq"])
            with pytest.raises(CallrMockError, match="404: no journal entry with seq 999999"):
                callr_mock.journal_entry(999999)
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_asyncio_code_in_the_tests_sees_no_task_of_the_server(pytester: pytest.Pytester) -> None:
    """``asyncio.all_tasks()`` (pytest-asyncio, Playwright's sync API) lists every task of the
    process: the session server (granian) must not put one there that cannot be read."""
    pytester.makepyfile(
        test_async="""
import asyncio

def test_all_tasks(callr_mock, callr_client):
    assert callr_client.get(callr_mock.base_url + "/ping").status_code == 200

    async def tasks():
        return [t.get_loop() for t in asyncio.all_tasks()]

    assert len(asyncio.run(tasks())) == 1  # the coroutine itself
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=INNER_TIMEOUT)
    result.assert_outcomes(passed=1)
