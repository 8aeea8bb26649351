"""callr-mock proxy: forwards unchanged, reports drift with provenance, records redacted.

Every upstream here is a fake on 127.0.0.1 (``fake_upstream.py``) that deliberately
disagrees with our spec; no test sends traffic anywhere else.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from callr_mock.base.settings import Settings
from callr_mock.contract.provenance import HOUSE_REQUIRED
from callr_mock.proxy.app import ProxySettings
from callr_mock.running.proxy_server import ProxyServer

from tests.fake_upstream import FakeUpstream, disagreeing_routes

KEY = {"x-api-key": "real-key-of-a-user"}


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream() as upstream:
        yield upstream


def _proxy(upstream: str, **options: Any) -> ProxyServer:
    return ProxyServer(ProxySettings(upstream, **options), Settings(port=0, threads=4))


@pytest.fixture
def proxy(fake: FakeUpstream) -> Iterator[ProxyServer]:
    with _proxy(fake.url + "/v2.0", timeout=1.0) as server:
        yield server


def _findings(proxy: ProxyServer) -> list[dict[str, Any]]:
    report = requests.get(proxy.url + "/_mock/drift", timeout=5).json()
    findings: list[dict[str, Any]] = report["findings"]
    return findings


def _one(findings: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [f for f in findings if all(f[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, findings)
    return found[0]


def _drive(base: str) -> list[requests.Response]:
    """Every disagreement of the fake, twice."""
    answers = []
    for _ in range(2):
        answers += [
            requests.get(f"{base}/v2.0/ping", headers=KEY, timeout=5),
            requests.get(f"{base}/v2.0/sms/8242d945", headers=KEY, timeout=5),
            requests.post(
                f"{base}/v2.0/actions",
                json={"name": "Hello", "script": "branches: {}"},
                headers=KEY,
                timeout=5,
            ),
            requests.get(f"{base}/v2.0/actions", headers=KEY, timeout=5),
            requests.get(f"{base}/v2.0/numbers", headers=KEY, timeout=5),
            requests.get(f"{base}/v2.0/voicemails", headers=KEY, timeout=5),
            requests.patch(f"{base}/v2.0/ping", json={}, headers=KEY, timeout=5),
            requests.get(f"{base}/v2.0/billing/credit", headers=KEY, timeout=5),
        ]
    return answers


def test_caller_gets_the_upstream_answers_byte_for_byte(
    fake: FakeUpstream, proxy: ProxyServer
) -> None:
    for via_proxy, direct in zip(_drive(proxy.url), _drive(fake.url), strict=True):
        assert via_proxy.status_code == direct.status_code
        assert via_proxy.content == direct.content
        for name in ("Content-Type", "X-Upstream", "Retry-After", "Content-Length"):
            assert via_proxy.headers.get(name) == direct.headers.get(name)


def test_each_disagreement_is_one_finding_with_its_count_and_provenance(
    proxy: ProxyServer,
) -> None:
    _drive(proxy.url)
    report = requests.get(proxy.url + "/_mock/drift", timeout=5).json()
    assert report["exchanges"] == 16
    findings = report["findings"]
    assert all(f["count"] == 2 for f in findings), findings

    date = _one(findings, operation="ping", pointer="body/time")
    assert (date["location"], date["status"], date["kind"]) == ("response", 200, "pattern")
    # a date without milliseconds is what the docs show (issue 14); an offset is not UTC
    assert date["observed"] == "2024-04-24T14:00:42+02:00"
    assert date["provenance"]["level"] == "inferred"
    assert date["provenance"]["source"] == "#/components/schemas/DateTime"
    assert "UTC" in date["provenance"]["note"]

    extra = _one(findings, operation="getSms", kind="extra-field")
    assert extra["pointer"] == "body/carrierId"
    assert extra["observed"] == 7
    assert extra["provenance"]["level"] == "inferred"
    assert extra["provenance"]["source"] == "#/components/schemas/Sms"

    enum = _one(findings, operation="getSms", kind="not-in-enum")
    assert (enum["pointer"], enum["observed"]) == ("body/status", "throttled")
    assert enum["provenance"]["level"] == "confirmed"  # SmsStatus comes from Callr's docs
    assert enum["provenance"]["source"] == "#/components/schemas/SmsStatus"

    created = _one(findings, operation="createScenario")
    assert (created["kind"], created["pointer"], created["observed"]) == (
        "undocumented-status",
        "status",
        200,
    )
    assert "201" in created["expected"]
    assert created["provenance"]["level"] == "inferred"
    assert "201" in created["provenance"]["note"]  # "201 ... is a house decision"

    missing = _one(findings, operation="searchScenarios")
    assert (missing["kind"], missing["pointer"]) == ("missing-required", "body/hits")
    # the schema is confirmed, but "every response property is required" is ours
    assert missing["provenance"]["level"] == "inferred"
    assert missing["provenance"]["note"] == HOUSE_REQUIRED
    assert missing["provenance"]["source"] == "#/components/schemas/ScenarioSearchResult"

    limited = _one(findings, operation="searchNumbers")
    assert (limited["kind"], limited["observed"], limited["status"]) == (
        "undocumented-status",
        429,
        429,
    )

    unknown = _one(findings, kind="unknown-path")
    assert unknown["operation"] == "GET /voicemails"
    assert unknown["provenance"]["level"] == "absent"

    wrong = _one(findings, operation="getSms", kind="wrong-type")
    assert (wrong["pointer"], wrong["observed"], wrong["expected"]) == (
        "body/parts",
        "1",
        'type: "integer"',
    )

    method = _one(findings, kind="unknown-method")
    assert (method["operation"], method["expected"]) == ("PATCH /ping", "one of GET")
    assert method["provenance"]["level"] == "absent"

    html = _one(findings, operation="getCredit")
    assert (html["kind"], html["pointer"]) == ("content-type", "header/content-type")
    assert (html["expected"], html["observed"]) == ("application/json", "text/html")

    assert len(findings) == 10  # nothing else: the rest of each answer matched the spec


def test_requests_are_forwarded_unchanged_and_checked(
    fake: FakeUpstream, proxy: ProxyServer
) -> None:
    basic = {"Authorization": "Basic c2FuZGJveDE6a2V5"}
    answer = requests.get(
        f"{proxy.url}/v2.0/sms/8242d945?limit=5&bogus=%2B33612345678",
        headers={**basic, "X-Forwarded-For": "10.0.0.1", "Accept": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 200
    got = fake.received[-1]
    assert got.method == "GET"
    assert got.target == "/v2.0/sms/8242d945?limit=5&bogus=%2B33612345678"
    assert got.headers["authorization"] == basic["Authorization"]
    assert got.headers["x-forwarded-for"] == "10.0.0.1"
    assert got.headers["accept"] == "application/json"

    body = b'{"name": "Hello",\n "script": "branches: {}"}'
    requests.post(
        f"{proxy.url}/v2.0/actions",
        data=body,
        headers={**KEY, "Content-Type": "application/json; charset=utf-8"},
        timeout=5,
    )
    got = fake.received[-1]
    assert (got.method, got.body) == ("POST", body)
    assert got.headers["x-api-key"] == KEY["x-api-key"]
    assert got.headers["content-type"] == "application/json; charset=utf-8"

    # the query parameter our spec does not know is a request finding
    unknown = _one(_findings(proxy), pointer="query/bogus")
    assert (unknown["location"], unknown["kind"]) == ("request", "unknown-parameter")


def test_an_empty_query_value_callr_accepted_is_a_finding_on_the_house_decision(
    fake: FakeUpstream, proxy: ProxyServer
) -> None:
    """Reality can overturn the empty-value decision (spec/README.md): a `?limit=` that the
    upstream answered is reported, with the upstream's status and the decision it contradicts;
    the SMS sender's documented empty `from=` is not."""
    requests.get(f"{proxy.url}/v2.0/actions?limit=&sort=name", headers=KEY, timeout=5)
    requests.get(f"{proxy.url}/v2.0/sms?from=", headers=KEY, timeout=5)
    findings = _findings(proxy)
    empty = _one(findings, pointer="query/limit")
    assert (empty["kind"], empty["status"], empty["observed"]) == ("empty-value", 200, "")
    assert empty["provenance"]["level"] == "inferred"
    assert "allowEmptyValue" in empty["provenance"]["note"]
    assert "query parameter 'limit' is empty" in empty["message"]
    assert [f for f in findings if f["kind"] == "empty-value"] == [empty]


def test_drift_report_clears(proxy: ProxyServer) -> None:
    requests.get(f"{proxy.url}/v2.0/ping", headers=KEY, timeout=5)
    assert _findings(proxy)
    assert requests.delete(proxy.url + "/_mock/drift", timeout=5).status_code == 204
    report = requests.get(proxy.url + "/_mock/drift", timeout=5).json()
    assert report["exchanges"] == 0
    assert report["findings"] == []
    wrong = requests.post(proxy.url + "/_mock/drift", timeout=5)
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method-not-allowed"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_upstream_refusing_the_connection_is_a_502(tmp_path: Path) -> None:
    with _proxy(f"http://127.0.0.1:{_closed_port()}/v2.0") as server:
        answer = requests.get(f"{server.url}/v2.0/ping", headers=KEY, timeout=5)
        report = requests.get(server.url + "/_mock/drift", timeout=5).json()
    assert answer.status_code == 502
    assert answer.json()["code"] == "upstream-unreachable"
    assert "cannot connect" in answer.json()["message"]
    assert report["upstreamErrors"] == 1
    assert report["findings"] == []


def test_upstream_timeout_is_a_502_and_not_retried(fake: FakeUpstream) -> None:
    with _proxy(fake.url + "/v2.0", timeout=0.3) as server:
        answer = requests.get(f"{server.url}/v2.0/slow", headers=KEY, timeout=5)
    assert answer.status_code == 502
    assert answer.json()["code"] == "upstream-timeout"
    assert [r.target for r in fake.received] == ["/v2.0/slow"]  # once, no silent retry


def test_upstream_tls_failure_is_a_502(fake: FakeUpstream) -> None:
    # the fake speaks plain HTTP: a TLS handshake with it fails
    with _proxy(fake.url.replace("http://", "https://") + "/v2.0", timeout=2) as server:
        answer = requests.get(f"{server.url}/v2.0/ping", headers=KEY, timeout=5)
    assert answer.status_code == 502
    assert answer.json()["code"] == "upstream-tls-error"


def test_recording_is_redacted_and_rebuilds_the_same_report(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    record = tmp_path / "rec"
    with _proxy(fake.url + "/v2.0", record_dir=str(record)) as server:
        _drive(server.url)
        requests.post(
            f"{server.url}/v2.0/webhooks",
            json={
                "type": "v2.sms.outbound.updated",
                "endpoint": "https://example.com/hook",
                "secret": "my-very-secret-hmac-key",
            },
            headers={"Authorization": "Basic c2FuZGJveDE6a2V5"},
            timeout=5,
        )
        live = requests.get(server.url + "/_mock/drift", timeout=5).json()
    files = sorted(record.glob("*.json"))
    assert len(files) == 17
    text = "".join(p.read_text() for p in files)
    for secret in ("real-key-of-a-user", "c2FuZGJveDE6a2V5", "my-very-secret-hmac-key"):
        assert secret not in text
    webhook = json.loads(files[-1].read_text())
    assert webhook["request"]["headers"]["authorization"] == "Basic [redacted]"
    assert webhook["request"]["body"]["secret"] == "[redacted]"
    assert webhook["request"]["body"]["endpoint"] == "https://example.com/hook"
    assert webhook["response"]["status"] == 201

    rebuilt = subprocess.run(
        [sys.executable, "-m", "callr_mock", "drift", str(record), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["findings"] == live["findings"]
    assert json.loads(rebuilt.stdout)["exchanges"] == 17


def test_drift_cli_text_and_markdown(fake: FakeUpstream, tmp_path: Path) -> None:
    with _proxy(fake.url + "/v2.0", record_dir=str(tmp_path)) as server:
        requests.get(f"{server.url}/v2.0/sms/8242d945", headers=KEY, timeout=5)
    from callr_mock.running.cli import main

    def run(*argv: str) -> str:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(list(argv)) == 0
        return out.getvalue()

    text = run("drift", str(tmp_path))
    # the status enum and the type of parts: the Sms object is Callr's sample's
    assert "1 exchange(s), 3 finding(s) (2 contradicting a confirmed fact)" in text
    assert "body/status: not-in-enum x1" in text
    assert "CONFIRMED [#/components/schemas/SmsStatus]" in text
    markdown = run("drift", str(tmp_path), "--format", "markdown")
    assert "| `getSms` | response 200 `body/carrierId` | extra-field |" in markdown


def test_drift_cli_on_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "callr_mock", "drift", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "is not a directory" in result.stderr


def test_proxy_command_serves_and_prints_a_summary_when_stopped(fake: FakeUpstream) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "callr_mock",
            "proxy",
            "--upstream",
            fake.url + "/v2.0",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("callr-mock proxy on http://127.0.0.1:"), first
        base = first.split()[3].removesuffix("/v2.0")
        assert requests.get(f"{base}/v2.0/ping", headers=KEY, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "1 exchange(s), 1 finding(s)" in out
    assert "ping response 200 body/time: pattern x1" in out
    assert process.returncode == 0


def test_a_bad_upstream_url_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "callr_mock", "proxy", "--upstream", "ftp://example"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "callr-mock proxy: error: upstream must be an http:// or https:// URL, not 'ftp://example'"
    )


def _br_routes() -> dict[tuple[str, str], Any]:
    """The fake's Sms answer (an extra field, a bad enum value, a wrong type), br-compressed."""
    import brotli

    from tests.fake_upstream import Canned

    plain = disagreeing_routes()[("GET", "/v2.0/sms/8242d945")]
    headers = [*plain.headers, ("Content-Encoding", "br")]
    return {("GET", "/v2.0/sms/8242d945"): Canned(200, brotli.compress(plain.body), headers)}


def _sms_findings(base: str) -> tuple[bytes, list[dict[str, Any]]]:
    raw = requests.get(
        f"{base}/v2.0/sms/8242d945",
        headers={**KEY, "Accept-Encoding": "br"},
        stream=True,
        timeout=5,
    ).raw.read()
    return raw, requests.get(base + "/_mock/drift", timeout=5).json()["findings"]


def test_a_br_compressed_answer_is_decoded_and_checked(tmp_path: Path) -> None:
    """With brotli installed (the proxy extra), a br answer is checked like a plain one:
    the same three findings as the uncompressed Sms; the caller gets the br bytes."""
    routes = _br_routes()
    with FakeUpstream(routes) as fake, _proxy(fake.url + "/v2.0", record_dir=str(tmp_path)) as p:
        raw, findings = _sms_findings(p.url)
    assert raw == routes[("GET", "/v2.0/sms/8242d945")].body  # passed on compressed, unchanged
    assert sorted(f["kind"] for f in findings) == ["extra-field", "not-in-enum", "wrong-type"]
    [record] = tmp_path.glob("*.json")
    assert json.loads(record.read_text())["response"]["body"]["carrierId"] == 7


def test_without_brotli_a_br_answer_is_reported_unchecked_and_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No guess: one unchecked-body finding that says why and how to fix it; the body,
    which could not be searched for secrets, is left out of the recording."""
    from callr_mock.proxy import encodings

    monkeypatch.setattr(encodings, "BROTLI", None)
    routes = _br_routes()
    with FakeUpstream(routes) as fake, _proxy(fake.url + "/v2.0", record_dir=str(tmp_path)) as p:
        raw, findings = _sms_findings(p.url)
    assert raw == routes[("GET", "/v2.0/sms/8242d945")].body
    [unchecked] = findings
    assert (unchecked["kind"], unchecked["observed"]) == ("unchecked-body", "br")
    assert unchecked["pointer"] == "header/content-encoding"
    assert "pip install 'callr-mock[proxy]'" in unchecked["message"]
    [record] = tmp_path.glob("*.json")
    response = json.loads(record.read_text())["response"]
    assert response["bodyEncoding"] == "br" and "brotli" in response["bodyOmitted"]
    assert not {"body", "bodyText", "bodyBase64"} & set(response)
    rebuilt = subprocess.run(
        [sys.executable, "-m", "callr_mock", "drift", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert [f["kind"] for f in json.loads(rebuilt.stdout)["findings"]] == ["unchecked-body"]


def test_form_text_and_multipart_bodies_are_recorded_redacted(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    """Secrets are redacted in every body form a recording keeps, not only in JSON."""
    with _proxy(fake.url + "/v2.0", record_dir=str(tmp_path)) as server:
        requests.post(
            f"{server.url}/v2.0/webhooks",
            data={"api_key": "form-key-123456", "password": "form-pass-123456", "name": "kept"},
            headers=KEY,
            timeout=5,
        )
        requests.post(
            f"{server.url}/v2.0/webhooks",
            data="token=text-token-123456 and more",
            headers={**KEY, "Content-Type": "text/plain"},
            timeout=5,
        )
        parts: dict[str, tuple[str | None, bytes]] = {
            "file": ("a.wav", b"RIFF\x00\xff binary"),
            "secret": (None, b"part-secret-1234"),
        }
        requests.post(
            f"{server.url}/v2.0/audio-files",
            files=parts,
            data={"name": "kept-part"},
            headers=KEY,
            timeout=5,
        )
    text = "".join(p.read_text() for p in sorted(tmp_path.glob("*.json")))
    for secret in ("form-key-123456", "form-pass-123456", "text-token-123456", "part-secret-1234"):
        assert secret not in text
    records = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("*.json"))]
    assert "name=kept" in records[0]["request"]["bodyText"]
    multipart = records[2]["request"]
    body = base64.b64decode(multipart["bodyBase64"]) if "bodyBase64" in multipart else b""
    body = body or multipart.get("bodyText", "").encode()
    assert b"kept-part" in body and b"RIFF\x00\xff binary" in body and b"[redacted]" in body
