"""Authentication (three forms) and account isolation, over the real spec."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import basic


def test_api_key_header(api: Any) -> None:
    response = api.get("/ping")
    assert response.status_code == 200
    assert response.get_json()["pong"] == "pong"


def test_basic_account_sid_and_key(client: Any) -> None:
    response = client.get("/v2.0/ping", headers=basic("sandbox1", "callr-mock-demo-key"))
    assert response.status_code == 200


def test_basic_sub_account_with_master_key_acts_as_the_sub_account(
    client: Any, runtime: Any
) -> None:
    sub = runtime.store.create_account("subacct1", parent="sandbox1")
    with runtime.store.lock:
        task = sub.tasks.start("calls-export")
    as_sub = client.get(f"/v2.0/tasks/{task.sid}", headers=basic("subacct1", "callr-mock-demo-key"))
    assert as_sub.status_code == 200
    assert as_sub.get_json()["sid"] == task.sid
    as_master = client.get(f"/v2.0/tasks/{task.sid}", headers={"x-api-key": "callr-mock-demo-key"})
    assert as_master.status_code == 404


def test_sub_account_refuses_a_key_that_is_not_its_masters(client: Any, runtime: Any) -> None:
    runtime.store.create_account("subacct2", parent="sandbox1")
    stranger = runtime.store.create_account("stranger", "stranger-key")
    assert stranger.sid == "stranger"
    response = client.get("/v2.0/ping", headers=basic("subacct2", "stranger-key"))
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing-credentials"),
        ({"x-api-key": "wrong"}, "invalid-credentials"),
        ({"x-api-key": ""}, "invalid-credentials"),
        ({"Authorization": "Basic !!notbase64!!"}, "invalid-credentials"),
        (
            {"Authorization": "Basic c2FuZGJveDE="},
            "invalid-credentials",
        ),  # "sandbox1" without ':KEY'
        (basic("sandbox1", "wrong-key"), "invalid-credentials"),
        (basic("nosuchac", "callr-mock-demo-key"), "invalid-credentials"),
        ({"Authorization": "Bearer callr-mock-demo-key"}, "invalid-credentials"),
    ],
    ids=[
        "none",
        "wrong-key",
        "empty-key",
        "bad-base64",
        "no-colon",
        "basic-wrong-key",
        "basic-unknown-sid",
        "bearer",
    ],
)
def test_bad_credentials_get_401_with_a_callr_error(
    client: Any, headers: dict[str, str], code: str
) -> None:
    response = client.get("/v2.0/ping", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"code": code, "message": response.get_json()["message"]}
    assert response.get_json()["message"]


def test_auth_comes_before_validation(client: Any) -> None:
    response = client.get("/v2.0/tasks?limit=1000")
    assert response.status_code == 401


def test_accounts_are_isolated(api: Any, other_api: Any, runtime: Any) -> None:
    with runtime.store.lock:
        task = runtime.store.account("sandbox1").tasks.start("calls-export")
    assert api.get(f"/tasks/{task.sid}").status_code == 200
    hidden = other_api.get(f"/tasks/{task.sid}")
    assert hidden.status_code == 404
    assert hidden.get_json()["code"] == "not-found"
    assert other_api.get("/tasks").get_json()["total"] == 0
    assert other_api.delete(f"/tasks/{task.sid}").status_code == 404
    assert api.get(f"/tasks/{task.sid}").get_json()["status"] == "pending"


@pytest.mark.parametrize(
    "basic_header",
    [
        basic("stranger", "stranger-key"),  # another account
        basic("sandbox1", "wrong-key"),  # the same sid with a wrong key
        basic("subacct3", "callr-mock-demo-key"),  # the master key acting as a sub-account
        {"Authorization": "Bearer callr-mock-demo-key"},  # not even Basic
    ],
    ids=["other-account", "wrong-basic-key", "sub-account", "other-scheme"],
)
def test_an_api_key_and_a_basic_header_that_disagree_are_refused(
    client: Any, runtime: Any, basic_header: dict[str, str]
) -> None:
    runtime.store.create_account("stranger", "stranger-key")
    runtime.store.create_account("subacct3", parent="sandbox1")
    response = client.get(
        "/v2.0/ping", headers={"x-api-key": "callr-mock-demo-key", **basic_header}
    )
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == "conflicting-credentials"
    assert "x-api-key" in body["message"] and "Basic" in body["message"]


def test_a_wrong_api_key_with_a_good_basic_header_is_refused_too(client: Any) -> None:
    response = client.get(
        "/v2.0/ping",
        headers={"x-api-key": "wrong", **basic("sandbox1", "callr-mock-demo-key")},
    )
    assert response.status_code == 401
    assert response.get_json()["code"] == "conflicting-credentials"


def test_an_api_key_and_a_basic_header_for_the_same_account_are_served(client: Any) -> None:
    response = client.get(
        "/v2.0/ping",
        headers={"x-api-key": "callr-mock-demo-key", **basic("sandbox1", "callr-mock-demo-key")},
    )
    assert response.status_code == 200
