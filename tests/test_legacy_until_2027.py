"""The legacy API as Callr serves it until 30 June 2027 (issue 25, item 5).

The methods with no REST v2 equivalent answer on the shared state (calls REST sees,
SMS REST sees), the example programs' flows run end to end (examples-nodejs
``scripts/click2call.js``, ``scripts/address.js``, ``scripts/campaign.js``,
``scripts/media.js``), and the authentication of the SDKs works: ``Session`` tokens
(sdk-java ``UserSessionKeyTest``) and ``CALLR-Login-As`` in each SDK's spelling.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

import pytest
from callr_mock import DEMO_ACCOUNT_SID
from callr_mock.plugin.parity import LegacyClient
from legacy_support import buy_number, legacy_client, ok, rpc_error, wav_base64
from webhook_receiver import Receiver


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


def export(api: Any, direction: str = "outbound") -> list[dict[str, Any]]:
    task = ok(
        api.post(
            "/calls/export",
            query_string={
                "direction": direction,
                "from": "2026-01-01T00:00:00Z",
                "to": "2026-01-02T00:00:00Z",
                "format": "json",
            },
        ),
        202,
    )
    api.advance(5)
    done = ok(api.get(f"/tasks/{task['sid']}"))
    assert done["status"] == "done", done
    file = api.client.get(urlsplit(done["result"]["url"]).path)
    assert file.status_code == 200
    records: list[dict[str, Any]] = file.get_json()
    return records


# -- calls ------------------------------------------------------------------------------------
def test_a_broadcast_is_a_real_outbound_call(rpc: LegacyClient, api: Any, runtime: Any) -> None:
    receiver = Receiver()
    try:
        ok(
            api.post(
                "/webhooks", json={"type": "v2.call.outbound.ended", "endpoint": receiver.url}
            ),
            201,
        )
        before = ok(api.get("/billing/credit"))["balance"]
        callid = rpc.call(
            "calls.broadcast_1", {"number": "+33612345678", "timeout": 30}, [131, 132], {"loop": 2}
        )
        assert isinstance(callid, str) and callid.isdigit()
        api.advance(60)
        [record] = export(api)
        assert record["callid"] == int(callid)
        assert record["callee"] == "+33612345678" and record["callerRestricted"] is True
        assert record["durationAnswered"] == 40  # 10 s per message, twice
        assert runtime.delivery.drain(5.0)
        [ended] = [b["payload"] for b in receiver.bodies()]
        assert ended["callid"] == int(callid)
        after = ok(api.get("/billing/credit"))["balance"]
        assert float(after) == pytest.approx(float(before) - float(record["billingDebit"]))
        assert float(record["billingDebit"]) > 0
        cdrs = rpc.call("cdr.get", "OUT", "2026-01-01 00:00:00", "2026-01-02 00:00:00", None, None)
        assert [c["callid"] for c in cdrs] == [int(callid)]
    finally:
        receiver.close()


def test_broadcast_refuses_bad_targets_clearly(rpc: LegacyClient) -> None:
    error = rpc_error(rpc, "calls.broadcast_1", {"number": "0612"}, [1])
    assert error.code == -32602 and "target.number must be a phone number" in error.message
    error = rpc_error(rpc, "calls.broadcast_1", {"number": "+33612345678"}, [])
    assert error.code == -32602 and "messages must be a non-empty array" in error.message
    error = rpc_error(
        rpc, "calls.broadcast_1", {"number": "+33612345678"}, [1], {"cli": "+33100000000"}
    )
    assert (
        error.code == -32602
        and "cli must be BLOCKED or one of this account's numbers" in error.message
    )


def test_realtime_needs_a_realtime_app(rpc: LegacyClient, api: Any) -> None:
    actions = rpc.call("apps.create", "CLICKTOCALL10", "c2c", None)
    error = rpc_error(rpc, "calls.realtime", actions["hash"], {"number": "+33612345678"})
    assert error.code == -32602 and "is not a REALTIME10 app" in error.message
    app = rpc.call("apps.create", "REALTIME10", "rt", {"url": "http://example.com/rt"})
    number = buy_number(rpc)["intl_number"]
    callid = rpc.call("calls.realtime", app["hash"], {"number": "+33612345678"}, {"cli": number})
    api.advance(60)
    [record] = export(api)
    assert record["callid"] == int(callid) and record["callerNumber"] == number


def test_click_to_call_flow_of_examples_nodejs(rpc: LegacyClient, api: Any) -> None:
    """examples-nodejs scripts/click2call.js: apps.create CLICKTOCALL10, apps.get_list,
    clicktocall/calls.start_2, then the status of both legs on the sandbox clock."""
    media = rpc.call("media/library.create", "welcome")
    app = rpc.call(
        "apps.create",
        "CLICKTOCALL10",
        "c2c",
        {"medias": {"A_welcome": media}, "options": {}, "vms": {}},
    )
    listed = rpc.call("apps.get_list", False)
    assert [a["hash"] for a in listed if a["package"]["type"] == "CLICKTOCALL"] == [app["hash"]]
    assert rpc.call("apps.get", app["hash"]) == app
    a, b = {"number": "+33612345678", "timeout": 30}, {"number": "+33698765432", "timeout": 30}
    call_hash = rpc.call("clicktocall/calls.start_2", app["hash"], [a], [b], None)
    status = rpc.call("clicktocall/calls.get_status", call_hash)
    assert (status["a_status"]["status"], status["b_status"]["status"]) == ("DIALING", "DIALING")
    api.advance(12)
    status = rpc.call("clicktocall/calls.get_status", call_hash)
    assert (status["a_status"]["status"], status["b_status"]["status"]) == ("ANSWER", "ANSWER")
    api.advance(60)
    status = rpc.call("clicktocall/calls.get_status", call_hash)
    assert (status["a_status"]["status"], status["b_status"]["status"]) == ("HANGUP", "HANGUP")
    records = export(api)
    assert {r["callee"] for r in records} == {a["number"], b["number"]}
    listed = rpc.call(
        "clicktocall/calls.get_list", app["hash"], "2026-01-01 00:00:00", "2026-01-02 00:00:00"
    )
    assert [c["hash"] for c in listed] == [call_hash]
    error = rpc_error(rpc, "clicktocall/calls.cancel", call_hash)
    assert error.data == {"code": "call-started", "status": 400}


def test_a_scheduled_click_to_call_can_be_cancelled(rpc: LegacyClient, api: Any) -> None:
    app = rpc.call("apps.create", "CLICKTOCALL10", "c2c", None)
    target = [{"number": "+33612345678", "timeout": 30}]
    call_hash = rpc.call(
        "clicktocall/calls.start_2",
        app["hash"],
        target,
        target,
        {"schedule": "2026-01-01 13:00:00"},
    )
    assert rpc.call("clicktocall/calls.cancel", call_hash) is True
    api.advance(7200)
    status = rpc.call("clicktocall/calls.get_status", call_hash)
    assert status["a_status"]["status"] == "ABORTED"
    assert export(api) == []


def test_a_conference_room_takes_a_number_and_calls_its_accesses(
    rpc: LegacyClient, api: Any
) -> None:
    number = buy_number(rpc)
    scenario = ok(api.post("/actions", json={"name": "s", "script": "branches: {}"}), 201)
    ok(api.put(f"/actions/{scenario['sid']}/numbers/{number['intl_number']}"))
    room = rpc.call(
        "conference/10.create_room",
        "board",
        {"open": True},
        [
            {"pin": "1234", "level": "GUEST"},
            {"pin": "4321", "level": "ADMIN", "phone_number": "+33612345678"},
        ],
    )
    assert rpc.call("conference/10.assign_did", room["id"], number["hash"]) is True
    assert ok(api.get(f"/numbers/{number['intl_number']}"))["scenario"] is None
    guest, admin = room["access"]
    error = rpc_error(rpc, "conference/10.call_room_access", guest["id"], "BLOCKED", True)
    assert error.code == -32602 and "has no phone_number" in error.message
    callid = rpc.call("conference/10.call_room_access", admin["id"], "BLOCKED", True)
    api.advance(60)
    assert [r["callid"] for r in export(api)] == [int(callid)]
    error = rpc_error(
        rpc, "conference/10.create_room", "x", {"open": True}, [{"pin": "12", "level": "GUEST"}]
    )
    assert error.code == -32602 and "pin must be 4 to 8 digits" in error.message


# -- SENDR --------------------------------------------------------------------------------------
CSV = "name,phone\nAda,0612345678\nBob,+33698765432\nnot a number,hello\n"


def _book(rpc: LegacyClient) -> str:
    """examples-nodejs scripts/address.js: import the CSV, poll the job, create the book,
    append the file."""
    job = rpc.call(
        "media.import_file_from_base64_async", base64.b64encode(CSV.encode()).decode(), None
    )
    done = rpc.call("jobs.get", job)
    assert done["status"] == "DONE"
    book = rpc.call("sendr/10/addressbook.create", "customers", "customers")
    rpc.call(
        "sendr/10/addressbook.append_file_async",
        book["hash"],
        done["result"]["filename"],
        1,
        "FR",
        None,
    )
    [listed] = rpc.call("sendr/10/addressbook.search", None, None)["hits"]
    assert (listed["hash"], listed["items_count"]) == (book["hash"], 2)
    return str(book["hash"])


def test_an_sms_campaign_sends_to_every_contact(rpc: LegacyClient, api: Any) -> None:
    """examples-nodejs scripts/campaign.js (SMS_SIMPLE): template, check, save, start."""
    campaign = rpc.call("sendr/10/campaign.get_object_template", "SMS_SIMPLE")
    assert rpc.call("sendr/10/campaign.check", campaign) != []
    campaign["name"] = "promo"
    campaign["ivr"]["text"] = "Hello from the campaign"
    campaign["addressbook"]["hash"] = _book(rpc)
    assert rpc.call("sendr/10/campaign.check", campaign) == []
    saved = rpc.call("sendr/10/campaign.save", campaign)
    assert rpc.call("sendr/10/campaign.start", saved["hash"]) is True
    sent = ok(api.get("/sms", query_string={"text": "campaign"}))
    assert sorted(s["to"] for s in sent["hits"]) == ["+33612345678", "+33698765432"]
    assert rpc.call("sendr/10/campaign.get", saved["hash"])["status"]["state"] == "FINISHED"
    [hit] = rpc.call("sendr/10/campaign.search", None, None)["hits"]
    assert (hit["hash"], hit["type"], hit["name"]) == (saved["hash"], "SMS_SIMPLE", "promo")


def test_a_voice_campaign_calls_every_contact(rpc: LegacyClient, api: Any) -> None:
    campaign = rpc.call("sendr/10/campaign.get_object_template", "VOICE_IVR")
    bridge = rpc.call("sendr/10/campaign.get_voice_ivr_action_objects_templates")["BRIDGE"]
    bridge["targets"] = [{"number": "+33611111111", "timeout": 15}]
    campaign["ivr"]["keys"]["key_1"] = {"action": "BRIDGE", "params": bridge}
    campaign.update(name="calls", addressbook={"hash": _book(rpc)})
    campaign["ivr"]["broadcast"] = ["131"]
    saved = rpc.call("sendr/10/campaign.save", campaign)
    rpc.call("sendr/10/campaign.start", saved["hash"])
    assert rpc.call("sendr/10/campaign.get", saved["hash"])["status"]["state"] == "RUNNING"
    error = rpc_error(rpc, "sendr/10/campaign.delete", saved["hash"])
    assert "is running" in error.message
    api.advance(60)
    assert rpc.call("sendr/10/campaign.get", saved["hash"])["status"]["state"] == "FINISHED"
    assert sorted(r["callee"] for r in export(api)) == ["+33612345678", "+33698765432"]
    assert rpc.call("sendr/10/campaign.delete", saved["hash"]) is True


# -- media ---------------------------------------------------------------------------------------
def test_tts_media_of_examples_nodejs(rpc: LegacyClient, api: Any) -> None:
    """examples-nodejs scripts/media.js: pick a voice of get_voice_list, set the text."""
    groups = rpc.call("media/tts.get_voice_list")
    voices = [voice for group in groups for voice in group["voices"]]
    media = rpc.call("media/library.create", "tts")
    assert rpc.call("media/tts.set_content", media, "Hello there, how are you", voices[0], None)
    api.advance(5)
    item = rpc.call("media/library.get", media)
    assert item["content"] == "Hello there, how are you" and item["status"] == "READY"
    error = rpc_error(rpc, "media/tts.set_content", media, "Hi", "ROBOT", None)
    assert error.code == -32602 and "voice must be one of" in error.message
    assert rpc.call("media/email.get_templates", "VMS") == {}


def test_an_unknown_imported_file_is_refused(rpc: LegacyClient) -> None:
    media = rpc.call("media/library.create", "x")
    error = rpc_error(rpc, "media/library.set_content_from_file", media, "import_nothing.tmp")
    assert (
        error.code == -32602
        and "import it with media.import_file_from_base64_async" in error.message
    )
    job = rpc.call("media.import_file_from_base64_async", wav_base64(), None)
    error = rpc_error(rpc, "jobs.cancel", job)
    assert error.data == {"code": "task-finished", "status": 400}


# -- lists, SMS lists, event types -----------------------------------------------------------
def test_reference_lists(rpc: LegacyClient) -> None:
    countries = rpc.call("list.countries")
    assert (
        countries["FR"]["country_dialcode"] == "33"
        and countries["FR"]["country_en_label"] == "France"
    )
    assert countries["FR"]["country_localcode"] == "0"
    info = rpc.call("list.number_infos", "+33612345678")
    assert info["type"] == "MOBILE" and info["country_code"] == "FR" and info["is_valid"] is True
    assert info["intl_code"] == "33" and info["local_prefix"] == "0"
    assert rpc.call("list.number_infos", "not a number")["is_valid"] is False
    zones = rpc.call("list.timezones")
    paris = next(z for z in zones.values() if z["php_name"] == "Europe/Paris")
    assert paris["dst"] == "YES"


def test_sms_get_list_by_direction_and_dates(rpc: LegacyClient, api: Any) -> None:
    first = rpc.call("sms.send", "SMS", "+33612345678", "one", None)
    api.advance(3600)
    second = rpc.call("sms.send", "SMS", "+33612345678", "two", None)
    listed = rpc.call("sms.get_list", "OUT", "2026-01-01 00:00:00", "2026-01-02 00:00:00")
    assert [s["hash"] for s in listed] == [first, second]
    assert (
        rpc.call("sms.get_list", "OUT", "2026-01-01 12:30:00", "2026-01-02 00:00:00")[0]["hash"]
        == second
    )
    assert rpc.call("sms.get_list", "IN", "2026-01-01 00:00:00", "2026-01-02 00:00:00") == []
    error = rpc_error(rpc, "sms.get_list", "SIDEWAYS", "2026-01-01 00:00:00", "2026-01-02 00:00:00")
    assert error.code == -32602


def test_event_types_are_what_subscribe_takes(rpc: LegacyClient, client: Any) -> None:
    for name in rpc.call("webhooks.get_event_types"):
        hook = rpc.call("webhooks.subscribe", name, "http://127.0.0.1:9/hook", None)
        assert hook["hash"]


# -- authentication ------------------------------------------------------------------------------
def test_session_tokens_as_sdk_java_uses_them(rpc: LegacyClient, client: Any, api: Any) -> None:
    """sdk-java UserSessionKeyTest: create, use, list, refresh, delete."""
    key = rpc.call("session.create")
    assert len(key["token"]) == 40 and all(c in "0123456789abcdef" for c in key["token"])
    session = LegacyClient("/json-rpc/v1.1/", transport=client)
    session.headers["Authorization"] = f"Session {key['token']}"
    assert isinstance(session.call("system.get_timestamp"), int)
    assert key["token"] in [k["token"] for k in session.call("session.all")]
    refreshed = session.call("session.refresh", key["refresh_token"])
    assert refreshed["valid_until"] >= key["valid_until"]
    assert session.call("session.delete") is True
    error = rpc_error(session, "system.get_timestamp")
    assert error.code == -32001 and "unknown session token" in error.message
    assert key["token"] not in [k["token"] for k in rpc.call("session.all")]


def test_a_session_expires_on_the_sandbox_clock(rpc: LegacyClient, client: Any, api: Any) -> None:
    key = rpc.call("session.create")
    session = LegacyClient("/json-rpc/v1.1/", transport=client)
    session.headers["Authorization"] = f"Session {key['token']}"
    api.advance(24 * 3600)
    error = rpc_error(session, "system.get_timestamp")
    assert error.code == -32001 and "expired" in error.message


@pytest.mark.parametrize(
    "header",
    [
        "account.hash {HASH}",  # sdk-nodejs, sdk-java (type account)
        "Account.hash {HASH}",  # sdk-php, sdk-ruby
        "user.login {sid}",  # sdk-nodejs, sdk-java (type user)
        "User.login {sid}",  # sdk-php, sdk-ruby
    ],
)
def test_login_as_acts_as_the_sub_account(
    rpc: LegacyClient, runtime: Any, api: Any, header: str
) -> None:
    sub = runtime.store.create_account("subacct9", parent=DEMO_ACCOUNT_SID)
    rpc.headers["CALLR-Login-As"] = header.format(HASH=sub.sid.upper(), sid=sub.sid)
    sms_hash = rpc.call("sms.send", "SMS", "+33612345678", "as the sub-account", None)
    assert ok(api.get(f"/sms/{sms_hash.lower()}"), 404)
    assert sub.sms.get(sms_hash.lower()).to_api()["body"] == {"text": "as the sub-account"}


def test_login_as_is_refused_for_a_stranger(rpc: LegacyClient, runtime: Any) -> None:
    stranger = runtime.store.create_account("stranger1", key="stranger-key")
    rpc.headers["CALLR-Login-As"] = f"account.hash {stranger.sid.upper()}"
    error = rpc_error(rpc, "system.get_timestamp")
    assert error.code == -32003 and "is not a sub-account of account" in error.message
    rpc.headers["CALLR-Login-As"] = "customer.id 12"
    error = rpc_error(rpc, "system.get_timestamp")
    assert (
        error.code == -32003
        and "must be 'account.hash HASH' or 'user.login LOGIN'" in error.message
    )


def test_legacy_only_objects_survive_a_state_file() -> None:
    """Click-to-call calls, campaigns, imported files and sessions are written to the
    state document and read back (``snapshot_state`` / ``restore_state``)."""
    import json

    from callr_mock import Settings, create_app
    from callr_mock.services.state_document import restore_state, snapshot_state
    from callr_mock.web.frame.runtime import runtime_of

    first = create_app(Settings(clock="frozen"))
    rpc = legacy_client(first.test_client())
    app = rpc.call("apps.create", "CLICKTOCALL10", "c2c", None)
    target = [{"number": "+33612345678", "timeout": 30}]
    call_hash = rpc.call("clicktocall/calls.start_2", app["hash"], target, target, None)
    job = rpc.call("media.import_file_from_base64_async", wav_base64(), None)
    key = rpc.call("session.create")
    document = json.loads(json.dumps(snapshot_state(runtime_of(first).store)))

    second = create_app(Settings(clock="frozen"))
    restore_state(runtime_of(second), document)
    client = second.test_client()
    again = legacy_client(client)
    assert again.call("clicktocall/calls.get_status", call_hash)["hash"] == call_hash
    filename = again.call("jobs.get", job)["result"]["filename"]
    media = again.call("media/library.create", "m")
    assert again.call("media/library.set_content_from_file", media, filename) is True
    session = LegacyClient("/json-rpc/v1.1/", transport=client)
    session.headers["Authorization"] = f"Session {key['token']}"
    assert isinstance(session.call("system.get_timestamp"), int)
