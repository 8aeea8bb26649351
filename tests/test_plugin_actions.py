"""The plugin's Callr Actions helpers (inbound_call, runs, flush_runs; inbound_sms runs in
the docs' examples), in a user's project through ``pytester``, with pytest-xdist."""

from __future__ import annotations

import pytest

CALLS = '''
SCRIPT = """branches:
  inbound-call:
    actions:
      - action: say@v2
        params: {what: "Hello ${{ call.fromNumber }}"}
  hangup:
    actions:
      - action: log@v1
        params: {message: "bye ${{ call.toNumber }}"}
"""


def buy(callr_client):
    where = {"country": "FR", "area": "paris", "quantity": 1}
    token = callr_client.post("/numbers/store", json=where).json()["token"]
    return callr_client.post(f"/numbers/store/{token}").json()["numbers"][0]["e164"]


def test_a_call_runs_inbound_call_then_hangup(callr_mock, callr_client):
    number = buy(callr_client)
    sid = callr_client.post("/actions", json={"name": "Calls", "script": SCRIPT}).json()["sid"]
    callr_client.put(f"/actions/{sid}/numbers/{number}")
    callr_mock.inbound_call(to=number, from_="+33639980042", duration=20)
    [started] = callr_mock.runs(scenario=sid)
    assert started["branch"] == "inbound-call"
    assert started["trace"][0]["params"] == {"what": "Hello +33639980042"}
    callr_mock.clock.advance(21)
    assert callr_mock.flush_runs()
    ended = callr_mock.runs(scenario=sid)[-1]
    assert (ended["branch"], ended["log"]) == ("hangup", [f"bye {number}"])


def test_runs_are_per_account(callr_mock, callr_client):
    assert callr_mock.runs() == []
'''


def test_the_helpers_drive_a_scenario_in_a_users_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_calls=CALLS)
    pytester.runpytest("-p", "no:randomly", "-n", "2").assert_outcomes(passed=2)
