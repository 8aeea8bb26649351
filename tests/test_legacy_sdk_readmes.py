"""The legacy JSON-RPC API as Callr's published SDKs call it (issue 14).

``test_every_sdk_readme_call_replays`` replays, as data (``data/sdk_readme_calls.yaml``),
every call shown in the SDK READMEs that concerns a resource the sandbox serves, through
``POST /json-rpc/v1.1/``, and reads each effect back through REST v2. The other tests
check what the replay only touches: the legacy webhook body, per-SMS notifications, the
legacy-only methods, area code 0, the legacy DID's ``app``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.handlers.legacy.mapping import media_sid
from callr_mock.handlers.legacy.rosetta import SDK_ROWS, SDK_TABLE
from callr_mock.plugin.parity import LegacyClient, LegacyError
from callr_mock.services.delivery import sign
from legacy_support import add_call, buy_number, legacy_client, ok, rpc_error, wav_base64
from webhook_receiver import Receiver

CALLS = yaml.safe_load((Path(__file__).parent / "data" / "sdk_readme_calls.yaml").read_text())
README_HOST = "http://yourdomain.com"
MOCK_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SECRET = "legacy-s3cret"


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


def drain(runtime: Any) -> None:
    assert runtime.delivery.drain(5.0), "deliveries did not settle within 5 s"


# -- the replay ------------------------------------------------------------------------------
class Replay:
    """Fills the README placeholders and resolves dotted paths (``a.0.b``, ``?k=v``)."""

    def __init__(self, receiver: Receiver) -> None:
        self.saved: dict[str, Any] = {
            "wav": wav_base64(),
            "from": "2025-12-31 00:00:00",
            "to": "2026-01-01 00:00:00",
        }
        self.base = receiver.url.removesuffix("/hook")

    def value(self, text: str) -> Any:
        name, _, flt = text[1:].partition("|")
        found = self.saved[name]
        return self.apply(found, flt)

    @staticmethod
    def apply(found: Any, flt: str) -> Any:
        if flt == "len":
            return len(found)
        if flt == "lower":
            return str(found).lower()
        if flt == "sid":
            return media_sid(found)
        return found

    def fill(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.fill(item) for item in node]
        if isinstance(node, dict):
            return {key: self.fill(value) for key, value in node.items()}
        if isinstance(node, str) and node.startswith("$"):
            return self.value(node)
        if isinstance(node, str) and node.startswith(README_HOST):
            return self.base + node.removeprefix(README_HOST)
        return node

    def path(self, template: str) -> str:
        def one(match: re.Match[str]) -> str:
            name, _, flt = match.group(1).partition("|")
            return str(self.apply(self.saved[name], flt))

        return re.sub(r"\{([^}]+)\}", one, template)

    def at(self, document: Any, dotted: str) -> Any:
        if dotted == ".":
            return document
        for part in dotted.split("."):
            if part.startswith("$"):
                part = str(self.value(part))
            if part.startswith("?"):
                key, _, wanted = part[1:].partition("=")
                document = next(item for item in document if str(item.get(key)) == wanted)
            elif isinstance(document, list):
                document = document[int(part)]
            else:
                document = document[part]
        return document

    def check(self, where: str, document: Any, expected: dict[str, Any]) -> None:
        for dotted, want in expected.items():
            got = self.at(document, dotted)
            assert got == self.fill(want), f"{where}: {dotted} is {got!r}, not {self.fill(want)!r}"


def dates_of(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and key in ("time", "created", "updated", "createdAt"):
                yield value
            else:
                yield from dates_of(value)
    elif isinstance(node, list):
        for item in node:
            yield from dates_of(item)


def test_every_sdk_readme_call_replays(
    rpc: LegacyClient, api: Any, client: Any, runtime: Any, receiver: Receiver
) -> None:
    """data/sdk_readme_calls.yaml names the SDK and README section of each call."""
    replay_readme_calls(rpc, api, client, runtime, receiver)


def replay_readme_calls(rpc: Any, api: Any, client: Any, runtime: Any, receiver: Receiver) -> None:
    """Replay every step through ``rpc`` (anything with ``call(method, *params)`` raising
    ``LegacyError``: our client, or an adapter of one of Callr's SDKs)."""
    add_call(client, "outbound", "2025-12-31T10:00:00.000Z")
    replay = Replay(receiver)
    for step in CALLS:
        where = f"{step['source']}: {step['method']}"
        params = replay.fill(step["params"])
        if "error" in step:
            try:
                answer = rpc.call(step["method"], *params)
            except LegacyError as error:
                assert error.code == step["error"], f"{where}: {error.code} {error.message}"
                continue
            raise AssertionError(f"{where} answered {answer!r} instead of an error")
        try:
            result = rpc.call(step["method"], *params)
        except LegacyError as error:
            raise AssertionError(f"{where} failed: {error.code} {error.message}") from None
        for name, dotted in (step.get("save") or {}).items():
            replay.saved[name] = replay.at(result, dotted)
        replay.check(where, result, step.get("result") or {})
        if "rest" not in step:
            continue
        if step.get("advance"):
            api.advance(step["advance"])
        method, path = step["rest"].split(" ", 1)
        response = api.request(
            method, replay.path(path), query_string=replay.fill(step.get("rest_query") or {})
        )
        status = step.get("rest_status", 200)
        assert response.status_code == status, f"{where}: {response.get_json()}"
        body = response.get_json()
        replay.check(f"{where} → {step['rest']}", body, step.get("expect") or {})
        for date in dates_of(body):  # the mock writes one date form (spec DateTime)
            assert MOCK_DATE.match(date), f"{where}: {date}"
        if "task_expect" in step:
            api.advance(step.get("advance", 0))
            task = ok(api.get(f"/tasks/{body['sid']}"))
            replay.check(f"{where} → task", task, step["task_expect"])
    assert len(CALLS) >= 45
    # the notifications asked for on the way: legacy bodies, legacy type names
    drain(runtime)
    bodies = receiver.bodies()
    dlr = [b for b in bodies if b["type"] == "sms.mt.status_update"]
    notified = {b["data"]["hash"] for b in dlr}
    assert {replay.saved["dlr"], replay.saved["dlr_go"], replay.saved["webhook"]} <= notified
    assert all(
        set(b) == {"event_id", "event_at", "hook_hash", "try", "type", "data"} for b in bodies
    )


# -- legacy webhook bodies -------------------------------------------------------------------
def test_legacy_subscription_receives_the_legacy_body(
    rpc: LegacyClient, api: Any, runtime: Any, receiver: Receiver
) -> None:
    """audio-recordings-webhooks.md §5.4 (docs.callr.com/webhooks): body {event_id,
    event_at, hook_hash, try, type, data}, headers X-CALLR-EventId and
    X-CALLR-HmacSignature (base64 HMAC-SHA256 of the body)."""
    hook = rpc.call(
        "webhooks.subscribe", "sms.mt.status_update", receiver.url, {"hmac_secret": SECRET}
    )
    v2 = ok(
        api.post("/webhooks", json={"type": "v2.sms.outbound.updated", "endpoint": receiver.url}),
        201,
    )
    sms_hash = rpc.call("sms.send", "SMS", "+33612345678", "Hello", None)
    api.advance(5)
    drain(runtime)
    legacy = [r for r in receiver.received if "event_id" in r.json]
    modern = [r for r in receiver.received if "payload" in r.json]
    assert legacy and modern and len(legacy) == len(modern)
    first = legacy[-1]
    body = first.json
    assert body["type"] == "sms.mt.status_update" and body["hook_hash"] == hook["hash"]
    assert body["try"] == 0 and body["data"]["hash"] == sms_hash
    assert body["data"]["status"] == "RECEIVED"  # the legacy SMS object
    assert MOCK_DATE.match(body["event_at"])
    assert first.headers["X-CALLR-EventId"] == body["event_id"]
    assert first.headers["X-CALLR-HmacSignature"] == sign(SECRET, first.body)
    assert first.headers["User-Agent"] == "CALLR/API 0.9942"  # Callr's sample request
    # the REST subscription keeps the v2 envelope (and our User-Agent: Callr's is unknown)
    assert modern[-1].json["type"] == "v2.sms.outbound.updated"
    assert modern[-1].json["sid"] == v2["sid"]
    assert modern[-1].headers["User-Agent"].startswith("callr-mock")
    assert modern[-1].json["payload"]["sid"] == sms_hash.lower()
    assert v2["sid"] != hook["hash"].lower()
    # a redelivery (POST /_mock/deliveries/{id}/redeliver) sends the same legacy body, try 0
    [delivery] = [
        d
        for d in api.client.get("/_mock/deliveries").get_json()
        if d["eventId"] == body["event_id"]
        and d["target"] == receiver.url
        and d["attempts"]
        and d["subscription"].lower() == hook["hash"].lower()
    ]
    redone = api.client.post(f"/_mock/deliveries/{delivery['id']}/redeliver")
    assert redone.status_code == 202
    drain(runtime)
    again = receiver.received[-1]
    assert again.body == first.body
    assert again.headers["X-CALLR-HmacSignature"] == sign(SECRET, again.body)


def test_per_sms_webhook_option_is_delivered_with_basic_auth(
    rpc: LegacyClient, api: Any, client: Any, runtime: Any, receiver: Receiver
) -> None:
    """sdk-nodejs README "Delivery Notification": {webhook: {endpoint}}; sdk-python README:
    push_dlr_url_auth 'login:password' ("needed if you use Basic HTTP Authentication")."""
    watched = rpc.call(
        "sms.send",
        "SMS",
        "+33612345678",
        "Watched",
        {"push_dlr_enabled": True, "push_dlr_url": receiver.url, "push_dlr_url_auth": "me:pw"},
    )
    other = rpc.call("sms.send", "SMS", "+33612345679", "Other", None)
    mo = rpc.call("sms.send", "", "+33612345670", "Reply?", {"webhook": {"endpoint": receiver.url}})
    api.advance(5)
    reply = client.post(
        f"/_mock/accounts/{DEMO_ACCOUNT_SID}/sms/inbound",
        json={"from": "+33612345670", "to": "+33199000000", "text": "Yes"},
    )
    assert reply.status_code in (200, 201), reply.get_json()
    drain(runtime)
    by_sms: dict[str, list[str]] = {}
    for request in receiver.received:
        body = request.json
        by_sms.setdefault(body["data"]["hash"], []).append(body["type"])
        if body["data"]["hash"] == watched:
            expected = "Basic " + base64.b64encode(b"me:pw").decode()
            assert request.headers["Authorization"] == expected
    assert other not in by_sms  # only the SMS that asked
    assert set(by_sms[watched]) == {"sms.mt.status_update"}
    assert "sms.mo" in [t for h, types in by_sms.items() if h != mo for t in types]
    # nothing of this is a REST subscription
    assert ok(api.get("/webhooks/search"))["total"] == 0


def test_sms_send_option_errors(rpc: LegacyClient) -> None:
    for options, words in (
        ({"webhook": "http://x"}, "webhook must be an object"),
        ({"webhook": {"endpoint": "ftp://x"}}, "endpoint"),
        ({"push_dlr_enabled": True}, "needs options.push_dlr_url"),
        ({"colour": "red"}, "unknown option"),
    ):
        error = rpc_error(rpc, "sms.send", "SMS", "+33612345678", "Hi", options)
        assert words in error.message, error.message


# -- methods beyond the migration table -------------------------------------------------------
def test_get_timestamp_is_the_ping_time(rpc: LegacyClient, api: Any) -> None:
    """sdk-dotnet SystemService.cs: "the UNIX time from our servers" (an int)."""
    api.advance(42)
    stamp = rpc.call("system.get_timestamp")
    assert isinstance(stamp, int) and stamp == 1767268800 + 42
    assert ok(api.get("/ping"))["time"] == "2026-01-01T12:00:42.000Z"


@pytest.mark.parametrize(
    "row", [r for r in SDK_ROWS if r.kind == "legacy-only"], ids=lambda row: row.legacy
)
def test_legacy_only_methods_are_served_with_clear_errors(rpc: LegacyClient, row: Any) -> None:
    """Callr serves them until 2027-06-30: the sandbox has each one, and a wrong call gets
    invalid params naming the signature, never 'method not found' or a crash."""
    from callr_mock.handlers.legacy import methods

    method = methods()[row.legacy]
    error = rpc_error(rpc, row.legacy, *(["x"] * (len(method.params) + 1)))
    assert error.code == -32602, error.message
    assert row.legacy in error.message


def test_rosetta_lists_both_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    from callr_mock.handlers.legacy import rosetta

    assert rosetta.main(["conference/10.create_room"]) == 0
    out = capsys.readouterr().out
    assert "no REST v2 equivalent: Callr serves it until 2027-06-30" in out
    assert "instead: Conference rooms (CONFERENCE10) do not exist in REST v2" in out
    assert "called in: " in out
    assert rosetta.main(["system.get_timestamp"]) == 0
    assert "GET /v2.0/ping" in capsys.readouterr().out
    assert rosetta.main([]) == 0
    table = capsys.readouterr().out
    for legacy in SDK_TABLE:
        assert legacy in table


def test_area_code_zero_is_any_french_area(rpc: LegacyClient, api: Any) -> None:
    """sdk-python README: did/store.reserve(0, 'GOLD', 1, 'RANDOM'); sandbox meaning: any
    area of the French geographic store (legacy/store.py, README migration notes)."""
    quote = rpc.call("did/store.get_quote", 0, "GOLD", 1)
    reservation = rpc.call("did/store.reserve", 0, "GOLD", 1, "RANDOM")
    assert reservation["cost"]["amount_per_month"] == quote["cost"]["amount_per_month"]
    assert reservation["cost"]["amount_prepaid_debit"] == quote["cost"]["amount_prepaid_debit"]
    [item] = reservation["items"]
    assert item["intl_number"].startswith(("+331", "+332", "+333", "+334", "+335"))
    assert rpc.call("did/store.view_order", reservation["token"]) == reservation
    rpc.call("did/store.buy_order", reservation["token"])
    number = ok(api.get(f"/numbers/{item['intl_number']}"))
    assert (number["class"], number["type"]) == ("gold", "geographic")
    gone = rpc_error(rpc, "did/store.view_order", reservation["token"])
    assert gone.code == -32004 and "already bought" in gone.message


def test_did_app_is_an_object(rpc: LegacyClient, api: Any) -> None:
    """actions-nodejs-typescript src/callr.ts (Callr's own types): Number.app is
    {hash, name, package: {name, type}}, with hash, class, type, local_number,
    intl_number, country_code, assigned_at."""
    item = buy_number(rpc)
    scenario = ok(api.post("/actions", json={"name": "Desk", "script": "branches: {}\n"}), 201)
    ok(api.put(f"/numbers/{item['intl_number']}/scenario/{scenario['sid']}"))
    [did] = rpc.call("did.search", {}, None)["hits"]
    assert did["app"] == {
        "hash": scenario["sid"].upper(),
        "name": "Desk",
        "package": {"name": "ACTIONS10", "type": "ACTIONS"},
    }
    assert {"hash", "class", "type", "local_number", "intl_number", "country_code"} <= set(did)
    assert did["assigned_at"] == "2026-01-01 12:00:00"


def test_cdr_get_lists_legacy_records(rpc: LegacyClient, client: Any) -> None:
    """sdk READMEs "Get inbound or outbound CDRs": cdr.get('OUT', from, to, null, null)."""
    add_call(client, "outbound", "2025-12-31T10:00:00.000Z")
    add_call(client, "inbound", "2025-12-31T11:00:00.000Z")
    [out] = rpc.call("cdr.get", "OUT", "2025-12-31 00:00:00", "2026-01-01 00:00:00", None, None)
    assert (out["number"], out["dialstatus"], out["start"]) == (
        "+33199001234",
        "ANSWER",
        "2025-12-31 10:00:00",
    )
    [inbound] = rpc.call("cdr.get", "IN", "2025-12-31 00:00:00", "2026-01-01 00:00:00")
    assert inbound["did_intl_number"] == "+33199001234"
    assert (
        rpc_error(rpc, "cdr.get", "SIDEWAYS", "2025-12-31 00:00:00", "2026-01-01 00:00:00").code
        == -32602
    )


def test_reservation_and_order_carry_what_clients_read(rpc: LegacyClient) -> None:
    """actions-nodejs-typescript src/callr.ts: StoreReservation {token, expire, items[{hash,
    intl_number, local_number}], cost, contract}; StoreOrder {success[...], cost, contract,
    customer_debit}; NumberCost's nine fields."""
    cost_fields = {
        "amount_unit",
        "quantity",
        "quantity_paying",
        "discount_percent",
        "first_month_remaining_days",
        "amount_assignment",
        "amount_first_month",
        "amount_per_month",
        "amount_prepaid_debit",
    }
    reservation = rpc.call("did/store.reserve", 331, "CLASSIC", 1, "RANDOM")
    assert set(reservation) == {"token", "expire", "items", "cost", "contract"}
    assert set(reservation["items"][0]) == {"hash", "intl_number", "local_number"}
    assert set(reservation["cost"]) == cost_fields
    assert set(reservation["contract"]) == {"billing_mode", "duration_month", "end_date"}
    order = rpc.call("did/store.buy_order", reservation["token"])
    assert set(order) == {"success", "cost", "contract", "customer_debit"}
    assert order["success"] == reservation["items"] and set(order["cost"]) == cost_fields
