"""Callr Actions scenarios run: their triggers, branches, expressions, effects and trace,
through the public surface (the REST API, the control API; the plugin in test_plugin_actions)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from callr_mock import Settings, create_app

SAMPLES = Path(__file__).parent / "data" / "callr_samples"
CALLER = "+33639980042"


def buy_number(api: Any) -> str:
    reservation = api.post("/numbers/store", json={"country": "FR", "area": "paris", "quantity": 1})
    assert reservation.status_code == 201, reservation.get_data(as_text=True)
    order = api.post(f"/numbers/store/{reservation.get_json()['token']}").get_json()
    return str(order["numbers"][0]["e164"])


def scenario(api: Any, script: str, number: str | None = None) -> str:
    created = api.post("/actions", json={"name": "Test", "script": script})
    assert created.status_code == 201, created.get_data(as_text=True)
    sid = str(created.get_json()["sid"])
    if number is not None:
        assert api.put(f"/actions/{sid}/numbers/{number}").status_code == 200
    return sid


def runs(client: Any, **params: str) -> list[dict[str, Any]]:
    flushed = client.post("/_mock/runs/flush", json={"timeout": 10}).get_json()
    assert flushed["idle"], flushed
    found: list[dict[str, Any]] = client.get("/_mock/runs", query_string=params).get_json()
    return found


def inbound_sms(client: Any, to: str, text: str = "Hello") -> None:
    body = {"from": CALLER, "to": to, "text": text}
    sent = client.post("/_mock/accounts/sandbox1/sms/inbound", json=body)
    assert sent.status_code == 201, sent.get_data(as_text=True)


# -- inbound-sms: Callr's own receive-sms sample -------------------------------------------------
def test_callrs_auto_reply_sample_replies_to_the_sender(api: Any, client: Any) -> None:
    """docs.callr.com/docs/receive-sms "Log and Auto-Reply", verbatim: the reply is a real SMS
    of the account, and the log holds the sms object the scenario saw."""
    script = (SAMPLES / "actions-receive-sms-script.yaml").read_text(encoding="utf-8")
    number = buy_number(api)
    sid = scenario(api, script, number)
    inbound_sms(client, number, "Hello, this is an inbound SMS!")

    [run] = runs(client, scenario=sid)
    assert (run["branch"], run["type"], run["status"]) == ("inbound-sms", "inbound-sms", "done")
    assert [step["action"] for step in run["trace"]] == ["log@v1", "sms@v1"]
    reply_sid = run["trace"][1]["outcome"]["sms"][0]
    reply = api.get(f"/sms/{reply_sid}").get_json()
    assert (reply["direction"], reply["to"]) == ("outbound", CALLER)
    assert reply["body"]["text"] == "Thanks for your message! We’ll get back to you soon."
    # the run's sms is the Callr Actions object of Callr's sample: the same keys
    [message] = run["log"]
    seen = json.loads(message.removeprefix("SMS received "))
    published = yaml.safe_load((SAMPLES / "actions-sms-object.yaml").read_text())["sms"]
    assert sorted(seen) == sorted(published)
    assert (seen["fromNumber"], seen["toNumber"], seen["bodyText"]) == (
        CALLER,
        number,
        "Hello, this is an inbound SMS!",
    )
    assert (seen["fromType"], seen["fromCountry"]) == ("MOBILE", "FR")


def test_an_sms_on_a_number_without_that_branch_runs_nothing(api: Any, client: Any) -> None:
    number = buy_number(api)
    scenario(api, "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n", number)
    inbound_sms(client, number)
    assert runs(client) == []


# -- api-initiated, variables, javascript, if, goto ------------------------------------------------
ROUTED = """\
variables:
  $count: 1
  $greeting: hello
branches:
  api-initiated:
    actions:
      - action: javascript@v1
        params:
          code: "$count = $count + Number($extra)"
      - if: "$count > 10"
        goto:
          branch: big
      - action: log@v1
        params:
          message: small ${{ $count }}
  big:
    actions:
      - if: "$greeting.startsWith('hel')"
        then:
          - action: log@v1
            params:
              message: "${{ $greeting.toUpperCase() }} from ${{ scenario.name }}, run ${{ run.type }}"
      - action: log@v1
        params:
          message: "at ${{ now.toISOString() }}"
"""


def test_a_run_follows_its_variables_conditions_and_gotos(api: Any, client: Any) -> None:
    sid = scenario(api, ROUTED)
    task = api.post(f"/actions/{sid}/runs", json={"variables": {"$extra": "20"}}).get_json()
    [run] = runs(client, scenario=sid)
    assert run["status"] == "done" and run["task"] == task["sid"]
    assert run["log"][0] == "HELLO from Test, run api"
    assert run["log"][1].startswith("at 2026-01-01T12:00:00")  # the frozen sandbox clock
    assert run["variables"]["$count"] == 21
    assert [(s["branch"], s["kind"]) for s in run["trace"]] == [
        ("api-initiated", "action"),
        ("api-initiated", "if"),
        ("api-initiated", "goto"),
        ("big", "if"),
        ("big", "action"),
        ("big", "action"),
    ]
    api.advance(5)
    assert api.get(f"/tasks/{task['sid']}").get_json()["status"] == "done"

    small = api.post(f"/actions/{sid}/runs", json={"variables": {"$extra": "2"}}).get_json()
    assert small["status"] == "pending"
    assert runs(client, scenario=sid)[-1]["log"] == ["small 3"]


def test_an_action_that_is_not_emulated_ends_the_run_and_fails_its_task(
    api: Any, client: Any
) -> None:
    script = """branches:
  api-initiated:
    actions:
      - action: log@v1
        params: {message: before}
      - action: conference@v1
        params: {room: "42"}
      - action: log@v1
        params: {message: never}
"""
    sid = scenario(api, script)
    task = api.post(f"/actions/{sid}/runs", json={}).get_json()
    [run] = runs(client, scenario=sid)
    assert run["status"] == "not-emulated" and run["log"] == ["before"]
    assert run["trace"][-1]["action"] == "conference@v1"
    assert run["trace"][-1]["outcome"] == "not-emulated"
    assert "conference@v1 is not emulated" in run["error"]["message"]
    api.advance(5)
    ended = api.get(f"/tasks/{task['sid']}").get_json()
    assert ended["status"] == "failed"
    assert ended["error"]["code"] == "scenario-run-not-emulated"
    assert set(ended["result"]) == {"scenario", "variables"}  # Callr's shape, no run added


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("while (true) {}", "took longer than 1 s (the time limit)"),
        ("std.open('/etc/passwd', 'r')", "ReferenceError"),
        ("require('fs')", "ReferenceError"),
        ("$x = (", "SyntaxError"),
    ],
)
def test_a_script_cannot_hang_or_escape_the_sandbox(
    api: Any, client: Any, code: str, expected: str
) -> None:
    script = f"branches:\n  api-initiated:\n    actions:\n      - action: javascript@v1\n        params:\n          code: {json.dumps(code)}\n"
    sid = scenario(api, script)
    api.post(f"/actions/{sid}/runs", json={})
    [run] = runs(client, scenario=sid)
    assert run["status"] == "failed"
    assert run["error"]["code"] == "expression-error"
    assert expected in run["error"]["message"], run["error"]


def test_a_goto_loop_stops_at_the_step_limit(api: Any, client: Any) -> None:
    script = "branches:\n  api-initiated:\n    actions:\n      - goto: {branch: again}\n  again:\n    actions:\n      - goto: {branch: api-initiated}\n"
    sid = scenario(api, script)
    api.post(f"/actions/{sid}/runs", json={})
    [run] = runs(client, scenario=sid)
    assert run["status"] == "step-limit" and len(run["trace"]) == 1000


# -- fetch@v2 -------------------------------------------------------------------------------------
class _Backend(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        _Backend.seen.append((self.command, self.path, self.rfile.read(length)))
        body = json.dumps({"results": [{"name": "Ada"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Backend.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FETCHING = """\
variables:
  $user: undefined
branches:
  inbound-sms:
    actions:
      - action: fetch@v2
        params:
          url: BACKEND/lookup
          method: POST
          headers: {Authorization: "Bearer s3cr3t-token-123"}
          body: {from: "${{ sms.fromNumber }}"}
        result: $api
      - if: "!$api.ok"
        goto: {branch: down}
      - action: javascript@v1
        params: {code: "$user = $api.json.results[0]"}
      - action: sms@v1
        params:
          to: ["${{ sms.fromNumber }}"]
          body: "Hello ${{ $user.name }}"
  down:
    actions:
      - action: log@v1
        params: {message: "backend down: ${{ $api.statusText }}"}
"""


def test_fetch_reaches_the_users_backend_and_its_answer_drives_the_run(
    api: Any, client: Any, backend: str
) -> None:
    number = buy_number(api)
    sid = scenario(api, FETCHING.replace("BACKEND", backend), number)
    inbound_sms(client, number)
    [run] = runs(client, scenario=sid)
    assert run["status"] == "done", run["error"]
    assert _Backend.seen == [("POST", "/lookup", json.dumps({"from": CALLER}).encode())]
    fetched = run["trace"][0]
    assert fetched["outcome"]["status"] == 200 and fetched["outcome"]["json"]["results"]
    assert "s3cr3t-token-123" not in json.dumps(run)  # a secret header is masked on the trace
    assert run["variables"]["$user"] == {"name": "Ada"}
    reply = api.get(f"/sms/{run['trace'][-1]['outcome']['sms'][0]}").get_json()
    assert reply["body"]["text"] == "Hello Ada"


def test_fetch_to_a_private_address_is_refused_on_an_exposed_sandbox(backend: str) -> None:
    app = create_app(Settings(clock="frozen", deny_private_webhooks=True, seed_path="demo"))
    client = app.test_client()
    from conftest import Api

    api = Api(client)
    number = buy_number(api)
    sid = scenario(api, FETCHING.replace("BACKEND", backend), number)
    inbound_sms(client, number)
    [run] = runs(client, scenario=sid)
    assert _Backend.seen == []
    assert run["log"] == [
        "backend down: refused: 127.0.0.1 is a private address (--deny-private-webhooks)"
    ]


# -- calls --------------------------------------------------------------------------------------
CALLS = """\
branches:
  inbound-call:
    actions:
      - action: answer@v1
      - action: say@v2
        params: {what: "Hello ${{ call.fromNumber }}"}
      - action: dial@v1
        params:
          targets: [{number: "+33199001234"}]
          timeout: 25
        result: $dial
      - if: "!$dial?.ok"
        goto: {branch: voicemail}
  voicemail:
    actions:
      - action: hangup@v1
  hangup:
    actions:
      - action: log@v1
        params: {message: "call ${{ call.cdr.callid }} ended"}
"""


def test_a_call_runs_its_branch_then_hangup_when_it_ends(api: Any, client: Any) -> None:
    number = buy_number(api)
    sid = scenario(api, CALLS, number)
    body = {"direction": "inbound", "callerNumber": CALLER, "callee": number, "durationTotal": 30}
    record = client.post("/_mock/accounts/sandbox1/calls", json=body).get_json()
    [call_run] = runs(client, scenario=sid)
    assert (call_run["branch"], call_run["type"], call_run["status"]) == (
        "inbound-call",
        "inbound-call",
        "done",
    )
    steps = [(s.get("action"), s.get("outcome")) for s in call_run["trace"]]
    assert steps[1] == ("say@v2", {"ok": True})
    assert call_run["trace"][1]["params"] == {"what": f"Hello {CALLER}"}
    assert steps[2][1]["ok"] is True and steps[3] == (None, False)  # dial ok: no voicemail
    api.advance(31)  # the call ends on the sandbox clock
    hangup = runs(client, scenario=sid)[-1]
    assert (hangup["branch"], hangup["log"]) == ("hangup", [f"call {record['callid']} ended"])
    # the record follows the run: answered (the scenario answered), hung up by the caller
    [ended] = client.get("/_mock/events", query_string={"type": "v2.call.inbound.ended"}).get_json()
    cdr = ended["payload"]
    assert (cdr["status"], cdr["durationAnswered"], cdr["hangupSource"]) == (
        "answered",
        30,
        "caller",
    )
    assert cdr["durationBilled"] == 60 and cdr["billingDebit"] != "0.00"


@pytest.mark.parametrize(
    ("steps", "status", "source"),
    [
        ("      - action: say@v2\n        params: {what: hi}\n", "missed", "system"),
        ("      - action: answer@v1\n      - action: hangup@v1\n", "answered", "callee"),
    ],
    ids=["no-auto-answer", "answered-then-hung-up"],
)
def test_what_the_run_did_shapes_the_call_record(
    api: Any, client: Any, steps: str, status: str, source: str
) -> None:
    script = "defaults:\n  autoAnswer: false\nbranches:\n  inbound-call:\n    actions:\n" + steps
    number = buy_number(api)
    scenario(api, script, number)
    body = {"direction": "inbound", "callerNumber": CALLER, "callee": number, "durationTotal": 90}
    client.post("/_mock/accounts/sandbox1/calls", json=body)
    runs(client)
    api.advance(91)
    [ended] = client.get("/_mock/events", query_string={"type": "v2.call.inbound.ended"}).get_json()
    assert (ended["payload"]["status"], ended["payload"]["hangupSource"]) == (status, source)


def test_gather_reads_the_keys_the_caller_presses(api: Any, client: Any) -> None:
    script = """branches:
  inbound-call:
    actions:
      - action: gather@v2
        params: {maxDigits: 1, prompt: {what: "Press 1 for sales"}}
        result: $menu
      - if: "$menu.digits === '1'"
        goto: {branch: sales}
      - action: hangup@v1
  sales:
    actions:
      - action: gather@v2
        params: {maxDigits: 4}
        result: $pin
      - action: log@v1
        params: {message: "sales, pin ${{ $pin.digits }}"}
"""
    number = buy_number(api)
    sid = scenario(api, script, number)
    body = {"direction": "inbound", "callerNumber": CALLER, "callee": number, "digits": "14242"}
    assert client.post("/_mock/accounts/sandbox1/calls", json=body).status_code == 201
    [run] = runs(client, scenario=sid)
    assert run["log"] == ["sales, pin 4242"]
    assert [s["outcome"] for s in run["trace"] if s.get("action") == "gather@v2"] == [
        {"ok": True, "digits": "1"},
        {"ok": True, "digits": "4242"},
    ]
    bad = client.post("/_mock/accounts/sandbox1/calls", json={**body, "digits": "12a"})
    assert bad.status_code == 400


def test_a_call_given_its_outcome_keeps_it(api: Any, client: Any) -> None:
    number = buy_number(api)
    scenario(api, CALLS, number)
    body = {
        "direction": "inbound",
        "callerNumber": CALLER,
        "callee": number,
        "durationTotal": 30,
        "status": "missed",
    }
    client.post("/_mock/accounts/sandbox1/calls", json=body)
    runs(client)
    api.advance(31)
    [ended] = client.get("/_mock/events", query_string={"type": "v2.call.inbound.ended"}).get_json()
    assert ended["payload"]["status"] == "missed"


def test_a_call_action_outside_a_call_fails_the_run(api: Any, client: Any) -> None:
    sid = scenario(
        api,
        "branches:\n  api-initiated:\n    actions:\n      - action: say@v2\n        params: {what: hi}\n",
    )
    api.post(f"/actions/{sid}/runs", json={})
    [run] = runs(client, scenario=sid)
    assert run["status"] == "failed" and run["error"]["code"] == "no-call"


# -- visibility and the script schema -------------------------------------------------------------
def test_a_run_is_in_the_journal_and_readable_by_id(api: Any, client: Any) -> None:
    sid = scenario(api, "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n")
    api.post(f"/actions/{sid}/runs", json={})
    [run] = runs(client, scenario=sid)
    assert client.get(f"/_mock/runs/{run['id']}").get_json() == run
    journal = client.get("/_mock/journal").get_json()
    [entry] = [e for e in journal if e["operation"] == "actions:api-initiated"]
    assert entry["method"] == "RUN" and entry["account"] == "sandbox1"
    detail = client.get(f"/_mock/journal/{entry['seq']}")
    assert detail.status_code == 200, detail.get_data(as_text=True)
    assert detail.get_json()["response"]["body"]["trace"] == run["trace"]
    assert client.get("/_mock/runs/nope").status_code == 404


def test_a_script_that_breaks_the_schema_is_refused_naming_its_line(api: Any) -> None:
    script = "branches:\n  inbound-sms:\n    actions:\n      - action: sms@v1\n        params:\n          body: hi\n"
    refused = api.post("/actions", json={"name": "Bad", "script": script})
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["code"] == "invalid-script"
    assert body["message"].startswith(
        "script line 6, column 11 (branches/inbound-sms/actions/0/params)"
    )
    assert '"to" is a required property' in body["message"]


def test_a_users_own_schema_replaces_ours(tmp_path: Path) -> None:
    strict = tmp_path / "callr-schema.json"
    strict.write_text(
        json.dumps(
            {
                "type": "object",
                "required": ["branches", "description"],
                "properties": {"description": {"type": "string"}},
            }
        )
    )
    from conftest import Api

    api = Api(create_app(Settings(actions_schema=str(strict))).test_client())
    plain = "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n"
    refused = api.post("/actions", json={"name": "No description", "script": plain})
    assert refused.status_code == 400 and "description" in refused.get_json()["message"]
    described = api.post(
        "/actions", json={"name": "Described", "script": "description: x\n" + plain}
    )
    assert described.status_code == 201


def test_runs_survive_a_state_file(api: Any, client: Any, runtime: Any) -> None:
    from callr_mock.services.state_document import restore_state, snapshot_state

    sid = scenario(api, "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n")
    api.post(f"/actions/{sid}/runs", json={})
    [run] = runs(client, scenario=sid)
    document = json.loads(json.dumps(snapshot_state(runtime.store)))
    copy = create_app(Settings(clock="frozen"))
    from callr_mock import runtime_of

    restore_state(runtime_of(copy), document)
    assert copy.test_client().get(f"/_mock/runs/{run['id']}").get_json() == run
