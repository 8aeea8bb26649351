"""SMS: encoding and parts, cost and credit, the lifecycle on the frozen clock, magic
numbers, inbound SMS, search filters and pagination stability."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from callr_mock.state.phone import sender
from callr_mock.state.sms_text import encode, gsm_septets, is_gsm, to_gsm, utf16_units

FR_MOBILE = "+33612345678"
FR_PRICE = Decimal("6.50")
SANDBOX = "sandbox1"
MAGIC_FAILED = "+33199000001"
MAGIC_EXPIRED = "+33199000002"
MAGIC_ERROR = "+33199000003"
MAGIC_INSTANT = "+33199000004"
MAGIC_REPLY = "+33199000005"


def q(number: str) -> str:
    """A number for a query string (``+`` as ``%2B``)."""
    return number.replace("+", "%2B")


def send(api: Any, to: str = FR_MOBILE, text: str = "Hello world!", **params: str) -> Any:
    query = "&".join([f"to={q(to)}", *(f"{k}={q(v)}" for k, v in params.items())])
    return api.post(f"/sms?{query}", json={"text": text})


def sent(
    api: Any, to: str = FR_MOBILE, text: str = "Hello world!", **params: str
) -> dict[str, Any]:
    response = send(api, to, text, **params)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def credit(api: Any) -> Decimal:
    return Decimal(api.get("/billing/credit").get_json()["balance"])


def events(client: Any, event_type: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(
        f"/_mock/events?account={SANDBOX}&type={event_type}"
    ).get_json()
    return found


def statuses(sms: dict[str, Any]) -> list[str]:
    """The statuses the SMS went through, from its transitions (``{before, after, at}``)."""
    history = sms["statusHistory"]
    return (
        [history[0]["before"], *(step["after"] for step in history)] if history else [sms["status"]]
    )


# ------------------------------------------------------------------ encoding (unit)


def test_gsm_basic_and_extension_characters() -> None:
    assert is_gsm("Hello @£$¥ èéùìò ÄÖÑÜ §¿ {} [] ~ ^ | \\ €")
    assert gsm_septets("abc") == 3
    assert gsm_septets("€[]{}~^|\\") == 18  # each extension character is escape + char
    assert not is_gsm("ça")  # only the capital Ç is in GSM 03.38
    assert not is_gsm("«»")
    assert utf16_units("😀a") == 3


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 160, "gsm", 1),
        ("a" * 161, "gsm", 2),
        ("a" * 306, "gsm", 2),
        ("a" * 307, "gsm", 3),
        ("€" * 80, "gsm", 1),  # 160 septets
        ("€" * 81, "gsm", 2),  # 162 septets
        ("é" * 160, "gsm", 1),
        ("ê" * 70, "unicode", 1),
        ("ê" * 71, "unicode", 2),
        ("ê" * 134, "unicode", 2),
        ("ê" * 135, "unicode", 3),
        ("😀" * 35, "unicode", 1),  # 70 UTF-16 units
        ("😀" * 36, "unicode", 2),
    ],
)
def test_detected_encoding_and_parts(text: str, encoding: str, parts: int) -> None:
    assert encode(text)[0] == encoding
    assert encode(text)[2] == parts
    assert encode(text)[1] == text


def test_forced_gsm_transliterates_or_replaces() -> None:
    assert to_gsm("«Bonjour» “ça” – ‘ok’…") == '"Bonjour" "ca" - \'ok\'.'
    assert to_gsm("€ stays, 😀 does not") == "€ stays, ? does not"
    assert encode("naïve ê 😀", "gsm") == ("gsm", "naive e ?", 1)


def test_forced_gsm_never_makes_the_text_longer(api: Any) -> None:
    assert to_gsm("ﬃ…😀") == "?.?"
    sms = sent(api, text="…" * 3200, encoding="gsm")
    assert (sms["body"]["text"], sms["parts"]) == ("." * 3200, 21)


def test_forced_unicode_counts_utf16_units() -> None:
    assert encode("a" * 71, "unicode") == ("unicode", "a" * 71, 2)


def test_senders_automatic_phone_or_alphanumeric() -> None:
    assert sender(None).number == "+33199000000"
    assert sender("").type == "FIXED_LINE"
    assert sender("33612345678").number == FR_MOBILE
    assert sender("33612345678").type == "MOBILE"
    alpha = sender("MY SHOP")
    assert (alpha.number, alpha.type, alpha.country, alpha.location) == (
        "MY SHOP",
        "UNKNOWN",
        "",
        "",
    )


# ------------------------------------------------------------------ sending over HTTP


def test_send_answers_201_created_with_the_computed_fields(api: Any) -> None:
    sms = sent(api, text="Hello € world", trafficType="alerting", **{"from": "CALLR"})
    assert sms["direction"] == "outbound"
    assert sms["status"] == "created"
    assert statuses(sms) == ["created"]
    assert (sms["from"], sms["to"]) == ("CALLR", FR_MOBILE)
    assert sms["statusHistory"] == []  # transitions only: none yet
    assert (sms["encoding"], sms["parts"], sms["body"]["text"]) == ("gsm", 1, "Hello € world")
    assert sms["trafficType"] == "alerting"
    assert sms["cost"] == "6.50"
    assert sms["paymentType"] == "prepaid"
    assert sms["sent"] is None and sms["delivered"] is None and sms["error"] == ""
    assert sms["body"] == {"text": "Hello € world"} and sms["network"] == ""
    assert api.get(f"/sms/{sms['sid']}").get_json() == sms


def test_traffic_type_defaults_to_marketing_and_phone_sender_is_described(api: Any) -> None:
    sms = sent(api, **{"from": "33699000000"})
    assert sms["trafficType"] == "marketing"
    assert sms["from"] == "+33699000000"  # written in E.164


def test_the_sender_rule_is_the_same_in_behaviour_spec_and_readme(api: Any) -> None:
    """Callr documents ``from`` as 0..11 characters, a phone number or a name: a phone-number
    sender is written without '+' (11 characters) and answered in E.164."""
    from pathlib import Path

    from callr_mock.contract.spec import load_spec

    refused = send(api, FR_MOBILE, "Hi", **{"from": "+33699000000"})
    assert refused.status_code == 400
    assert "'from'" in refused.get_json()["message"] and "11" in refused.get_json()["message"]
    owned = sent(api, **{"from": "33699000000"})
    assert owned["from"] == "+33699000000"
    named = sent(api, **{"from": "MyShop"})
    assert named["from"] == "MyShop"

    operation = load_spec()["paths"]["/sms"]["post"]
    [param] = [p for p in operation["parameters"] if p.get("name") == "from"]
    assert param["schema"]["maxLength"] == 11
    assert "without the '+' (33612345678)" in param["description"]
    readme = (Path(__file__).parents[1] / "docs" / "the-api.md").read_text(encoding="utf-8")
    assert (
        "at most **11 characters**" in readme
        and "**without the `+`** (`from=33612345678`)" in readme
    )
    assert "`from=%2B33612345678`\n  is 12 characters and is refused" in readme


def test_forced_gsm_stores_the_converted_text(api: Any) -> None:
    sms = sent(api, text="«Salut» 😀", encoding="gsm")
    assert (sms["encoding"], sms["body"]["text"], sms["parts"]) == ("gsm", '"Salut" ?', 1)


def test_long_unicode_text_costs_every_part(api: Any) -> None:
    before = credit(api)
    sms = sent(api, text="ê" * 135)
    assert (sms["encoding"], sms["parts"]) == ("unicode", 3)
    assert sms["cost"] == "19.50"
    assert credit(api) == before - 3 * FR_PRICE


def test_impossible_number_is_400_invalid_number(api: Any) -> None:
    response = send(api, to="+3312")
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid-number"
    assert "to" in response.get_json()["message"]
    assert api.get("/sms").get_json()["total"] == 0


def test_unknown_sid_is_404_and_accounts_are_isolated(api: Any, other_api: Any) -> None:
    sms = sent(api)
    assert api.get("/sms/zzzzzzzz").status_code == 404
    response = other_api.get(f"/sms/{sms['sid']}")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not-found"
    assert other_api.get("/sms").get_json()["total"] == 0


# ------------------------------------------------------------------ lifecycle


def test_lifecycle_moves_only_with_the_clock(api: Any, client: Any) -> None:
    sms = sent(api)
    sid = sms["sid"]

    def status() -> dict[str, Any]:
        body: dict[str, Any] = api.get(f"/sms/{sid}").get_json()
        return body

    assert status()["status"] == "created"
    api.advance(0.999)
    assert status()["status"] == "created"
    api.advance(0.001)
    now = status()
    assert now["status"] == "pending"
    assert now["updated"] == "2026-01-01T12:00:01.000Z"
    assert now["sent"] is None
    api.advance(1)
    now = status()
    assert now["status"] == "sent"
    assert now["sent"] == "2026-01-01T12:00:02.000Z"
    api.advance(1)
    assert status()["status"] == "remote-queued"
    api.advance(1.5)
    assert status()["status"] == "remote-queued"
    api.advance(0.5)
    final = status()
    assert final["status"] == "delivered"
    assert final["delivered"] == final["updated"] == "2026-01-01T12:00:05.000Z"
    assert final["sent"] == "2026-01-01T12:00:02.000Z"
    assert final["statusHistory"] == [
        {"after": "pending", "before": "created", "at": "2026-01-01T12:00:01.000Z"},
        {"after": "sent", "before": "pending", "at": "2026-01-01T12:00:02.000Z"},
        {"after": "remote-queued", "before": "sent", "at": "2026-01-01T12:00:03.000Z"},
        {"after": "delivered", "before": "remote-queued", "at": "2026-01-01T12:00:05.000Z"},
    ]
    fired = events(client, "v2.sms.outbound.updated")
    assert [e["payload"]["status"] for e in fired] == [
        "pending",
        "sent",
        "remote-queued",
        "delivered",
    ]
    assert [e["at"] for e in fired] == [step["at"] for step in final["statusHistory"]]
    assert fired[-1]["payload"] == final
    api.advance(60)
    assert status() == final


def test_one_big_advance_records_each_step_at_its_own_time(api: Any) -> None:
    sid = sent(api)["sid"]
    api.advance(3600)
    sms = api.get(f"/sms/{sid}").get_json()
    assert [step["at"][11:19] for step in sms["statusHistory"]] == [
        "12:00:01",
        "12:00:02",
        "12:00:03",
        "12:00:05",
    ]


# ------------------------------------------------------------------ magic numbers


def test_magic_failed_ends_failed_after_sent(api: Any, client: Any) -> None:
    sid = sent(api, to=MAGIC_FAILED)["sid"]
    api.advance(2)
    assert api.get(f"/sms/{sid}").get_json()["status"] == "sent"
    api.advance(1)
    sms = api.get(f"/sms/{sid}").get_json()
    assert statuses(sms) == ["created", "pending", "sent", "failed"]
    assert sms["error"] == "rejected by the carrier"
    assert sms["delivered"] is None
    assert sms["cost"] == "6.50"  # accepted by Callr, so charged
    api.advance(10)
    assert api.get(f"/sms/{sid}").get_json() == sms
    assert events(client, "v2.sms.outbound.updated")[-1]["payload"]["status"] == "failed"


def test_magic_expired_ends_expired_after_remote_queued(api: Any) -> None:
    sid = sent(api, to=MAGIC_EXPIRED)["sid"]
    api.advance(4)
    assert api.get(f"/sms/{sid}").get_json()["status"] == "remote-queued"
    api.advance(1)
    sms = api.get(f"/sms/{sid}").get_json()
    assert statuses(sms) == ["created", "pending", "sent", "remote-queued", "expired"]
    assert sms["error"] == "not delivered before the validity period ended"
    assert sms["delivered"] is None


def test_magic_error_is_not_accepted_and_not_charged(api: Any) -> None:
    before = credit(api)
    sms = sent(api, to=MAGIC_ERROR)
    assert sms["cost"] == "0.00"
    assert credit(api) == before
    api.advance(1)
    sms = api.get(f"/sms/{sms['sid']}").get_json()
    assert statuses(sms) == ["created", "error"]
    assert sms["error"] == "not accepted by Callr: destination blocked"
    assert sms["sent"] is None


def test_magic_instant_is_delivered_in_the_answer(api: Any, client: Any) -> None:
    sms = sent(api, to=MAGIC_INSTANT)
    assert sms["status"] == "delivered"
    assert statuses(sms) == ["created", "pending", "sent", "remote-queued", "delivered"]
    assert {step["at"] for step in sms["statusHistory"]} == {sms["created"]}
    assert sms["sent"] == sms["delivered"] == sms["created"]
    fired = events(client, "v2.sms.outbound.updated")
    assert len(fired) == 1 and fired[0]["payload"] == sms


def test_magic_reply_brings_an_inbound_sms(api: Any, client: Any) -> None:
    out = sent(api, to=MAGIC_REPLY, **{"from": "33699000000"})
    api.advance(5)
    assert api.get(f"/sms/{out['sid']}").get_json()["status"] == "delivered"
    assert api.get("/sms?direction=inbound").get_json()["total"] == 0
    api.advance(2)
    inbound = api.get("/sms?direction=inbound").get_json()
    assert inbound["total"] == 1
    reply = inbound["hits"][0]
    assert (reply["from"], reply["to"]) == (MAGIC_REPLY, "+33699000000")
    assert reply["direction"] == "inbound"
    assert reply["status"] == "delivered"
    assert reply["body"]["text"] == "Thanks, got it!"
    assert reply["created"] == reply["delivered"] == "2026-01-01T12:00:07.000Z"
    assert reply["sent"] == reply["created"]  # as in Callr's sample
    assert reply["statusHistory"] == [
        {"after": "delivered", "before": "sent", "at": "2026-01-01T12:00:07.000Z"}
    ]
    assert reply["cost"] == "2.00"  # inbound SMS are charged (Callr's sample: "2.0")
    received = events(client, "v2.sms.inbound.received")
    assert [e["payload"] for e in received] == [reply]
    assert api.get("/sms").get_json()["total"] == 2


def test_magic_reply_to_an_alphanumeric_sender_goes_to_the_sandbox_sender(api: Any) -> None:
    sent(api, to=MAGIC_REPLY, **{"from": "SHOP"})
    api.advance(7)
    reply = api.get("/sms?direction=inbound").get_json()["hits"][0]
    assert reply["to"] == "+33199000000"


# ------------------------------------------------------------------ credit


def set_balance(client: Any, balance: str) -> None:
    response = client.post(f"/_mock/accounts/{SANDBOX}/credit", json={"balance": balance})
    assert response.status_code == 200


def test_not_enough_credit_is_403_and_nothing_is_recorded(api: Any, client: Any) -> None:
    set_balance(client, "6.49")
    response = send(api)
    assert response.status_code == 403
    assert response.get_json()["code"] == "insufficient-credit"
    assert "6.50" in response.get_json()["message"]
    assert credit(api) == Decimal("6.49")
    assert api.get("/sms").get_json()["total"] == 0
    assert client.get(f"/_mock/state?account={SANDBOX}").get_json()["accounts"][0]["sms"] == []
    api.advance(10)
    assert events(client, "v2.sms.outbound.updated") == []


def test_the_magic_error_number_still_needs_the_credit(api: Any, client: Any) -> None:
    set_balance(client, "1.00")
    assert send(api, to=MAGIC_ERROR).status_code == 403
    assert api.get("/sms").get_json()["total"] == 0


def test_credit_warning_then_shutdown_then_refusal(api: Any, client: Any) -> None:
    set_balance(client, "510.00")
    sent(api)  # 503.50: still above the 500.00 warning level
    assert events(client, "v2.billing.credit.warning") == []
    sent(api)  # 4.9700: crosses it
    warnings = events(client, "v2.billing.credit.warning")
    assert len(warnings) == 1
    assert warnings[0]["payload"]["balance"] == "497.00"
    sent(api)
    assert len(events(client, "v2.billing.credit.warning")) == 1  # fires once per crossing
    set_balance(client, "13.00")
    sent(api)
    sent(api)  # exactly 0.0000: the shutdown level
    shutdowns = events(client, "v2.billing.credit.shutdown")
    assert [e["payload"]["balance"] for e in shutdowns] == ["0.00"]
    assert send(api).status_code == 403
    topped = client.post(f"/_mock/accounts/{SANDBOX}/credit", json={"amount": "1000"})
    assert topped.get_json()["balance"] == "1000.00"
    assert [e["payload"]["balance"] for e in events(client, "v2.billing.credit.topup")] == [
        "1000.00"
    ]
    assert send(api).status_code == 201


# ------------------------------------------------------------------ inbound (control API)


def test_control_inbound_sms_is_recorded_and_fires_received(api: Any, client: Any) -> None:
    response = client.post(
        f"/_mock/accounts/{SANDBOX}/sms/inbound",
        json={"from": "+33639980042", "to": "+33199001234", "text": "Hi there"},
    )
    assert response.status_code == 201
    sms = response.get_json()
    assert (sms["direction"], sms["status"], sms["body"]["text"]) == (
        "inbound",
        "delivered",
        "Hi there",
    )
    assert sms["sent"] == sms["delivered"] == sms["created"]
    assert api.get(f"/sms/{sms['sid']}").get_json() == sms
    assert [e["payload"] for e in events(client, "v2.sms.inbound.received")] == [sms]


def test_an_inbound_sms_is_charged_even_without_credit(api: Any, client: Any) -> None:
    client.post(f"/_mock/accounts/{SANDBOX}/credit", json={"balance": "1.00"})
    response = client.post(
        f"/_mock/accounts/{SANDBOX}/sms/inbound",
        json={"from": "+33639980042", "to": "+33199001234", "text": "Hi"},
    )
    assert response.status_code == 201  # it has arrived: never refused
    assert response.get_json()["cost"] == "2.00"
    assert credit(api) == Decimal("-1.00")
    shutdown = events(client, "v2.billing.credit.shutdown")
    assert [e["payload"]["balance"] for e in shutdown] == ["-1.00"]


def test_control_inbound_sms_rejects_bad_input(client: Any) -> None:
    bad = client.post(
        f"/_mock/accounts/{SANDBOX}/sms/inbound", json={"from": "+33639980042", "text": "x"}
    )
    assert bad.status_code == 400
    bad = client.post(
        f"/_mock/accounts/{SANDBOX}/sms/inbound",
        json={"from": "+33639980042", "to": "123", "text": "x"},
    )
    assert bad.status_code == 400
    assert bad.get_json()["code"] == "invalid-number"
    assert client.post("/_mock/accounts/nobody00/sms/inbound", json={}).status_code in (400, 404)


# ------------------------------------------------------------------ search


def inbound(client: Any, text: str, sender_number: str = "+33639980042") -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        f"/_mock/accounts/{SANDBOX}/sms/inbound",
        json={"from": sender_number, "to": "+33199001234", "text": text},
    ).get_json()
    return body


def sids(result: dict[str, Any]) -> list[str]:
    return [hit["sid"] for hit in result["hits"]]


def test_search_filters(api: Any, client: Any) -> None:
    a = sent(api, text="Your code is 1234", trafficType="alerting", **{"from": "BANK"})
    api.advance(10)
    b = sent(api, to="+4915112345678", text="Big SALE today", **{"from": "SHOP"})
    api.advance(1)
    c = inbound(client, "stop the sale")
    everything = api.get("/sms").get_json()
    assert everything["total"] == 3
    assert sids(everything) == [c["sid"], b["sid"], a["sid"]]  # newest first by default

    def found(query: str) -> list[str]:
        response = api.get(f"/sms?{query}")
        assert response.status_code == 200, response.get_json()
        return sids(response.get_json())

    assert found("direction=outbound") == [b["sid"], a["sid"]]
    assert found("direction=inbound") == [c["sid"]]
    assert found(f"sid={a['sid']}") == [a["sid"]]
    assert found("from=SH") == [b["sid"]]
    assert found("from=%2B336") == [c["sid"]]
    assert found("to=%2B49") == [b["sid"]]
    assert found("text=sale") == [c["sid"], b["sid"]]  # case-insensitive, contains
    assert found("trafficType=alerting") == [a["sid"]]
    assert found("status=delivered") == [c["sid"], a["sid"]]  # a delivered after 5 s
    assert found("status=pending") == [b["sid"]]
    assert found("createdAfter=2026-01-01T12:00:10Z") == [c["sid"], b["sid"]]
    assert found("createdBefore=2026-01-01T12:00:10.000Z") == [b["sid"], a["sid"]]  # inclusive
    assert found("createdAfter=2026-01-01T13:00:05%2B01:00&createdBefore=2026-01-01T12:00:10Z") == [
        b["sid"]
    ]
    assert found("direction=outbound&text=code") == [a["sid"]]
    assert found("order=asc") == [a["sid"], b["sid"], c["sid"]]
    assert found("sort=updated&order=asc") == [a["sid"], b["sid"], c["sid"]]
    assert found("sort=status&order=asc") == [b["sid"], a["sid"], c["sid"]]  # lifecycle order
    bad = api.get("/sms?createdAfter=2026-01-02T00:00:00Z&createdBefore=2026-01-01T00:00:00Z")
    assert bad.status_code == 400
    assert api.get("/sms?status=lost").status_code == 400
    assert api.get("/sms?createdAfter=2026-01-01T23:59:60Z").status_code == 400


def test_pagination_is_stable_and_asc_pages_never_move(api: Any) -> None:
    first = [sent(api, text=f"m{i}")["sid"] for i in range(25)]  # all at the same instant
    page1 = api.get("/sms?order=asc&limit=10").get_json()
    assert page1 == api.get("/sms?order=asc&limit=10").get_json()  # same query, same page
    assert (page1["total"], page1["hasMore"], sids(page1)) == (25, True, first[:10])
    page3 = api.get("/sms?order=asc&limit=10&offset=20").get_json()
    assert (page3["hasMore"], sids(page3)) == (False, first[20:])

    newer = [sent(api, text=f"n{i}")["sid"] for i in range(3)]
    assert sids(api.get("/sms?order=asc&limit=10").get_json()) == first[:10]
    assert sids(api.get("/sms?order=asc&limit=10&offset=20").get_json()) == first[20:] + newer

    desc = api.get("/sms?limit=5").get_json()
    assert sids(desc) == list(reversed(newer)) + list(reversed(first))[:2]  # new ones first
    assert desc == api.get("/sms?limit=5").get_json()
    walked = []
    for offset in range(0, 28, 7):
        walked += sids(api.get(f"/sms?limit=7&offset={offset}").get_json())
    assert walked == list(reversed(first + newer))  # no duplicate, no gap


def test_search_sorts_by_status_with_the_creation_tie_breaker(api: Any) -> None:
    older = sent(api)["sid"]
    api.advance(1)
    newer = sent(api)["sid"]  # created, while older is pending
    assert sids(api.get("/sms?sort=status&order=asc").get_json()) == [newer, older]
    api.advance(1)  # older is now sent, newer pending
    assert sids(api.get("/sms?sort=status&order=desc").get_json()) == [older, newer]


def test_snapshot_seeds_another_account_unchanged(api: Any, client: Any, other_api: Any) -> None:
    sent(api, text="«Salut»")
    sent(api, to=MAGIC_INSTANT)
    api.advance(2)
    inbound(client, "hello")
    mine = client.get(f"/_mock/state?account={SANDBOX}").get_json()["accounts"][0]["sms"]
    assert len(mine) == 3
    other_sid = client.get("/_mock/accounts").get_json()[-1]["sid"]
    response = client.post(
        "/_mock/seed", json={"data": {"accounts": [{"sms": mine}]}, "account": other_sid}
    )
    assert response.status_code == 200, response.get_json()
    assert other_api.get("/sms?order=asc").get_json()["hits"] == mine
    api.advance(60)  # seeded messages have no lifecycle of their own
    assert other_api.get(f"/sms/{mine[0]['sid']}").get_json()["status"] == "sent"
