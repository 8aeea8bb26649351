"""Plugin behaviour that was silently wrong (issue 28), through ``pytester``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.served import Served, start


def test_the_marker_credit_wins_over_the_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_credit="""
import pytest

@pytest.mark.callr_mock(seed="demo", credit="0.01")
def test_credit(callr_client):
    assert callr_client.get("/billing/credit").json()["balance"] == "0.01"

@pytest.mark.callr_mock(seed="demo")
def test_seed_credit(callr_client):
    assert callr_client.get("/billing/credit").json()["balance"] == "25000.00"
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


@pytest.mark.parametrize(
    "marker, line",
    [
        ('clock="sideways"', "callr_mock clock must be 'frozen' or 'real', not 'sideways'"),
        ('now="yesterday"', "callr_mock now='yesterday' is not an RFC 3339 date-time"),
        ("vary=-1", "callr_mock vary= takes True, False or a seed (int >= 0), not -1"),
        ('colour="red"', "@pytest.mark.callr_mock got colour"),
    ],
)
def test_a_bad_marker_is_one_line(pytester: pytest.Pytester, marker: str, line: str) -> None:
    pytester.makepyfile(
        test_bad=f"import pytest\n\n@pytest.mark.callr_mock({marker})\n"
        "def test_x(callr_mock):\n    pass\n"
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    assert output.count(line) >= 1
    assert "pytest_plugin.py" not in output and "Traceback" not in output, output


@pytest.fixture
def real_server() -> Iterator[Served]:
    server = start("--clock", "real")
    try:
        yield server
    finally:
        server.stop()
        if server.log is not None:
            server.log.close()


def test_an_external_servers_clock_is_left_as_it_started(
    pytester: pytest.Pytester, real_server: Served
) -> None:
    pytester.makepyfile(
        test_clock="""
import pytest

@pytest.mark.callr_mock(now="2024-04-24T12:00:00Z")
def test_then(callr_mock):
    assert callr_mock.clock.now().year == 2024

@pytest.mark.callr_mock(clock="frozen", now="2030-01-01T00:00:00Z")
def test_frozen(callr_mock):
    assert callr_mock.clock.now().year == 2030
"""
    )
    pytester.runpytest(f"--callr-mock-url={real_server.url}", "-p", "no:randomly").assert_outcomes(
        passed=2
    )
    clock = requests.get(f"{real_server.url}/_mock/clock", timeout=10).json()
    assert clock["mode"] == "real"
    now = datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)


def test_reset_restarts_the_clock(real_server: Served) -> None:
    url = real_server.url
    requests.post(f"{url}/_mock/clock/freeze", json={"at": "2024-04-24T12:00:00Z"}, timeout=10)
    requests.post(f"{url}/_mock/clock/unfreeze", timeout=10)
    assert requests.get(f"{url}/_mock/clock", timeout=10).json()["now"].startswith("2024")
    assert requests.post(f"{url}/_mock/reset", timeout=10).status_code == 204
    clock = requests.get(f"{url}/_mock/clock", timeout=10).json()
    assert clock["mode"] == "real" and not clock["now"].startswith("2024")
    requests.post(f"{url}/_mock/clock/freeze", timeout=10)
    restarted = requests.post(f"{url}/_mock/clock/restart", timeout=10).json()
    assert restarted["mode"] == "real"
