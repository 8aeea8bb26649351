"""Injected faults and rate limits (control API ``/_mock/faults``, ``/_mock/rate-limits``),
over real HTTP against each engine the sandbox serves on (waitress, granian)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from callr_mock import DEMO_API_KEY, MockServer, Settings
from callr_mock.base.settings import SERVERS

from tests.conftest import running

SMS: dict[str, Any] = {"params": {"to": "+33612345678"}, "json": {"text": "Hello"}}
RPC_SEND = {
    "jsonrpc": "2.0",
    "id": 7,
    "method": "sms.send",
    "params": ["SMS", "+33612345678", "Hello", None],
}


class Sandbox:
    def __init__(self, server: MockServer) -> None:
        self.url = server.url
        self.http = requests.Session()

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, self.url + "/_mock" + path, timeout=10, **kwargs)
        return response

    def add_fault(self, **fault: Any) -> dict[str, Any]:
        response = self.control("POST", "/faults", json=fault)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def add_limit(self, **limit: Any) -> dict[str, Any]:
        response = self.control("POST", "/rate-limits", json=limit)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def account(self) -> tuple[str, str]:
        created = self.control("POST", "/accounts", json={}).json()
        return created["sid"], created["key"]

    def api(self, method: str, path: str, key: str = DEMO_API_KEY, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 10)
        headers = {"x-api-key": key}
        return requests.request(method, self.url + "/v2.0" + path, headers=headers, **kwargs)

    def rpc(self, payload: dict[str, Any], key: str = DEMO_API_KEY) -> Any:
        headers = {"Authorization": f"Api-Key {key}"}
        return requests.post(
            self.url + "/json-rpc/v1.1/", json=payload, headers=headers, timeout=10
        )

    def sms_count(self, sid: str = "sandbox1") -> int:
        return len(
            self.control("GET", "/state", params={"account": sid}).json()["accounts"][0]["sms"]
        )

    def journal(self, sid: str = "sandbox1") -> list[dict[str, Any]]:
        return list(self.control("GET", "/journal", params={"account": sid}).json())

    def violations(self) -> list[Any]:
        return list(self.control("GET", "/violations").json())

    def advance(self, seconds: float) -> None:
        assert self.control("POST", "/clock/advance", json={"seconds": seconds}).ok


@pytest.fixture(params=SERVERS)
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A real sandbox on each engine ``callr-mock serve`` can run on."""
    with running(id_seed=99, server=request.param) as server:
        box = Sandbox(server)
        yield box
        assert box.violations() == [], "injected answers are never contract violations"
        box.http.close()


def test_status_fault_answers_twice_then_lets_the_request_through(sandbox: Sandbox) -> None:
    fault = sandbox.add_fault(operation="sendSms", status=503, times=2)
    assert fault["id"] and fault["active"] and fault["code"] == "injected-fault"
    answers = [sandbox.api("POST", "/sms", **SMS) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 201]
    assert answers[0].json()["code"] == "injected-fault"
    assert fault["id"] in answers[0].json()["message"]
    assert sandbox.sms_count() == 1  # the faulted requests changed nothing
    marks = [entry["injected"] for entry in sandbox.journal()]
    assert marks == [{"kind": "fault", "id": fault["id"], "status": 503}] * 2 + [None]
    listed = sandbox.control("GET", "/faults").json()
    assert listed[0]["hits"] == 2 and listed[0]["active"] is False


def test_code_message_and_other_operations(sandbox: Sandbox) -> None:
    sandbox.add_fault(operation="ping", status=500, code="boom", message="Callr is down")
    assert sandbox.api("GET", "/billing/credit").status_code == 200  # another operation
    answer = sandbox.api("GET", "/ping")
    assert (answer.status_code, answer.json()) == (
        500,
        {"code": "boom", "message": "Callr is down"},
    )


def test_times_null_lasts_until_removed(sandbox: Sandbox) -> None:
    fault = sandbox.add_fault(status=502, times=None)  # every operation
    assert [sandbox.api("GET", "/ping").status_code for _ in range(4)] == [502] * 4
    assert sandbox.control("DELETE", f"/faults/{fault['id']}").status_code == 204
    assert sandbox.api("GET", "/ping").status_code == 200
    assert sandbox.control("DELETE", f"/faults/{fault['id']}").status_code == 404


def test_drop_closes_the_connection_without_an_answer(sandbox: Sandbox) -> None:
    sandbox.add_fault(operation="sendSms", drop=True)
    with pytest.raises(requests.ConnectionError):
        sandbox.api("POST", "/sms", **SMS)
    assert sandbox.sms_count() == 0
    entry = sandbox.journal()[-1]
    assert entry["status"] is None and entry["injected"]["drop"] is True
    assert sandbox.api("POST", "/sms", **SMS).status_code == 201  # the server is fine


def test_latency_beats_a_client_timeout_even_on_a_frozen_clock(sandbox: Sandbox) -> None:
    clock_before = sandbox.control("GET", "/clock").json()
    sandbox.add_fault(operation="ping", latency_ms=600)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        sandbox.api("GET", "/ping", timeout=0.2)
    assert time.monotonic() - started < 0.5
    sandbox.add_fault(operation="ping", latency_ms=300)
    started = time.monotonic()
    answer = sandbox.api("GET", "/ping", timeout=5)  # a patient client gets the real answer
    assert answer.status_code == 200 and answer.json()["pong"] == "pong"
    assert time.monotonic() - started >= 0.3
    assert sandbox.control("GET", "/clock").json() == clock_before
    # the journal is in the order requests finished: the timed-out one (600 ms) may land last
    injected = [e["injected"] for e in sandbox.journal() if e["operation"] == "ping"]
    assert {"kind": "fault", "id": "fault-2", "latency_ms": 300} in injected


def test_after_commits_the_work_then_loses_the_answer(sandbox: Sandbox) -> None:
    sandbox.add_fault(operation="sendSms", status=504, after=True)
    assert sandbox.api("POST", "/sms", **SMS).status_code == 504
    assert sandbox.api("POST", "/sms", **SMS).status_code == 201  # the client's retry
    assert sandbox.sms_count() == 2  # the duplicate a naive retry creates
    sandbox.add_fault(operation="sendSms", drop=True, after=True)
    with pytest.raises(requests.ConnectionError):
        sandbox.api("POST", "/sms", **SMS)
    assert sandbox.sms_count() == 3


def test_legacy_methods_can_fail_too(sandbox: Sandbox) -> None:
    sandbox.add_fault(operation="legacy:sms.send", status=503)
    answer = sandbox.rpc(RPC_SEND)
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert answer.json()["id"] == 7
    assert error["data"] == {"code": "injected-fault", "status": 503}
    assert sandbox.sms_count() == 0
    sandbox.add_fault(operation="jsonrpc:sms.send", status=500, after=True)  # journal spelling
    assert sandbox.rpc(RPC_SEND).status_code == 500
    assert sandbox.sms_count() == 1
    assert sandbox.rpc(RPC_SEND).json()["result"]
    assert sandbox.journal()[0]["injected"]["kind"] == "fault"


def test_faults_of_one_account_never_touch_another(sandbox: Sandbox) -> None:
    sid, key = sandbox.account()
    sandbox.add_fault(account=sid, status=503, times=None)
    assert sandbox.api("GET", "/ping", key=key).status_code == 503
    assert sandbox.api("GET", "/ping").status_code == 200  # sandbox1
    assert [
        f["account"] for f in sandbox.control("GET", "/faults", params={"account": sid}).json()
    ] == [sid]
    assert sandbox.control("GET", "/faults", params={"account": "sandbox1"}).json() == []
    assert sandbox.control("DELETE", f"/accounts/{sid}").status_code == 204
    assert sandbox.control("GET", "/faults").json() == []  # gone with its account


def _draws(sandbox: Sandbox, key: str, count: int = 40) -> list[int]:
    return [sandbox.api("GET", "/ping", key=key).status_code for _ in range(count)]


def test_probability_is_seeded_per_account_and_repeatable(live: MockServer) -> None:
    runs = []
    for _ in range(2):
        with MockServer(Settings(port=0, clock="frozen", id_seed=5)) as server:
            box = Sandbox(server)
            sid, key = box.account()
            noise_sid, noise_key = box.account()
            box.add_fault(account=noise_sid, probability=0.5, times=None)
            box.add_fault(account=sid, probability=0.3, times=None)
            mixed = []
            for index in range(40):  # other accounts' traffic does not shift our draws
                if index % 3 == 0:
                    box.api("GET", "/ping", key=noise_key)
                mixed.append(box.api("GET", "/ping", key=key).status_code)
            runs.append(mixed)
    assert runs[0] == runs[1]
    assert 3 <= runs[0].count(503) <= 25 and runs[0].count(200) >= 15
    box = Sandbox(live)
    sid, key = box.account()
    box.add_fault(account=sid, probability=0.3, times=None, seed=1)
    first = _draws(box, key)
    box.control("DELETE", "/faults")
    box.add_fault(account=sid, probability=0.3, times=None, seed=1)
    assert _draws(box, key) == first  # an explicit seed replays the same draws
    box.control("DELETE", "/faults")
    box.add_fault(account=sid, probability=0.3, times=None, seed=2)
    assert _draws(box, key) != first


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        # the control spec's schema refuses malformed fields first (invalid-body), as on /v2.0
        ({"operation": "sendSMS"}, 400, "unknown-operation"),
        ({"operation": "legacy:sms.nope"}, 400, "unknown-operation"),
        ({"statut": 503}, 400, "invalid-body"),
        ({"status": 200}, 400, "invalid-body"),
        ({"status": "503"}, 400, "invalid-body"),
        ({"probability": 1.5}, 400, "invalid-body"),
        ({"times": 0}, 400, "invalid-body"),
        ({"latency_ms": -1}, 400, "invalid-body"),
        ({"drop": "yes"}, 400, "invalid-body"),
        ({"after": True, "latency_ms": 10}, 400, "invalid-request"),
        ({"account": "nobody00"}, 404, "not-found"),
    ],
)
def test_bad_faults_are_refused_clearly(
    sandbox: Sandbox, fault: Any, status: int, code: str
) -> None:
    answer = sandbox.control("POST", "/faults", json=fault)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.json()["message"]
    assert sandbox.control("GET", "/faults").json() == []


def test_rate_limit_on_the_sandbox_clock(sandbox: Sandbox) -> None:
    limit = sandbox.add_limit(operation="ping", requests=2, per_seconds=10)
    assert [sandbox.api("GET", "/ping").status_code for _ in range(2)] == [200, 200]
    refused = sandbox.api("GET", "/ping")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "10"
    assert refused.json()["code"] == "too-many-requests"
    assert sandbox.api("GET", "/billing/credit").status_code == 200  # other operations
    sandbox.advance(4)
    assert sandbox.api("GET", "/ping").headers["Retry-After"] == "6"  # refusals do not count
    sandbox.advance(6)
    assert sandbox.api("GET", "/ping").status_code == 200
    entry = sandbox.journal()[2]
    assert entry["status"] == 429
    assert entry["injected"] == {"kind": "rate-limit", "id": limit["id"], "status": 429}


def test_a_global_rate_limit_gives_each_account_its_own_budget(sandbox: Sandbox) -> None:
    sandbox.add_limit(requests=1, per_seconds=1)
    _, key = sandbox.account()
    assert sandbox.api("GET", "/ping").status_code == 200
    assert sandbox.api("GET", "/ping", key=key).status_code == 200
    assert sandbox.api("GET", "/ping").status_code == 429
    credit = {**RPC_SEND, "method": "billing.get_prepaid_credit", "params": []}
    refused = sandbox.rpc(credit)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["data"] == {"code": "too-many-requests", "status": 429}
    sandbox.advance(1)
    assert "result" in sandbox.rpc(credit).json()


def test_bad_rate_limits_and_reset(sandbox: Sandbox) -> None:
    for bad in (
        {},
        {"requests": 0, "per_seconds": 1},
        {"requests": 1, "per_seconds": 0},
        {"requests": 1, "per_seconds": 1, "window": 3},
    ):
        answer = sandbox.control("POST", "/rate-limits", json=bad)
        assert answer.status_code == 400 and answer.json()["message"]
    limit = sandbox.add_limit(requests=1, per_seconds=60)
    sandbox.add_fault(operation="ping", status=500)
    assert len(sandbox.control("GET", "/rate-limits").json()) == 1
    assert sandbox.control("POST", "/reset").status_code == 204
    assert sandbox.control("GET", "/faults").json() == []
    assert sandbox.control("GET", "/rate-limits").json() == []
    assert sandbox.control("DELETE", f"/rate-limits/{limit['id']}").status_code == 404
    assert [sandbox.api("GET", "/ping").status_code for _ in range(2)] == [200, 200]
    sandbox.add_limit(requests=1, per_seconds=60)
    assert sandbox.control("DELETE", "/rate-limits").json() == {"removed": 1}


def test_in_process_test_client_cannot_drop_and_says_so(client: Any) -> None:
    client.post("/_mock/faults", json={"operation": "ping", "drop": True})
    answer = client.get("/v2.0/ping", headers={"x-api-key": DEMO_API_KEY})
    assert answer.status_code == 503
    assert "cannot drop connections" in answer.get_json()["message"]


def test_on_granian_a_latency_fault_holds_no_thread() -> None:
    """One Python thread, a request held 1 s by a latency fault: another request is
    answered meanwhile, and the held one gets its real answer when the time is up."""
    with running(id_seed=99, server="granian", threads=1) as server:
        box = Sandbox(server)
        sid, key = box.account()
        box.add_fault(account=sid, operation="ping", latency_ms=1000)
        with ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            held = pool.submit(box.api, "GET", "/ping", key)
            time.sleep(0.1)  # the held request is in
            assert box.api("GET", "/ping").status_code == 200  # sandbox1, no fault
            assert time.monotonic() - started < 0.6
            assert held.result().json()["pong"] == "pong"
            assert time.monotonic() - started >= 1.0
        box.http.close()
