"""Call records from the control API (v2.call.* events) and POST /calls/export: the task,
its range and direction filters, the CSV and JSON files, and the magic failure."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from callr_mock.state.calls import FIELDS

SANDBOX = "sandbox1"
T0 = "2026-01-01T12:00:00.000Z"


def add_call(client: Any, account: str = SANDBOX, **fields: Any) -> dict[str, Any]:
    data = {
        "direction": "inbound",
        "callerNumber": "+33639980042",
        "callee": "+33199001234",
        **fields,
    }
    response = client.post(f"/_mock/accounts/{account}/calls", json=data)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def call_events(client: Any) -> list[tuple[str, str, str]]:
    found = client.get(f"/_mock/events?account={SANDBOX}").get_json()
    return [
        (e["type"], e["at"], e["payload"]["status"])
        for e in found
        if e["type"].startswith("v2.call.")
    ]


def finished_export(api: Any, query: str = "") -> dict[str, Any]:
    response = api.post(f"/calls/export{query}")
    assert response.status_code == 202, response.get_json()
    sid = response.get_json()["sid"]
    api.advance(3)
    task: dict[str, Any] = api.get(f"/tasks/{sid}").get_json()
    return task


def download(client: Any, task: dict[str, Any]) -> Any:
    url = task["result"]["url"]
    assert url.startswith("http://localhost/_mock/exports/")
    return client.get(url.removeprefix("http://localhost"))


# ------------------------------------------------------------------ call records


def test_a_past_call_fires_started_and_ended_at_their_times(client: Any) -> None:
    record = add_call(
        client,
        started="2026-01-01T11:00:00Z",
        durationTotal=30,
        durationAnswered=25,
        callerName="Alice",
    )
    assert record["status"] == "answered"
    assert record["answered"] == "2026-01-01T11:00:05.000Z"
    assert record["ended"] == "2026-01-01T11:00:30.000Z"
    assert (record["durationTotal"], record["durationAnswered"], record["durationBilled"]) == (
        30,
        25,
        60,
    )
    assert (record["hangupCause"], record["hangupSource"]) == (16, "callee")
    assert record["billingDestinationLabel"] == "France - Geographic"
    assert call_events(client) == [
        ("v2.call.inbound.started", "2026-01-01T11:00:00.000Z", "in-progress"),
        ("v2.call.inbound.ended", "2026-01-01T11:00:30.000Z", "answered"),
    ]


def test_a_call_in_progress_ends_with_the_clock(api: Any, client: Any) -> None:
    record = add_call(
        client,
        direction="outbound",
        callerNumber="+33199001234",
        callee="+33612345678",
        durationTotal=20,
    )
    assert record["status"] == "in-progress"
    assert record["ended"] is None and record["hangupSource"] is None
    assert call_events(client) == [("v2.call.outbound.started", T0, "in-progress")]
    api.advance(19)
    assert len(call_events(client)) == 1
    api.advance(1)
    assert call_events(client)[-1] == (
        "v2.call.outbound.ended",
        "2026-01-01T12:00:20.000Z",
        "missed",
    )
    ended = client.get(f"/_mock/events?account={SANDBOX}&type=v2.call.outbound.ended").get_json()[
        0
    ]["payload"]
    assert (ended["durationTotal"], ended["durationAnswered"], ended["answered"]) == (20, 0, None)
    assert (ended["hangupCause"], ended["hangupSource"], ended["billingDestinationLabel"]) == (
        19,
        "system",
        "France - Mobile",
    )


def test_a_future_call_starts_later(api: Any, client: Any) -> None:
    add_call(client, started="2026-01-01T12:01:00Z", durationTotal=10, durationAnswered=10)
    assert call_events(client) == []
    api.advance(60)
    assert call_events(client) == [
        ("v2.call.inbound.started", "2026-01-01T12:01:00.000Z", "in-progress")
    ]
    api.advance(10)
    assert call_events(client)[-1] == (
        "v2.call.inbound.ended",
        "2026-01-01T12:01:10.000Z",
        "answered",
    )


def test_control_call_input_is_checked(client: Any) -> None:
    url = f"/_mock/accounts/{SANDBOX}/calls"
    bad = [
        {"direction": "sideways", "callerNumber": "+33639980042", "callee": "+33199001234"},
        {"direction": "inbound", "callerNumber": "+33639980042"},
        {"direction": "inbound", "callerNumber": "+1", "callee": "+2", "durationTotal": -1},
        {
            "direction": "inbound",
            "callerNumber": "+1",
            "callee": "+2",
            "durationTotal": 5,
            "durationAnswered": 6,
        },
        {"direction": "inbound", "callerNumber": "+1", "callee": "+2", "started": "yesterday"},
        {"direction": "inbound", "callerNumber": "+1", "callee": "+2", "status": "lost"},
    ]
    for data in bad:
        response = client.post(url, json=data)
        assert response.status_code == 400, data
        assert response.get_json()["message"]
    good = {"direction": "inbound", "callerNumber": "+33639980042", "callee": "+33199001234"}
    assert client.post("/_mock/accounts/nobody00/calls", json=good).status_code == 404
    restricted = client.post(
        url, json={"direction": "inbound", "callerRestricted": True, "callee": "+33199001234"}
    ).get_json()
    assert (restricted["callerNumber"], restricted["callerRestricted"]) == ("", True)


def test_destination_label_and_id_are_in_callrs_form(client: Any) -> None:
    """Callr's v2.call.inbound.ended sample: "France - Geographic" and an integer ID."""
    found = {
        callee: (record["billingDestinationLabel"], record["billingDestinationID"])
        for callee in ("+33199001234", "+33612345678", "+33800123456", "+442079460000")
        for record in [add_call(client, callee=callee)]
    }
    assert found == {
        "+33199001234": ("France - Geographic", 331),
        "+33612345678": ("France - Mobile", 332),
        "+33800123456": ("France - Toll-free", 333),
        "+442079460000": ("United Kingdom - Geographic", 441),
    }


def test_hangup_tech_is_the_sip_status_of_the_cause(client: Any) -> None:
    past = "2025-12-31T12:00:00Z"
    answered = add_call(client, started=past, durationTotal=5, durationAnswered=4)
    missed = add_call(client, started=past, durationTotal=30)
    given = add_call(
        client, started=past, durationAnswered=4, durationTotal=5, hangupTech="sip:486"
    )
    assert (answered["hangupCause"], answered["hangupTech"]) == (16, "sip:200")
    assert (missed["hangupCause"], missed["hangupTech"]) == (19, "sip:480")
    assert given["hangupTech"] == "sip:486"
    refused = client.post(
        f"/_mock/accounts/{SANDBOX}/calls",
        json={"direction": "inbound", "callerNumber": "+33639980042", "callee": "+33199001234",
              "hangupTech": "NORMAL_CLEARING"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "sip:<status>" in refused.get_json()["message"]


def test_a_call_to_a_number_with_a_scenario_names_it(api: Any, client: Any) -> None:
    reservation = api.post("/numbers/store", json={"country": "FR", "quantity": 1}).get_json()
    [number] = api.post(f"/numbers/store/{reservation['token']}").get_json()["numbers"]
    script = "branches:\n  inbound-call:\n    actions: []\n"
    scenario = api.post("/actions", json={"name": "My Call Flow", "script": script}).get_json()
    assigned = api.put(f"/numbers/{number['e164']}/scenario/{scenario['sid']}")
    assert assigned.status_code == 200, assigned.get_json()
    record = add_call(client, callee=number["e164"])
    assert (record["scenarioSid"], record["scenarioName"]) == (scenario["sid"], "My Call Flow")
    assert (record["scenarioTypeName"], record["scenarioTypeVersion"]) == ("Actions", "1.0")
    other = add_call(client, callee="+33199009999")
    assert [other[k] for k in ("scenarioSid", "scenarioName", "scenarioTypeName")] == [None] * 3


# ------------------------------------------------------------------ export


def seed_calls(client: Any) -> list[dict[str, Any]]:
    return [
        add_call(client, started="2025-12-31T23:59:59Z", durationTotal=5),
        add_call(
            client,
            started="2026-01-01T08:00:00Z",
            durationTotal=65,
            durationAnswered=61,
            callerName='Bob "B", Jr',
        ),
        add_call(
            client,
            direction="outbound",
            callerNumber="+33199001234",
            callee="+33612345678",
            started="2026-01-01T09:00:00Z",
            durationTotal=12,
            durationAnswered=10,
            billingDebit="12.34",
        ),
    ]


def test_csv_export_of_every_finished_call(api: Any, client: Any) -> None:
    calls = seed_calls(client)
    add_call(client, durationTotal=600)  # still in progress: not exported
    task = finished_export(api)
    assert (task["status"], task["progress"], task["error"]) == ("done", 100, None)
    assert task["result"] == {
        "url": f"http://localhost/_mock/exports/{task['sid']}",
        "format": "csv",
        "records": 3,
    }
    response = download(client, task)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"calls-{task['sid']}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(FIELDS)
    assert len(rows) == 4
    by_field = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["callid"] for r in by_field] == [str(c["callid"]) for c in calls]  # oldest first
    bob = by_field[1]
    assert bob["callerName"] == 'Bob "B", Jr'
    assert (bob["durationTotal"], bob["durationAnswered"], bob["durationBilled"]) == (
        "65",
        "61",
        "120",
    )
    assert bob["callerRestricted"] == "false"
    assert by_field[0]["answered"] == ""  # null → empty cell
    assert by_field[0]["status"] == "missed"
    assert by_field[2]["billingDebit"] == "12.34"
    assert by_field[2]["direction"] == "outbound"


def test_json_export_holds_the_call_records(api: Any, client: Any) -> None:
    calls = seed_calls(client)
    task = finished_export(api, "?format=json")
    assert task["result"]["format"] == "json"
    response = download(client, task)
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data(as_text=True)) == calls


def test_export_filters_by_direction_and_range(api: Any, client: Any) -> None:
    calls = seed_calls(client)

    def exported(query: str) -> list[int]:
        task = finished_export(api, query + ("&" if "?" in query else "?") + "format=json")
        records = json.loads(download(client, task).get_data(as_text=True))
        assert task["result"]["records"] == len(records)
        return [r["callid"] for r in records]

    ids = [c["callid"] for c in calls]
    assert exported("?direction=inbound") == ids[:2]
    assert exported("?direction=outbound") == ids[2:]
    assert exported("?from=2026-01-01T00:00:00Z") == ids[1:]
    assert exported("?to=2026-01-01T09:00:00Z") == ids[:2]  # `to` is exclusive
    assert exported("?from=2026-01-01T09:00:00%2B01:00&to=2026-01-01T09:00:00.001Z") == ids[1:]
    assert exported("?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z") == []


def test_the_file_is_rendered_when_the_task_completes(api: Any, client: Any) -> None:
    response = api.post("/calls/export?format=json")
    sid = response.get_json()["sid"]
    assert client.get(f"/_mock/exports/{sid}").status_code == 404  # not finished yet
    add_call(client, started="2026-01-01T11:00:00Z", durationTotal=5)  # added while pending
    api.advance(3)
    task = api.get(f"/tasks/{sid}").get_json()
    assert task["result"]["records"] == 1


def test_from_after_to_is_400(api: Any) -> None:
    response = api.post("/calls/export?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
    assert response.status_code == 400
    assert "from" in response.get_json()["message"]
    assert api.get("/tasks").get_json()["total"] == 0
    assert api.post("/calls/export?format=xml").status_code == 400
    assert api.post("/calls/export?direction=both").status_code == 400
    assert api.post("/calls/export?to=2026-06-30T23:59:60Z").status_code == 400


def test_magic_number_in_the_range_makes_the_export_fail(api: Any, client: Any) -> None:
    add_call(client, started="2026-01-01T08:00:00Z", callerNumber="+33199000009", durationTotal=5)
    failed = finished_export(api)
    assert failed["status"] == "failed"
    assert failed["result"] is None
    assert failed["error"]["code"] == "export-failed"
    assert "+33199000009" in failed["error"]["message"]
    assert client.get(f"/_mock/exports/{failed['sid']}").status_code == 404
    outside = finished_export(api, "?from=2026-01-01T09:00:00Z")  # the magic call is out of range
    assert outside["status"] == "done"


def test_exports_are_per_account_and_unknown_exports_404(
    api: Any, other_api: Any, client: Any
) -> None:
    seed_calls(client)
    other = other_api.post("/calls/export?format=json").get_json()
    api.advance(3)
    task = other_api.get(f"/tasks/{other['sid']}").get_json()
    assert task["result"]["records"] == 0
    assert json.loads(download(client, task).get_data(as_text=True)) == []
    missing = client.get("/_mock/exports/zzzzzzzz")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "not-found"


def test_state_snapshot_lists_the_records(client: Any) -> None:
    calls = seed_calls(client)
    state = client.get(f"/_mock/state?account={SANDBOX}").get_json()
    assert state["accounts"][0]["calls"] == calls


def test_seeded_records_are_exported(api: Any, client: Any, other_api: Any) -> None:
    calls = seed_calls(client)
    other_sid = client.get("/_mock/accounts").get_json()[-1]["sid"]
    response = client.post(
        "/_mock/seed", json={"data": {"accounts": [{"calls": calls}]}, "account": other_sid}
    )
    assert response.status_code == 200, response.get_json()
    task = other_api.post("/calls/export?format=json").get_json()
    api.advance(3)
    task = other_api.get(f"/tasks/{task['sid']}").get_json()
    assert json.loads(download(client, task).get_data(as_text=True)) == calls


def test_a_billed_call_is_charged_when_it_ends(api: Any, client: Any) -> None:
    """webhooks-v2-samples.md: 60 billed seconds to France - Geographic bill "5.50" cents."""

    def balance() -> str:
        value: str = api.get("/billing/credit").get_json()["balance"]
        return value

    before = balance()
    record = add_call(client, started="2025-12-31T12:00:00Z", durationTotal=12, durationAnswered=11)
    assert (record["durationBilled"], record["billingDebit"]) == (60, "5.50")
    assert balance() == f"{float(before) - 5.50:.2f}"
    mobile = add_call(
        client, callee="+33612345678", started="2025-12-31T12:00:00Z", durationTotal=70,
        durationAnswered=61,
    )  # fmt: skip
    assert (mobile["durationBilled"], mobile["billingDebit"]) == (120, "24.00")
    later = add_call(client, durationTotal=30, durationAnswered=30)  # ends in 30 s
    assert balance() == f"{float(before) - 29.50:.2f}"
    assert later["billingDebit"] == "0.00"  # in progress: no debit yet
    api.advance(30)
    assert balance() == f"{float(before) - 35.00:.2f}"
    given = add_call(client, started="2025-12-31T12:00:00Z", durationTotal=5, billingDebit="1.25")
    assert given["billingDebit"] == "1.25"
    assert balance() == f"{float(before) - 36.25:.2f}"
