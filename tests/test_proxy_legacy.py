"""The proxy's drift check on the legacy endpoint (issue 25, item 7): a user with real
keys sees where the legacy emulation differs from what Callr answers.

Each forwarded ``POST /json-rpc/v1.1/`` is answered with the upstream's bytes, unchanged,
and compared with the answer of a private shadow sandbox to the same call
(``proxy/legacy_drift.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY
from callr_mock.base.settings import Settings
from callr_mock.plugin.parity import LegacyClient, LegacyError
from callr_mock.proxy.app import ProxySettings
from callr_mock.running.proxy_server import ProxyServer

from tests.fake_upstream import FakeUpstream
from tests.served import served

SMS = {  # a legacy SMS as the sandbox renders it, plus one key, minus one
    "hash": "ABCDEFGH",
    "type": "OUT",
    "from": "SMS",
    "to": "+33612345678",
    "text": "Hi",
    "status": "SENT",
    "carrier_id": 7,
}
REAL = {
    "system.get_timestamp": {"result": 1767268800},
    "sms.send": {"result": "ABCDEFGH"},
    "sms.get": {"result": SMS},
    "webhooks.get_event_types": {"result": {"sms.mo": "inbound SMS"}},  # an object, not a list
    "sms.search": {"error": {"code": 22, "message": "INVALID_PARAMS"}},
    "apps.get": {"result": {"hash": "APPHASH1"}},
    "voicemail.get_list": {"result": []},
    "media/library.get_list": {"raw": b"<html>maintenance</html>"},
    "jobs.cancel": {"error": {"code": 404, "message": "NOT_FOUND"}},
}


def _proxy(upstream: str) -> ProxyServer:
    return ProxyServer(ProxySettings(upstream + "/v2.0", timeout=5.0), Settings(port=0, threads=4))


def _rpc(proxy: ProxyServer) -> LegacyClient:
    return LegacyClient(
        proxy.url + "/json-rpc/v1.1/", login=DEMO_ACCOUNT_SID, password=DEMO_API_KEY
    )


def _call(rpc: LegacyClient, method: str, *params: Any) -> Any:
    try:
        return rpc.call(method, *params)
    except LegacyError as error:
        return error


def _findings(proxy: ProxyServer) -> list[dict[str, Any]]:
    report = requests.get(proxy.url + "/_mock/drift", timeout=5).json()
    return [f for f in report["findings"] if f["path"] == "/json-rpc/v1.1/"]


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream(routes={}, jsonrpc=REAL) as upstream:
        yield upstream


def test_each_legacy_difference_is_a_finding(fake: FakeUpstream) -> None:
    with _proxy(fake.url) as proxy:
        rpc = _rpc(proxy)
        assert _call(rpc, "system.get_timestamp") == 1767268800
        assert _call(rpc, "sms.send", "SMS", "+33612345678", "Hi", None) == "ABCDEFGH"
        assert _call(rpc, "sms.get", "ABCDEFGH") == SMS  # unchanged, whatever the shadow says
        sms_hash = _call(rpc, "sms.send", "SMS", "+33612345678", "Hi", None)
        _call(rpc, "webhooks.get_event_types")
        _call(rpc, "sms.search", {"type": "OUT"}, None)
        _call(rpc, "voicemail.get_list")
        _call(rpc, "apps.get", "APPHASH1")
        _call(rpc, "jobs.cancel", "ZZZZZZZZ")
        raw = requests.post(
            proxy.url + "/json-rpc/v1.1/",
            data=json.dumps(
                {"jsonrpc": "2.0", "id": 1, "method": "media/library.get_list", "params": [None]}
            ),
            headers=rpc.headers,
            timeout=5,
        )
        assert raw.content == b"<html>maintenance</html>"
        findings = _findings(proxy)
    assert sms_hash == "ABCDEFGH"
    by = {(f["operation"], f["pointer"], f["kind"]): f for f in findings}
    assert set(by) == {
        ("jsonrpc:webhooks.get_event_types", "result", "wrong-type"),
        ("jsonrpc:sms.search", "error", "sandbox-accepts"),
        ("jsonrpc:voicemail.get_list", "result", "unknown-to-sandbox"),
        ("jsonrpc:media/library.get_list", "body", "not-json-rpc"),
    }, findings
    assert by[("jsonrpc:sms.search", "error", "sandbox-accepts")]["observed"] == {
        "code": 22,
        "message": "INVALID_PARAMS",
    }
    assert all(f["provenance"]["level"] == "inferred" for f in findings)
    # sms.get of a hash the shadow has not got, apps.get and jobs.cancel of unknown hashes:
    # differences of state, not of the emulation


def test_result_shapes_are_compared_key_by_key() -> None:
    from callr_mock.proxy.drift import Exchange
    from callr_mock.proxy.legacy_drift import LegacyDrift

    ours = {"jsonrpc": "2.0", "id": 1, "result": [{"hash": "A", "name": "x", "p": {"url": None}}]}
    drift = LegacyDrift(lambda body: ours)
    real = {"jsonrpc": "2.0", "id": 1, "result": [{"hash": "A", "name": 3, "p": {}, "extra": True}]}
    exchange = Exchange(
        method="POST",
        path="/json-rpc/v1.1/",
        request_body=b'{"jsonrpc":"2.0","id":1,"method":"apps.get_list","params":[]}',
        status=200,
        response_body=json.dumps(real).encode(),
    )
    found = {(f.pointer, f.kind) for f in drift.classify(exchange)}
    assert found == {
        ("result/*/extra", "missing-key"),
        ("result/*/name", "wrong-type"),
        ("result/*/p/url", "extra-key"),
    }


def test_the_sandbox_behind_the_proxy_gives_no_legacy_finding() -> None:
    """The README calls through the proxy to a served sandbox: zero false findings."""
    with served("--seed", "demo") as sandbox, _proxy(sandbox.url) as proxy:
        rpc = _rpc(proxy)
        sms_hash = rpc.call("sms.send", "SMS", "+33612345678", "Hello world!", None)
        rpc.call("sms.get", sms_hash)
        rpc.call("sms.search", {"type": "OUT"}, None)
        rpc.call("system.get_timestamp")
        rpc.call("did/areacode.countries")
        rpc.call("media/library.get_list", None)
        rpc.call("apps.get_list", True)
        rpc.call("webhooks.get_event_types")
        rpc.call("list.countries")
        rpc.call("list.number_infos", "+33612345678")
        rpc.call("calls.broadcast_1", {"number": "+33612345678", "timeout": 30}, [131], None)
        rpc.call("sendr/10/campaign.get_object_template", "SMS_SIMPLE")
        _call(rpc, "sms.get", "nothing")
        findings = _findings(proxy)
    assert findings == []
