"""The control API is checked against spec/control.yaml both ways: bad input is a 400 in the
Callr error form (never a 500), and an answer that breaks the control spec is a violation."""

from __future__ import annotations

from typing import Any

import pytest
from callr_mock import runtime_of
from flask import Response

from tests.conftest import DEMO_ACCOUNT_SID

ACCOUNT = DEMO_ACCOUNT_SID


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "message"} and body["message"]
    return dict(body)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/clock/freeze", {"at": "nope"}),
        ("/clock/freeze", {"at": 5}),
        ("/clock/advance", {"seconds": "soon"}),
        ("/clock/advance", {"seconds": 1e300}),
        (f"/accounts/{ACCOUNT}/credit", {"amount": "abc"}),
        (f"/accounts/{ACCOUNT}/credit", {"amount": "NaN"}),
        (f"/accounts/{ACCOUNT}/credit", {"amount": "1e999"}),
        (f"/accounts/{ACCOUNT}/credit", {"balance": None}),
        (f"/accounts/{ACCOUNT}/credit", {"amount": "1", "balance": "2"}),
        (f"/accounts/{ACCOUNT}/credit", {}),
        ("/accounts", {"credit": "lots"}),
        ("/accounts", {"sid": 5}),
        ("/accounts", {"sid": "Not A Sid"}),
        ("/accounts", {"parent": ["x"]}),
        ("/accounts", {"key": ""}),
        ("/accounts", {"secret": "x"}),
        ("/seed", {"name": 5}),
        ("/seed", {"data": {"accounts": "x"}}),
        ("/seed", {"data": {"accounts": [{"credit": "lots"}]}}),
        ("/seed", {"data": "demo"}),
        ("/seed", {}),
        ("/deliveries/flush", {"timeout": -1}),
        (f"/accounts/{ACCOUNT}/calls", {"direction": "inbound", "callee": 5}),
        (f"/accounts/{ACCOUNT}/recordings", {"duration": "long"}),
        (f"/accounts/{ACCOUNT}/audio-files/callrsid/record", {"code": 123456}),
    ],
)
def test_bad_control_input_is_a_400_and_changes_nothing(
    client: Any, path: str, body: dict[str, Any]
) -> None:
    before = client.get("/_mock/state").get_json()
    accounts = client.get("/_mock/accounts").get_json()
    assert refused(client.post("/_mock" + path, json=body))["code"] in {
        "invalid-body",
        "missing-body",
        "invalid-seed",
    }
    assert client.get("/_mock/state").get_json() == before
    assert client.get("/_mock/accounts").get_json() == accounts


def test_bad_control_json_and_parameters_are_400s(client: Any) -> None:
    assert refused(client.post("/_mock/clock/advance", data="{", content_type="application/json"))[
        "code"
    ] == ("malformed-json")
    assert refused(client.get("/_mock/journal?since=soon"))["code"] == "invalid-parameter"
    assert refused(client.get("/_mock/journal?sinse=3"))["code"] == "unknown-parameter"
    assert refused(client.get("/_mock/deliveries?state=lost"))["code"] == "invalid-parameter"


def test_the_messages_name_the_field_and_the_rule(client: Any) -> None:
    message = refused(client.post("/_mock/clock/freeze", json={"at": "nope"}))["message"]
    assert "'at'" in message and "RFC 3339" in message
    message = refused(client.post("/_mock/accounts", json={"sid": 5}))["message"]
    assert "'sid'" in message and "string" in message


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_a_control_body_must_be_json(client: Any, content_type: str) -> None:
    """A web page can POST forms and text/plain to any origin without asking: the control API
    takes JSON only (issue 26), so such a body changes nothing."""
    before = client.get("/_mock/clock").get_json()
    response = client.post("/_mock/clock/advance", data='{"seconds": 5}', content_type=content_type)
    assert response.status_code == 415
    body = response.get_json()
    assert body["code"] == "unsupported-media-type" and "application/json" in body["message"]
    assert client.get("/_mock/clock").get_json() == before


def test_good_control_input_still_works(client: Any) -> None:
    assert (
        client.post("/_mock/clock/freeze", json={"at": "2026-03-01T10:00:00Z"}).status_code == 200
    )
    assert client.post(f"/_mock/accounts/{ACCOUNT}/credit", json={"amount": "5"}).status_code == 200
    assert client.post(f"/_mock/accounts/{ACCOUNT}/credit", json={"balance": 750}).get_json()[
        "balance"
    ] == ("750.00")
    created = client.post("/_mock/accounts", json={"sid": "newacct1", "credit": "3.25"})
    assert created.status_code == 201
    assert (
        client.post("/_mock/seed", json={"name": "demo", "account": "newacct1"}).status_code == 200
    )
    assert client.get("/_mock/journal?since=0&account=newacct1").status_code == 200
    assert client.get("/_mock/violations").get_json() == []


def test_an_answer_that_breaks_the_control_spec_is_a_violation(app: Any) -> None:
    client = app.test_client()
    runtime_of(app).control_routes["getClock"] = lambda call: Response(
        '{"mode": "stopped"}', 200, mimetype="application/json"
    )
    response = client.get("/_mock/clock")
    assert response.status_code == 500
    assert response.get_json()["code"] == "contract-violation"
    (violation,) = client.get("/_mock/violations").get_json()
    assert violation["operation"] == "control:getClock" and "getClock" in violation["message"]


def test_unknown_accounts_are_still_404s(client: Any) -> None:
    for method, path, body in [
        ("POST", "/accounts/nobody00/credit", {"amount": "1"}),
        ("DELETE", "/accounts/nobody00", None),
        ("GET", "/state?account=nobody00", None),
        ("GET", "/events?account=nobody00", None),
        ("POST", "/seed", {"name": "demo", "account": "nobody00"}),
    ]:
        response = client.open("/_mock" + path, method=method, json=body)
        assert response.status_code == 404, (path, response.get_data(as_text=True))
    assert client.get("/_mock/violations").get_json() == []
