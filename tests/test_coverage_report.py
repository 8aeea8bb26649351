"""The Callr API coverage report: what a suite exercised, seen by the sandbox.

Through the public surfaces: the control API (``GET /_mock/coverage``), the pytest plugin
(``--callr-mock-cov*`` via pytester, in-process, under ``-n 2`` and against an external
server) and the ``callr-mock coverage`` command against a served sandbox.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from callr_mock.base.settings import Settings
from callr_mock.contract.provenance import default_spec_path, load_spec
from callr_mock.running.server import MockServer
from callr_mock.web.app import create_app
from flask.testing import FlaskClient

from tests.served import Served, served

KEY = {"x-api-key": "callr-mock-demo-key"}
SPEC = load_spec(default_spec_path())
OPERATION_IDS = sorted(
    op["operationId"]
    for item in SPEC["paths"].values()
    for op in item.values()
    if isinstance(op, dict) and "operationId" in op
)
CONTROL = yaml.safe_load((Path(default_spec_path()).parent / "control.yaml").read_text())


def report_schema() -> dict[str, Any]:
    """CoverageReport of spec/control.yaml, with the components it refers to."""
    schema = dict(CONTROL["components"]["schemas"]["CoverageReport"])
    schema["$defs"] = CONTROL["components"]["schemas"]
    text = json.dumps(schema).replace("#/components/schemas/", "#/$defs/")
    return dict(json.loads(text))


def check_schema(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(report_schema()).validate(report)


@pytest.fixture
def api() -> FlaskClient:
    return create_app(Settings(clock="frozen")).test_client()


def test_the_report_counts_operations_statuses_codes_legacy_and_lifecycles(
    api: FlaskClient,
) -> None:
    assert api.get("/v2.0/ping", headers=KEY).status_code == 200
    # a magic failure number (fixtures/magic.yaml) and a plain mobile
    assert (
        api.post("/v2.0/sms?to=%2B33199000001", json={"text": "hi"}, headers=KEY).status_code == 201
    )
    assert (
        api.post("/v2.0/sms?to=%2B33639980000", json={"text": "hi"}, headers=KEY).status_code == 201
    )
    assert api.get("/v2.0/sms/zzzzzzzz", headers=KEY).status_code == 404
    legacy = {"jsonrpc": "2.0", "id": 1, "method": "system.get_timestamp", "params": []}
    auth = ("sandbox1", "callr-mock-demo-key")
    assert api.post("/json-rpc/v1.1/", json=legacy, auth=auth).status_code == 200
    reserve = {"jsonrpc": "2.0", "id": 2, "method": "no.such_method", "params": []}
    api.post("/json-rpc/v1.1/", json=reserve, auth=auth)
    assert api.post("/_mock/clock/advance", json={"seconds": 3600}).status_code == 200

    report = api.get("/_mock/coverage").get_json()
    check_schema(report)
    ops = report["operations"]
    assert sorted(ops) == OPERATION_IDS  # every operation listed, called or not
    assert ops["ping"]["calls"] == 1 and ops["ping"]["statuses"] == {"200": 1}
    assert ops["sendSms"]["statuses"] == {"201": 2}
    assert ops["getSms"]["statuses"] == {"404": 1}
    assert ops["getSms"]["codes"] == {"not-found": 1}
    summary = report["summary"]
    assert summary["operations_covered"] == 3
    assert summary["operations_total"] == len(OPERATION_IDS)
    assert summary["percent"] == round(300 / len(OPERATION_IDS), 1)
    assert "searchSms" in summary["uncovered"] and "ping" not in summary["uncovered"]
    assert report["legacy"]["system.get_timestamp"]["statuses"] == {"200": 1}
    assert report["legacy"]["no.such_method"]["codes"] == {"-32601": 1}
    # lifecycles: the failure end of the magic number and the happy end of the other
    assert {"failed", "delivered"} <= set(report["lifecycles"]["sms"])
    assert report["events"]["v2.sms.outbound.updated"]["fired"] >= 2
    assert report["magic_numbers"] == {"+33199000001": report["magic_numbers"]["+33199000001"]}
    # inferred ground: getSms is an inferred operation of ours
    inferred = {item["operation"]: item for item in report["inferred"]}
    assert inferred["getSms"]["provenance"] == "inferred" and inferred["getSms"]["note"]


def test_the_report_of_one_account_leaves_the_others_out(api: FlaskClient) -> None:
    other = api.post("/_mock/accounts", json={}).get_json()
    assert api.get("/v2.0/ping", headers={"x-api-key": other["key"]}).status_code == 200
    assert api.get("/v2.0/tasks", headers=KEY).status_code == 200
    mine = api.get(f"/_mock/coverage?account={other['sid']}").get_json()
    assert mine["operations"]["ping"]["calls"] == 1
    assert mine["operations"]["searchTasks"]["calls"] == 0
    everyone = api.get("/_mock/coverage").get_json()
    assert everyone["operations"]["searchTasks"]["calls"] == 1


def test_reservations_and_webhook_deliveries_reach_their_lifecycle_states(
    api: FlaskClient,
) -> None:
    reserved = api.post(
        "/v2.0/numbers/store",
        json={"prefix": "+331", "class": "classic", "quantity": 1},
        headers=KEY,
    )
    assert reserved.status_code == 201, reserved.get_json()
    token = reserved.get_json()["token"]
    assert api.delete(f"/v2.0/numbers/store/{token}", headers=KEY).status_code in (200, 204)
    report = api.get("/_mock/coverage").get_json()
    assert report["lifecycles"]["reservation"] == {"cancelled": 1}


# -- the pytest plugin ----------------------------------------------------------------------------
SUITE = """
def test_ping(callr_client):
    assert callr_client.get("/ping").status_code == 200

def test_missing_sms(callr_client):
    assert callr_client.get("/sms/zzzzzzzz").status_code == 404
"""


def test_plugin_prints_a_summary_with_totals_and_uncovered_operations(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("--callr-mock-cov", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    total = len(OPERATION_IDS)
    result.stdout.fnmatch_lines(
        [
            "*callr-mock coverage*",
            f"operations 2/{total} ({round(200 / total, 1)}%), 2 calls",
            "uncovered: *searchSms*",
            "inferred ground (*getSms*",
        ]
    )
    assert "uncovered: *ping," not in result.stdout.str()


def test_without_the_option_there_is_no_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    assert "callr-mock coverage" not in result.stdout.str()


def test_plugin_writes_json_html_and_markdown_reports(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    out = tmp_path / "cov"
    result = pytester.runpytest(
        f"--callr-mock-cov-report=json:{out}/cov.json",
        f"--callr-mock-cov-report=html:{out}/cov.html",
        f"--callr-mock-cov-report=markdown:{out}/cov.md",
    )
    result.assert_outcomes(passed=2)
    report = json.loads((out / "cov.json").read_text())
    check_schema(report)
    assert report["operations"]["getSms"]["codes"] == {"not-found": 1}
    page = (out / "cov.html").read_text()
    assert page.startswith("<!doctype html>") and "getSms" in page
    assert not re.search(r"""(src|href)=["']?https?:""", page)  # self-contained
    markdown = (out / "cov.md").read_text()
    assert "| `ping` | GET | `/ping` | 1 | 200×1 |" in markdown
    # no term report was asked for: the section only says where the files are
    assert "json report written to" in result.stdout.str()
    assert "operations 2/" not in result.stdout.str()


def test_a_bad_report_kind_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("--callr-mock-cov-report=xml:out.xml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*use term, json:PATH, html:PATH or markdown:PATH*"])


def test_fail_under_fails_the_session_with_a_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    failing = pytester.runpytest("--callr-mock-cov-fail-under=50")
    failing.assert_outcomes(passed=2)
    assert failing.ret == pytest.ExitCode.TESTS_FAILED
    failing.stdout.fnmatch_lines(["FAIL: callr-mock operation coverage *% is below *50%"])
    passing = pytester.runpytest("--callr-mock-cov-fail-under=1")
    assert passing.ret == pytest.ExitCode.OK


XDIST_SUITE = """
def test_one(callr_client):
    assert callr_client.get("/ping").status_code == 200

def test_two(callr_client):
    assert callr_client.get("/tasks").status_code == 200
"""


def test_reports_of_xdist_workers_are_merged(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_suite=XDIST_SUITE)
    target = tmp_path / "cov.json"
    result = pytester.runpytest_subprocess(
        "-n", "2", "--dist", "each", f"--callr-mock-cov-report=json:{target}", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=4)  # --dist each: both workers run both tests
    report = json.loads(target.read_text())
    assert report["operations"]["ping"]["calls"] == 2
    assert report["operations"]["searchTasks"]["calls"] == 2
    assert report["summary"]["operations_covered"] == 2


def test_against_an_external_server_only_this_runs_accounts_count(
    pytester: pytest.Pytester, live: MockServer, tmp_path: Path
) -> None:
    import requests

    for _ in range(3):  # someone else's traffic on the same server
        answer = requests.get(live.url + "/v2.0/tasks", headers=KEY, timeout=5)
        assert answer.status_code == 200
    pytester.makepyfile(test_suite=SUITE)
    target = tmp_path / "cov.json"
    result = pytester.runpytest(
        f"--callr-mock-url={live.url}", f"--callr-mock-cov-report=json:{target}"
    )
    result.assert_outcomes(passed=2)
    report = json.loads(target.read_text())
    assert report["operations"]["ping"]["calls"] == 1
    assert report["operations"]["searchTasks"]["calls"] == 0
    assert live.runtime.coverage.raw().operations["searchTasks"]["calls"] == 3


# -- callr-mock coverage, standalone -------------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox() -> Iterator[Served]:
    with served("--clock", "frozen") as server:
        yield server


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callr_mock", "coverage", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_coverage_command_prints_a_served_sandboxs_report(sandbox: Served) -> None:
    import urllib.request

    request = urllib.request.Request(sandbox.url + "/v2.0/ping", headers=KEY)
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
    text = cli("--url", sandbox.url)
    assert text.returncode == 0, text.stderr
    assert re.search(rf"operations \d+/{len(OPERATION_IDS)} ", text.stdout)
    as_json = json.loads(cli("--url", sandbox.url, "--format", "json").stdout)
    check_schema(as_json)
    assert as_json["operations"]["ping"]["calls"] >= 1
    failing = cli("--url", sandbox.url, "--fail-under", "99")
    assert failing.returncode == 1
    assert failing.stderr.count("\n") == 1 and "below --fail-under 99%" in failing.stderr


def test_the_coverage_command_fails_politely() -> None:
    unreachable = cli("--url", "http://127.0.0.1:9")
    assert unreachable.returncode == 1
    assert unreachable.stderr.count("\n") == 1 and "Traceback" not in unreachable.stderr
    assert "cannot reach http://127.0.0.1:9/_mock/coverage" in unreachable.stderr
    bad = cli("--fail-under", "150")
    assert bad.returncode == 2 and "between 0 and 100" in bad.stderr
