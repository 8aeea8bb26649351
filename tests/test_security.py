"""Nothing outside the developer's own processes can drive the sandbox (issue 26).

Each finding of the issue, through the public surface: a real headless Chromium on a page
of another origin, raw HTTP with foreign Host headers, ``callr-mock serve`` and ``proxy``
bound off loopback, idle sockets, out-of-range clocks and numbers.
"""

from __future__ import annotations

import http.server
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from browser import chromium_browser, page_of
from callr_mock import MockServer, Settings, runtime_of

KEY = {"x-api-key": "callr-mock-demo-key"}


@pytest.fixture
def sandbox() -> Iterator[MockServer]:
    server = MockServer(Settings(port=0, clock="real")).start()
    try:
        yield server
    finally:
        server.stop()


# -- web pages of other origins -----------------------------------------------------------------
ATTACK = """<!doctype html><html><body>
<form id="f" method="POST" action="{base}/_mock/reset" enctype="text/plain">
  <input name='{{"x":"' value='"}}'>
</form>
<script>
const base = "{base}";
const shots = [
  fetch(base + "/_mock/faults", {{method: "POST", mode: "no-cors",
    headers: {{"Content-Type": "text/plain"}},
    body: JSON.stringify({{status: 503, times: 100}})}}),
  fetch(base + "/_mock/clock/freeze", {{method: "POST", mode: "no-cors",
    body: JSON.stringify({{at: "2030-01-01T00:00:00Z"}})}}),
  fetch(base + "/_mock/accounts", {{method: "POST", mode: "no-cors",
    headers: {{"Content-Type": "application/x-www-form-urlencoded"}},
    body: "sid=evil0001&key=evil-key"}}),
  fetch(base + "/_mock/reset", {{method: "POST", mode: "no-cors"}}),
];
Promise.allSettled(shots).then(() => {{
  document.getElementById("f").submit();
}});
</script></body></html>"""


def _serve_page(html: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def frozen() -> Iterator[MockServer]:
    server = MockServer(Settings(port=0, clock="frozen")).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_page_of_another_origin_cannot_drive_the_control_api(frozen: MockServer) -> None:
    """In headless Chromium, a page on another origin posts forms, text/plain and no-cors
    fetches at the control API: the sandbox is left exactly as it was."""
    sandbox = frozen
    sms = requests.post(
        f"{sandbox.url}/v2.0/sms", params={"to": "+33612345678"}, json={"text": "keep me"},
        headers=KEY, timeout=10,
    )  # fmt: skip
    assert sms.status_code == 201
    before = requests.get(f"{sandbox.url}/_mock/state", timeout=10).json()
    page_server, page_url = _serve_page(ATTACK.format(base=sandbox.url))
    try:
        with chromium_browser() as browser, page_of(browser) as (page, _errors):
            page.goto(page_url)
            page.wait_for_load_state("networkidle")
            time.sleep(1.0)  # the form navigation
    finally:
        page_server.shutdown()
    assert requests.get(f"{sandbox.url}/_mock/faults", timeout=10).json() == []
    assert requests.get(f"{sandbox.url}/_mock/clock", timeout=10).json() == before["clock"]
    accounts = requests.get(f"{sandbox.url}/_mock/accounts", timeout=10).json()
    assert [a["sid"] for a in accounts] == ["sandbox1"]
    assert requests.get(f"{sandbox.url}/_mock/state", timeout=10).json() == before


def test_a_cross_origin_request_is_refused_before_any_route(sandbox: MockServer) -> None:
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:1"},  # another port is another origin
        {"Sec-Fetch-Site": "cross-site"},
    ):
        answer = requests.post(f"{sandbox.url}/_mock/reset", headers=headers, timeout=10)
        assert answer.status_code == 403, headers
        assert answer.json()["code"] == "foreign-origin"
    same = requests.post(f"{sandbox.url}/_mock/reset", headers={"Origin": sandbox.url}, timeout=10)
    assert same.status_code == 204


# -- DNS rebinding -------------------------------------------------------------------------------
def _raw(url: str, host: str, path: str) -> tuple[int, bytes]:
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nx-api-key: callr-mock-demo-key\r\nConnection: close\r\n\r\n"
        sock.sendall(request.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("path", ["/_mock/state", "/_mock/journal", "/v2.0/ping", "/_mock/ui"])
def test_a_foreign_host_is_misdirected(sandbox: MockServer, path: str) -> None:
    """A page that rebinds its own name to 127.0.0.1 sends its own Host: 421, nothing read."""
    status, body = _raw(sandbox.url, "attacker.example:4010", path)
    assert status == 421
    assert b'"code": "misdirected-request"' in body
    for host in ("127.0.0.1", "localhost:4010", "app.localhost", "[::1]:4010"):
        assert _raw(sandbox.url, host, "/v2.0/ping")[0] == 200, host


# -- off loopback: the control token ----------------------------------------------------------------
def _start(*args: str) -> tuple[subprocess.Popen[str], str, list[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "callr_mock", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    url = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        found = re.search(r"on (http://[^/\s]+)/v2\.0", line)
        if found:
            url = found.group(1)
        if "control token:" in line:
            break
    assert url, lines
    token = re.search(r"control token: (\S+)", "\n".join(lines))
    assert token, lines
    return process, url, lines, token.group(1)


def _needs_token(url: str, token: str) -> None:
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"X-Callr-Mock-Token": token}, timeout=10).status_code == 200


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    _, err = process.communicate(timeout=20)
    return err


def test_off_loopback_serve_prints_a_token_and_requires_it(tmp_path: Path) -> None:
    process, url, _, token = _start("serve", "--host", "0.0.0.0", "--port", "0")
    local = url.replace("0.0.0.0", "127.0.0.1")
    try:
        refused = requests.get(f"{local}/_mock/health", timeout=10)
        assert refused.status_code == 401
        assert refused.json()["code"] == "control-token-required"
        assert requests.post(f"{local}/_mock/reset", timeout=10).status_code == 401
        ok = requests.get(
            f"{local}/_mock/health", headers={"X-Callr-Mock-Token": token}, timeout=10
        )
        assert ok.status_code == 200
        wrong = requests.get(
            f"{local}/_mock/health", headers={"X-Callr-Mock-Token": token + "x"}, timeout=10
        )
        assert wrong.status_code == 401
        # the Callr API keeps its own credentials
        assert requests.get(f"{local}/v2.0/ping", headers=KEY, timeout=10).status_code == 200
        # the inspector: ?token= once, a cookie afterwards
        opened = requests.get(f"{local}/_mock/ui?token={token}", allow_redirects=False, timeout=10)
        assert opened.status_code == 303 and opened.headers["Location"] == "/_mock/ui"
        assert (
            "HttpOnly" in opened.headers["Set-Cookie"]
            and "SameSite=Strict" in opened.headers["Set-Cookie"]
        )
        cookies = {"callr_mock_token": token}
        assert (
            requests.get(f"{local}/_mock/journal", cookies=cookies, timeout=10).status_code == 200
        )
        # the coverage command sends CALLR_MOCK_CONTROL_TOKEN
        env = {"CALLR_MOCK_CONTROL_TOKEN": token, "PATH": "/usr/bin:/bin"}
        report = subprocess.run(
            [sys.executable, "-m", "callr_mock", "coverage", "--url", local],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert report.returncode == 0, report.stderr
    finally:
        err = _stop(process)
    assert "warning: bound to 0.0.0.0, off loopback" in err


def test_the_inspector_works_in_chromium_with_the_token() -> None:
    process, url, _, token = _start(
        "serve", "--host", "0.0.0.0", "--port", "0", "--clock", "frozen"
    )
    local = url.replace("0.0.0.0", "127.0.0.1")
    try:
        with chromium_browser() as browser, page_of(browser) as (page, errors):
            page.goto(f"{local}/_mock/ui?token={token}")
            page.wait_for_load_state("networkidle")
            assert page.url == f"{local}/_mock/ui"
            requests.post(
                f"{local}/v2.0/sms", params={"to": "+33612345678"}, json={"text": "seen"},
                headers=KEY, timeout=10,
            )  # fmt: skip
            page.get_by_text("sendSms").first.wait_for(timeout=15000)
            assert errors == []
    finally:
        _stop(process)


def test_a_given_token_is_required_on_loopback_too(tmp_path: Path) -> None:
    process, url, _, token = _start(
        "serve", "--port", "0", "--control-token", "s3cret-token-of-mine"
    )
    try:
        assert token == "s3cret-token-of-mine"
        _needs_token(f"{url}/_mock/state", token)
    finally:
        err = _stop(process)
    assert "off loopback" not in err


def test_off_loopback_proxy_requires_its_token_on_the_drift_report() -> None:
    process, url, _, token = _start(
        "proxy", "--upstream", "http://127.0.0.1:9/v2.0", "--host", "0.0.0.0", "--port", "0"
    )
    local = url.replace("0.0.0.0", "127.0.0.1")
    try:
        _needs_token(f"{local}/_mock/drift", token)
    finally:
        _stop(process)


# -- idle sockets ---------------------------------------------------------------------------------
def test_two_hundred_idle_sockets_do_not_starve_a_client(sandbox: MockServer) -> None:
    port = int(sandbox.url.rsplit(":", 1)[1])
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(200)]
    try:
        for sock in idle[:50]:
            sock.sendall(b"GET /v2.0/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        started = time.monotonic()
        answer = requests.get(f"{sandbox.url}/v2.0/ping", headers=KEY, timeout=10)
        assert answer.status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()


# -- proxy recordings keep no secret ---------------------------------------------------------------
TOKEN40 = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0"
CALLER_KEY = "real-key-of-a-user-0123456789"


def test_proxy_recordings_keep_no_secret(tmp_path: Path) -> None:
    import gzip
    import json as _json

    from callr_mock.proxy.app import ProxySettings
    from callr_mock.running.proxy_server import ProxyServer

    from tests.fake_upstream import Canned, FakeUpstream

    echo = _json.dumps(
        {"apiKey": "x", "note": f"your key is {CALLER_KEY}", "hmac": "h-1", "pwd": "p-1",
         "sig": "s-1", "url": "https://user:hunter2@example.com/hook", "auth": None,
         "assigned": "2026-01-01T00:00:00Z", "text": "Authorization: Bearer abc.def.ghi"}
    ).encode()  # fmt: skip
    routes = {
        ("POST", f"/v2.0/numbers/store/{TOKEN40}"): Canned(
            201, echo,
            [("Content-Type", "application/json"),
             ("Location", f"https://u:pw@api.example/v2.0/numbers/store/{TOKEN40}?token=t-1"),
             ("Link", f"</v2.0/numbers/store/{TOKEN40}>; rel=self")],
        ),
    }  # fmt: skip
    record = tmp_path / "rec"
    with (
        FakeUpstream(routes=routes) as fake,
        ProxyServer(
            ProxySettings(fake.url + "/v2.0", record_dir=str(record), timeout=5),
            Settings(port=0, threads=2),
        ) as proxy,
    ):
        body = gzip.compress(_json.dumps({"secret": "s3cret-value", "hmac_secret": "h2"}).encode())
        answer = requests.post(
            f"{proxy.url}/v2.0/numbers/store/{TOKEN40}",
            data=body,
            headers={
                "x-api-key": CALLER_KEY,
                "Content-Encoding": "gzip",
                "Content-Type": "application/json",
            },
            timeout=10,
        )
        assert answer.content == echo  # the caller gets the upstream's bytes, unchanged
        dotted = requests.get(
            f"{proxy.url}/v2.0/%2e%2e/admin", headers={"x-api-key": CALLER_KEY}, timeout=10
        )
        assert dotted.status_code == 400 and dotted.json()["code"] == "dot-segment"
        assert [r.target for r in fake.received] == [f"/v2.0/numbers/store/{TOKEN40}"]
        report = requests.get(f"{proxy.url}/_mock/drift", timeout=10).text
    files = sorted(record.glob("*.json"))
    text = "\n".join([f.read_text() for f in files] + [report, *[f.name for f in files]])
    for secret in (
        TOKEN40,
        CALLER_KEY,
        "s3cret-value",
        "h-1",
        "p-1",
        "s-1",
        "hunter2",
        "abc.def.ghi",
        "t-1",
        ":pw@",
    ):
        assert secret not in text, secret
    recorded = _json.loads(files[0].read_text())
    assert recorded["response"]["body"]["assigned"] == "2026-01-01T00:00:00Z"  # not a "sig"
    assert recorded["request"]["body"]["secret"] == "[redacted]"  # decoded, then redacted


# -- a state file that cannot be written is loud ------------------------------------------------
def _limit_file_size() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))  # a "full disk" even as root


def test_a_failed_save_is_visible_and_fails_the_exit_status(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "callr_mock", "serve", "--port", "0", "--seed", "empty",
         "--state-file", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_limit_file_size,
    )  # fmt: skip
    assert process.stdout is not None
    url = ""
    while not url:
        line = process.stdout.readline()
        assert line, "serve ended early"
        found = re.search(r"on (http://[^/\s]+)/v2\.0", line)
        url = found.group(1) if found else ""
    try:
        for n in range(120):
            sent = requests.post(
                f"{url}/v2.0/sms", params={"to": "+33612345678"}, json={"text": f"{n} " + "x" * 600},
                headers=KEY, timeout=10,
            )  # fmt: skip
            assert sent.status_code == 201
        deadline = time.monotonic() + 15
        health: dict[str, Any] = {}
        while time.monotonic() < deadline:
            health = requests.get(f"{url}/_mock/health", timeout=10).json()
            if health["status"] == "failing":
                break
            time.sleep(0.2)
        assert health["status"] == "failing", health
        assert "File too large" in health["stateFile"]["problem"]
        # a second server on the same file is refused in one line
        second = subprocess.run(
            [sys.executable, "-m", "callr_mock", "serve", "--port", "0", "--state-file", str(state)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 2
        assert "is in use by another callr-mock" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "could not save the state to" in err and "Traceback" not in err
    assert "could not save the state" in err.strip().splitlines()[-1]


# -- no clock value, number or date makes a request fail -------------------------------------------
def test_the_clock_refuses_instants_it_cannot_represent(client: Any) -> None:
    far = client.post("/_mock/clock/freeze", json={"at": "9999-12-31T23:59:59Z"})
    assert far.status_code == 400 and far.get_json()["code"] == "clock-out-of-range"
    for at in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        answer = client.post("/_mock/clock/freeze", json={"at": at})
        assert answer.status_code == 400 and answer.get_json()["code"] == "invalid-date"
    # the latest instant allowed still serves everything, lifecycles included
    assert (
        client.post("/_mock/clock/freeze", json={"at": "8999-12-31T23:00:00Z"}).status_code == 200
    )
    sent = client.post("/v2.0/sms?to=%2B33612345678", json={"text": "late"}, headers=KEY)
    assert sent.status_code == 201
    beyond = client.post("/_mock/clock/advance", json={"seconds": 7200})
    assert beyond.status_code == 400 and beyond.get_json()["code"] == "clock-out-of-range"
    assert client.post("/_mock/clock/advance", json={"seconds": 60}).status_code == 200
    assert client.post("/_mock/clock/unfreeze").status_code == 200
    for path in ("/v2.0/ping", "/v2.0/sms", "/v2.0/numbers/store/countries"):
        assert client.get(path, headers=KEY).status_code == 200, path
    assert client.post("/_mock/reset").status_code == 204


def test_a_state_file_with_an_impossible_clock_is_one_line(tmp_path: Path) -> None:
    import json as _json

    from callr_mock.services.state_document import snapshot_state

    app = MockServer(Settings(port=0, clock="frozen")).app
    document = snapshot_state(runtime_of(app).store)
    document["clock"] = {"mode": "frozen", "frozenAt": "9999-12-31T23:59:59+00:00"}
    path = tmp_path / "bad-clock.json"
    path.write_text(_json.dumps(document))
    run = subprocess.run(
        [sys.executable, "-m", "callr_mock", "serve", "--port", "0", "--state-file", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "clock" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "path",
    ["/v2.0/sms?limit={big}", "/v2.0/actions?offset={big}", "/_mock/journal?since={big}",
     "/v2.0/calls/export?from=0001-01-01T00:00:00%2B01:00"],
)  # fmt: skip
def test_oversized_numbers_and_dates_are_400s(client: Any, path: str) -> None:
    url = path.format(big="9" * 5000)
    method = client.post if "export" in url else client.get
    answer = method(url, headers=KEY)
    assert answer.status_code == 400
    body = answer.get_json()
    assert set(body) == {"code", "message"} and "Exceeds the limit" not in body["message"]
    assert len(body["message"]) < 400


# -- keys ------------------------------------------------------------------------------------------
def test_keys_are_checked_at_creation_and_generated_unguessably(client: Any) -> None:
    for key in ("has a space", "clé"):
        answer = client.post("/_mock/accounts", json={"sid": "keyacct1", "key": key})
        assert answer.status_code == 400 and answer.get_json()["code"] == "invalid-key"
    keys = {
        client.post("/_mock/accounts", json={"sid": f"keyacct{n}"}).get_json()["key"]
        for n in range(2, 6)
    }
    assert len(keys) == 4 and all(len(k) > 40 for k in keys)


def _advance(url: str, seconds: float) -> None:
    requests.post(f"{url}/_mock/clock/advance", json={"seconds": seconds}, timeout=10)


def _subscribe(url: str, endpoint: str) -> None:
    hook = {"type": "v2.sms.outbound.updated", "endpoint": endpoint}
    requests.post(f"{url}/v2.0/webhooks", json=hook, headers=KEY, timeout=10).raise_for_status()


def _send_and_advance(url: str) -> None:
    """An SMS, then a second of sandbox clock: its v2.sms.outbound.updated fires."""
    requests.post(
        f"{url}/v2.0/sms",
        params={"to": "+33612345678"},
        json={"text": "x"},
        headers=KEY,
        timeout=10,
    ).raise_for_status()
    _advance(url, 1)


# -- webhook delivery --------------------------------------------------------------------------------
class _Dribbler:
    """A receiver that answers one byte a second, forever."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._dribble, args=(conn,), daemon=True).start()

    def _dribble(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" * 100:
                if self.stop.wait(1.0):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def test_a_dribbling_receiver_fails_at_the_deadline(frozen: MockServer) -> None:
    dribbler = _Dribbler()
    try:
        _subscribe(frozen.url, dribbler.url)
        _send_and_advance(frozen.url)
        started = time.monotonic()
        deliveries: list[dict[str, Any]] = []
        while time.monotonic() - started < 15:
            deliveries = requests.get(f"{frozen.url}/_mock/deliveries", timeout=10).json()
            if deliveries and deliveries[0]["history"]:
                break
            time.sleep(0.2)
        [attempt] = deliveries[0]["history"]
        assert attempt["status"] is None and "wall-clock deadline" in attempt["error"]
        assert attempt["durationMs"] < 6000  # 2 x the 2 s webhook timeout, not 40 s
        assert deliveries[0]["state"] == "pending"  # retried later, never "delivered"
    finally:
        dribbler.close()


def test_many_subscriptions_share_a_bounded_pool_of_senders(frozen: MockServer) -> None:
    dribbler = _Dribbler()
    try:
        for _ in range(60):
            _subscribe(frozen.url, dribbler.url)
        _send_and_advance(frozen.url)
        time.sleep(1.0)
        senders = [t for t in threading.enumerate() if t.name.startswith("callr-mock-webhook-")]
        assert 0 < len(senders) <= 16
        # the other lanes wait their turn: a sender freed takes the next lane
        assert frozen.runtime.delivery.pending() == 60
    finally:
        dribbler.close()


def test_subscriptions_per_account_are_capped(client: Any) -> None:
    hook = {"type": "v2.sms.outbound.updated", "endpoint": "http://127.0.0.1:9/"}
    for _ in range(200):
        assert client.post("/v2.0/webhooks", json=hook, headers=KEY).status_code == 201
    refused = client.post("/v2.0/webhooks", json=hook, headers=KEY)
    assert refused.status_code == 400 and refused.get_json()["code"] == "too-many-webhooks"


def test_private_addresses_can_be_denied() -> None:
    server = MockServer(Settings(port=0, clock="frozen", deny_private_webhooks=True)).start()
    try:
        _subscribe(server.url, "http://127.0.0.1:9/hook")
        _send_and_advance(server.url)
        assert server.runtime.delivery.drain(10)
        [delivery] = requests.get(f"{server.url}/_mock/deliveries", timeout=10).json()
        assert "is a private address" in delivery["history"][0]["error"]
    finally:
        server.stop()
