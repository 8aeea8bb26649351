"""Callr Actions scenarios over HTTP (create, search, get, edit, delete, run) and their rules."""

from __future__ import annotations

from typing import Any

import pytest
from callr_mock.base.errors import InvalidInput
from callr_mock.state.scenarios import check_name, parse_script

SCRIPT = """defaults:
  language: en-US

branches:
  inbound-call:
    actions:
      - action: log@v1
        params:
          message: Hello inbound call

  api-initiated:
    actions:
      - action: log@v1
        params:
          message: Hello from API
"""
NO_RUN_BRANCH = "branches:\n  inbound-call:\n    actions: []\n"


def create(
    api: Any, name: str = "Call Forwarding", script: str = SCRIPT, **extra: Any
) -> dict[str, Any]:
    response = api.post("/actions", json={"name": name, "script": script, **extra})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


# -- create / get / edit / delete ----------------------------------------------------------
def test_create_and_get(api: Any) -> None:
    body = create(api)
    assert body == {
        "sid": body["sid"],
        "name": "Call Forwarding",
        "script": SCRIPT,
        "format": "yaml",
        "numbers": [],
        "version": "1.0",
        "created": "2026-01-01T12:00:00.000Z",
        "updated": "2026-01-01T12:00:00.000Z",
    }
    assert api.get(f"/actions/{body['sid']}").get_json() == body
    assert create(api, name="Two", format="yaml")["format"] == "yaml"


@pytest.mark.parametrize("name", ["Renvoi d'appel", "日本語", "x", "Ω-42", "a" * 64])
def test_names_with_a_letter_are_accepted(api: Any, name: str) -> None:
    assert create(api, name=name)["name"] == name


@pytest.mark.parametrize("name", ["1234", "!!", " ", "42 - 7", "🙂"])
def test_names_without_a_letter_are_refused(api: Any, name: str) -> None:
    response = api.post("/actions", json={"name": name, "script": SCRIPT})
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid-name"
    assert "at least one letter" in response.get_json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "script": SCRIPT},
        {"name": "a" * 65, "script": SCRIPT},
        {"name": "A", "script": ""},
        {"name": "A", "script": "x" * 32769},
        {"name": "A", "script": SCRIPT, "format": "json"},
        {"name": "A"},
        {"script": SCRIPT},
        {"name": "A", "script": SCRIPT, "owner": "me"},
    ],
)
def test_create_schema_errors(api: Any, body: dict[str, Any]) -> None:
    assert api.post("/actions", json=body).status_code == 400


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("branches:\n  a: [1, 2\n", "line 3, column 1"),
        ("branches:\n\t- tab\n", "line 2, column 1"),
        ("key: value\n  bad: indent\n", "line 2, column 6"),
        ("- just\n- a list\n", "it is a list"),
        ("just text", "it is a str"),
        ("# only a comment\n", "it is empty"),
        ("defaults: {}\n", "'branches' mapping"),
        ("branches: [a, b]\n", "'branches' mapping"),
    ],
)
def test_invalid_scripts(api: Any, script: str, expected: str) -> None:
    response = api.post("/actions", json={"name": "Broken", "script": script})
    assert response.status_code == 400
    error = response.get_json()
    assert error["code"] == "invalid-script"
    assert expected in error["message"], error["message"]
    assert api.get("/actions").get_json()["total"] == 0


def test_update_changes_only_what_is_sent(api: Any) -> None:
    sid = create(api)["sid"]
    api.advance(10)
    response = api.patch(f"/actions/{sid}", json={"name": "Night forwarding"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Night forwarding" and body["script"] == SCRIPT
    assert body["created"] == "2026-01-01T12:00:00.000Z"
    assert body["updated"] == "2026-01-01T12:00:10.000Z"
    other = api.patch(f"/actions/{sid}", json={"script": NO_RUN_BRANCH}).get_json()
    assert other["script"] == NO_RUN_BRANCH and other["name"] == "Night forwarding"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "123"}, "invalid-name"),
        ({"script": "branches: ["}, "invalid-script"),
        ({"name": "Fine", "script": "no-branches: 1"}, "invalid-script"),
        ({}, "invalid-body"),
        ({"format": "xml"}, "invalid-body"),
    ],
)
def test_update_errors_change_nothing(api: Any, body: dict[str, Any], code: str) -> None:
    before = create(api)
    response = api.patch(f"/actions/{before['sid']}", json=body)
    assert response.status_code == 400
    assert response.get_json()["code"] == code
    assert api.get(f"/actions/{before['sid']}").get_json() == before


def test_unknown_scenario(api: Any, other_api: Any) -> None:
    theirs = create(other_api)["sid"]
    for sid in ("zzzzzzzz", theirs):
        assert api.get(f"/actions/{sid}").status_code == 404
        assert api.patch(f"/actions/{sid}", json={"name": "X"}).status_code == 404
        assert api.delete(f"/actions/{sid}").status_code == 404
        assert api.post(f"/actions/{sid}/runs").status_code == 404
    assert api.get("/actions/TOOLONGSID").status_code == 400


def test_delete(api: Any) -> None:
    sid = create(api)["sid"]
    assert api.delete(f"/actions/{sid}").status_code == 204
    assert api.get(f"/actions/{sid}").status_code == 404
    assert api.delete(f"/actions/{sid}").status_code == 404
    assert api.get("/actions").get_json()["total"] == 0


# -- search ------------------------------------------------------------------------------
def test_search_name_sort_order_and_pages(api: Any) -> None:
    for name in ("Call Forwarding", "voicemail", "Night FORWARDING", "Alerts"):
        create(api, name=name)
        api.advance(1)
    api.patch(
        f"/actions/{api.get('/actions?name=voicemail').get_json()['hits'][0]['sid']}",
        json={"name": "Voicemail"},
    )

    def names(query: str) -> list[str]:
        return [s["name"] for s in api.get(f"/actions?{query}").get_json()["hits"]]

    assert names("") == [
        "Voicemail",
        "Alerts",
        "Night FORWARDING",
        "Call Forwarding",
    ]  # updated desc
    assert names("name=forward") == ["Night FORWARDING", "Call Forwarding"]
    assert names("name=FORWARD&sort=name&order=asc") == ["Call Forwarding", "Night FORWARDING"]
    assert names("sort=name&order=asc") == [
        "Alerts",
        "Call Forwarding",
        "Night FORWARDING",
        "Voicemail",
    ]
    assert names("sort=created&order=asc") == [
        "Call Forwarding",
        "Voicemail",
        "Night FORWARDING",
        "Alerts",
    ]
    assert names("name=nothing") == []
    page = api.get("/actions?sort=name&order=asc&limit=3&offset=1").get_json()
    assert [s["name"] for s in page["hits"]] == ["Call Forwarding", "Night FORWARDING", "Voicemail"]
    assert page["total"] == 4 and page["hasMore"] is False
    assert api.get("/actions?sort=size").status_code == 400
    assert api.get("/actions?limit=101").status_code == 400


# -- runs ----------------------------------------------------------------------------------
def test_run_starts_a_task_that_completes_on_the_clock(api: Any) -> None:
    sid = create(api)["sid"]
    response = api.post(
        f"/actions/{sid}/runs", json={"variables": {"$target": "+33639980000", "$userID": 42}}
    )
    assert response.status_code == 202
    task = response.get_json()
    assert task["type"] == "scenario-run" and task["status"] == "pending"
    assert task["result"] == {
        "scenario": sid,
        "variables": {"$target": "+33639980000", "$userID": 42},
    }
    api.advance(1)
    assert api.get(f"/tasks/{task['sid']}").get_json()["status"] == "running"
    api.advance(5)
    done = api.get(f"/tasks/{task['sid']}").get_json()
    assert done["status"] == "done" and done["progress"] == 100


def test_run_without_a_body(api: Any) -> None:
    sid = create(api)["sid"]
    response = api.post(f"/actions/{sid}/runs")
    assert response.status_code == 202
    assert response.get_json()["result"] == {"scenario": sid, "variables": {}}


def test_run_needs_an_api_initiated_branch(api: Any) -> None:
    sid = create(api, script=NO_RUN_BRANCH)["sid"]
    response = api.post(f"/actions/{sid}/runs", json={"variables": {}})
    assert response.status_code == 400
    error = response.get_json()
    assert error["code"] == "no-api-initiated-branch" and "inbound-call" in error["message"]
    assert api.get("/tasks").get_json()["total"] == 0


def test_magic_number_makes_the_run_fail(api: Any) -> None:
    sid = create(api)["sid"]
    task = api.post(
        f"/actions/{sid}/runs", json={"variables": {"$target": "+33199000009"}}
    ).get_json()
    assert task["status"] == "pending"
    api.advance(5)
    failed = api.get(f"/tasks/{task['sid']}").get_json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "scenario-run-failed"
    assert "$target" in failed["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"variables": {"bad name": 1}},
        {"variables": {"$x": [1]}},
        {"vars": {}},
        {"variables": {"$x": None}},
    ],
)
def test_run_body_errors(api: Any, body: dict[str, Any]) -> None:
    sid = create(api)["sid"]
    assert api.post(f"/actions/{sid}/runs", json=body).status_code == 400


# -- rules without HTTP --------------------------------------------------------------------
def test_parse_script_reports_line_and_column() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_script("branches:\n  inbound-call:\n    actions: [\n")
    assert caught.value.code == "invalid-script"
    assert "line 4, column 1" in caught.value.message
    assert parse_script(SCRIPT)["branches"]["api-initiated"]["actions"][0]["action"] == "log@v1"
    with pytest.raises(InvalidInput):
        parse_script("branches: {a: 1}\nwhen: 2024-13-45\n")  # not a date: a YAML error too


def test_check_name_uses_unicode_letters() -> None:
    assert check_name("é") == "é"
    for bad in ("0", "_-_", "\u00b2"):
        with pytest.raises(InvalidInput):
            check_name(bad)
