"""Legacy ``apps.*``, ``actions.start`` and ``jobs.*``: ACTIONS10 apps are REST scenarios,
other packages are invisible to REST, jobs are tasks."""

from __future__ import annotations

from typing import Any

import pytest
from callr_mock.handlers.legacy.mapping import number_hash
from callr_mock.plugin.parity import LegacyClient, assert_parity, diff_parity
from legacy_support import ACTIONS, NOW, NOW_REST, SCRIPT, buy_number, legacy_client, ok, rpc_error


@pytest.fixture
def rpc(client: Any) -> LegacyClient:
    return legacy_client(client)


def events(client: Any, kind: str) -> list[dict[str, Any]]:
    return [e["payload"] for e in client.get(f"/_mock/events?type={kind}").get_json()]


# -- ACTIONS10 apps are scenarios ------------------------------------------------------------------
def test_create_actions_app_then_read_it_through_rest(rpc: LegacyClient, api: Any) -> None:
    app = rpc.call("apps.create", "ACTIONS10", "Call Forwarding", ACTIONS)
    assert app == {
        "hash": app["hash"],
        "name": "Call Forwarding",
        "package": {"name": "ACTIONS10", "type": "ACTIONS", "has_did": True},
        "p": {"format": "YAML", "script": SCRIPT},
        "did": [],
        "date_creation": NOW,
        "date_update": NOW,
    }
    rest = ok(api.get(f"/actions/{app['hash'].lower()}"))
    assert (rest["name"], rest["script"], rest["format"], rest["created"]) == (
        "Call Forwarding",
        SCRIPT,
        "yaml",
        NOW_REST,
    )
    assert_parity("app", app, rest)


def test_scenario_created_by_rest_is_an_actions_app(rpc: LegacyClient, api: Any) -> None:
    rest = ok(api.post("/actions", json={"name": "From REST", "script": SCRIPT}), 201)
    [app] = rpc.call("apps.search", {}, {})["hits"]
    assert app["hash"] == rest["sid"].upper() and app["package"]["name"] == "ACTIONS10"
    assert_parity("app", app, rest)


def test_edit_and_delete(rpc: LegacyClient, api: Any) -> None:
    app = rpc.call("apps.create", "ACTIONS10", "Before", ACTIONS)
    sid = app["hash"].lower()
    api.advance(60)
    unchanged = rpc.call("apps.edit", app["hash"], None, None)
    assert unchanged["date_update"] == NOW
    edited = rpc.call("apps.edit", app["hash"], "After", {"script": SCRIPT + "\n# v2\n"})
    assert (edited["name"], edited["date_update"]) == ("After", "2026-01-01 12:01:00")
    rest = ok(api.get(f"/actions/{sid}"))
    assert rest["name"] == "After" and rest["script"].endswith("# v2\n")
    assert rest["updated"] == "2026-01-01T12:01:00.000Z"
    assert rpc.call("apps.delete", app["hash"]) is True
    assert api.get(f"/actions/{sid}").status_code == 404
    assert rpc_error(rpc, "apps.delete", app["hash"]).code == -32004


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        (["ACTIONS10", "x" * 65, ACTIONS], -32602, "64"),
        (["ACTIONS10", "1234", ACTIONS], -32000, "letter"),
        (["ACTIONS10", "Bad", {"format": "YAML", "script": "just text"}], -32000, "branches"),
        (["ACTIONS10", "Bad", {"format": "yaml", "script": SCRIPT}], -32602, "YAML"),
        (["ACTIONS10", "Bad", {"format": "YAML"}], -32602, "script"),
        (["ACTIONS10", "Bad", {"script": SCRIPT, "voice": "x"}], -32602, "voice"),
        (["IVR10", "Bad", {}], -32602, "CALLTRACKING10"),
    ],
)
def test_create_refuses_what_rest_refuses(
    rpc: LegacyClient, api: Any, params: list[Any], code: int, words: str
) -> None:
    error = rpc_error(rpc, "apps.create", *params)
    assert error.code == code and words in error.message, error.message
    assert ok(api.get("/actions"))["total"] == 0


# -- legacy-only packages ---------------------------------------------------------------------------
@pytest.mark.parametrize("package", ["CALLTRACKING10", "CLICKTOCALL10", "REALTIME10"])
def test_legacy_only_apps_are_invisible_to_rest(rpc: LegacyClient, api: Any, package: str) -> None:
    app = rpc.call("apps.create", package, "Old app", {"target": "+33612345678"})
    assert app["package"]["name"] == package and app["p"] == {"target": "+33612345678"}
    assert [h["hash"] for h in rpc.call("apps.search", {}, {})["hits"]] == [app["hash"]]
    assert ok(api.get("/actions"))["total"] == 0
    assert api.get(f"/actions/{app['hash'].lower()}").status_code == 404
    assert diff_parity("app", app, {}) == [
        f"app {app['hash']} is a {package} app: REST v2 has only Callr Actions"
    ]
    edited = rpc.call("apps.edit", app["hash"], "Renamed", None)
    assert edited["name"] == "Renamed" and edited["p"] == {"target": "+33612345678"}
    error = rpc_error(rpc, "actions.start", app["hash"], None)
    assert error.code == -32000 and error.data["code"] == "not-callr-actions"
    assert rpc.call("apps.delete", app["hash"]) is True
    assert rpc.call("apps.search", {}, {})["total"] == 0


def test_search_mixes_both_kinds(rpc: LegacyClient, api: Any) -> None:
    old = rpc.call("apps.create", "CLICKTOCALL10", "Click me", None)
    api.advance(1)
    new = rpc.call("apps.create", "ACTIONS10", "Forwarding", ACTIONS)

    def hashes(filters: Any = None, options: Any = None) -> list[str]:
        return [h["hash"] for h in rpc.call("apps.search", filters, options)["hits"]]

    assert hashes() == [new["hash"], old["hash"]]
    assert hashes(None, {"order": "ASC"}) == [old["hash"], new["hash"]]
    assert hashes({"type": "CLICKTOCALL10"}) == [old["hash"]]
    assert hashes({"type": "ACTIONS10"}) == [new["hash"]]
    assert hashes({"name": "forw"}) == [new["hash"]]
    assert hashes({"name": "CLICK"}) == [old["hash"]]
    page = rpc.call("apps.search", {}, {"limit": 1})
    assert (page["total"], page["has_more"], len(page["hits"])) == (2, True, 1)


# -- numbers of apps ------------------------------------------------------------------------------
def test_assign_and_remove_did_move_the_rest_number(
    rpc: LegacyClient, api: Any, client: Any
) -> None:
    app = rpc.call("apps.create", "ACTIONS10", "Forwarding", ACTIONS)
    item = buy_number(rpc)
    e164 = item["intl_number"]
    assert item["hash"] == number_hash(e164)
    assert rpc.call("apps.assign_did", app["hash"], item["hash"]) is True
    number = ok(api.get(f"/numbers/{e164}"))
    assert number["scenario"] == app["hash"].lower() and number["assigned"] == NOW_REST
    assert [n["e164"] for n in ok(api.get(f"/actions/{app['hash'].lower()}"))["numbers"]] == [e164]
    [did] = rpc.call("apps.search", {}, {})["hits"][0]["did"]
    assert (did["hash"], did["intl_number"], did["app"], did["assigned_at"]) == (
        item["hash"],
        e164,
        # Callr's TypeScript Number: app {hash, name, package {name, type}}
        {
            "hash": app["hash"],
            "name": app["name"],
            "package": {"name": "ACTIONS10", "type": "ACTIONS"},
        },
        NOW,
    )
    assert [n["e164"] for n in events(client, "v2.number.assigned")] == [e164]
    assert rpc.call("apps.remove_did", item["hash"]) is True
    assert ok(api.get(f"/numbers/{e164}"))["scenario"] is None
    assert [n["e164"] for n in events(client, "v2.number.unassigned")] == [e164]
    assert rpc.call("apps.remove_did", item["hash"]) is True  # nothing to remove: still true


def test_rest_assignment_is_seen_by_json_rpc(rpc: LegacyClient, api: Any) -> None:
    item = buy_number(rpc)
    scenario = ok(api.post("/actions", json={"name": "REST", "script": SCRIPT}), 201)
    ok(api.put(f"/numbers/{item['intl_number']}/scenario/{scenario['sid']}"))
    [did] = rpc.call("did.search", {"app": scenario["sid"].upper()}, None)["hits"]
    assert did["app"]["hash"] == scenario["sid"].upper() and did["app"]["name"] == "REST"
    assert_parity("did", did, ok(api.get(f"/numbers/{item['intl_number']}")))


def test_a_number_linked_to_a_legacy_only_app(rpc: LegacyClient, api: Any, client: Any) -> None:
    actions = rpc.call("apps.create", "ACTIONS10", "Forwarding", ACTIONS)
    tracking = rpc.call("apps.create", "CALLTRACKING10", "Tracking", {})
    item = buy_number(rpc)
    e164 = item["intl_number"]
    rpc.call("apps.assign_did", actions["hash"], item["hash"])
    rpc.call("apps.assign_did", tracking["hash"], e164)  # the E.164 number works as a DID ref too
    assert ok(api.get(f"/numbers/{e164}"))["scenario"] is None  # REST cannot see the link
    assert ok(api.get(f"/actions/{actions['hash'].lower()}"))["numbers"] == []
    [did] = rpc.call("did.search", {}, None)["hits"]
    assert did["app"] == {
        "hash": tracking["hash"],
        "name": "Tracking",
        "package": {"name": "CALLTRACKING10", "type": "CALLTRACKING"},
    }
    differences = diff_parity("did", did, ok(api.get(f"/numbers/{e164}")))
    assert differences == [
        f"did.scenario: legacy says {tracking['hash'].lower()!r}, REST says None"
    ]
    tracking_now = next(
        a for a in rpc.call("apps.search", {}, {})["hits"] if a["hash"] == tracking["hash"]
    )
    assert [d["intl_number"] for d in tracking_now["did"]] == [e164]
    # REST assigns it again: REST wins, the legacy link is gone
    ok(api.put(f"/numbers/{e164}/scenario/{actions['hash'].lower()}"))
    [did] = rpc.call("did.search", {}, None)["hits"]
    assert did["app"]["hash"] == actions["hash"]
    tracking_now = next(
        a for a in rpc.call("apps.search", {}, {})["hits"] if a["hash"] == tracking["hash"]
    )
    assert tracking_now["did"] == []
    assert [n["e164"] for n in events(client, "v2.number.unassigned")] == [e164]


def test_assign_errors(rpc: LegacyClient) -> None:
    app = rpc.call("apps.create", "ACTIONS10", "Forwarding", ACTIONS)
    assert rpc_error(rpc, "apps.assign_did", app["hash"], "ZZZZZZZZ").code == -32004
    assert rpc_error(rpc, "apps.assign_did", app["hash"], "+33199009999").code == -32004
    assert rpc_error(rpc, "apps.assign_did", app["hash"], "bad").code == -32602
    item = buy_number(rpc)
    assert rpc_error(rpc, "apps.assign_did", "ZZZZZZZZ", item["hash"]).code == -32004


# -- actions.start and jobs ------------------------------------------------------------------------
def test_start_is_a_job_and_jobs_are_tasks(rpc: LegacyClient, api: Any) -> None:
    app = rpc.call("apps.create", "ACTIONS10", "Forwarding", ACTIONS)
    job_hash = rpc.call("actions.start", app["hash"], {"$target": "+33612345678"})
    assert len(job_hash) == 8 and job_hash == job_hash.upper()
    task = ok(api.get(f"/tasks/{job_hash.lower()}"))
    assert (task["type"], task["status"]) == ("scenario-run", "pending")
    job = rpc.call("jobs.get", job_hash)
    assert (job["hash"], job["type"], job["status"], job["date_creation"]) == (
        job_hash,
        "SCENARIO_RUN",
        "PENDING",
        NOW,
    )
    assert_parity("job", job, task)
    api.advance(1)
    assert rpc.call("jobs.get", job_hash)["status"] == "RUNNING"
    api.advance(2)
    done = rpc.call("jobs.get", job_hash)
    assert (done["status"], done["progress"]) == ("DONE", 100)
    assert done["result"] == {
        "scenario": app["hash"].lower(),
        "variables": {"$target": "+33612345678"},
    }
    assert_parity(
        "job", done, ok(api.post(f"/tasks/{job_hash.lower()}"))
    )  # POST, as the table prints


def test_start_refuses_what_rest_refuses(rpc: LegacyClient) -> None:
    no_branch = {"format": "YAML", "script": "branches:\n  inbound-call:\n    actions: []\n"}
    app = rpc.call("apps.create", "ACTIONS10", "No run", no_branch)
    assert (
        rpc_error(rpc, "actions.start", app["hash"], None).data["code"] == "no-api-initiated-branch"
    )
    ok_app = rpc.call("apps.create", "ACTIONS10", "Run", ACTIONS)
    error = rpc_error(rpc, "actions.start", ok_app["hash"], {"bad name!": 1})
    assert error.code == -32602 and "runs" in error.message


def test_cancel_a_job(rpc: LegacyClient, api: Any) -> None:
    app = rpc.call("apps.create", "ACTIONS10", "Forwarding", ACTIONS)
    job_hash = rpc.call("actions.start", app["hash"], None)
    assert rpc.call("jobs.cancel", job_hash) is True
    assert ok(api.get(f"/tasks/{job_hash.lower()}"))["status"] == "cancelled"
    assert rpc.call("jobs.get", job_hash)["status"] == "CANCELLED"
    error = rpc_error(rpc, "jobs.cancel", job_hash)
    assert error.code == -32000 and error.data == {"code": "task-finished", "status": 400}
    assert rpc_error(rpc, "jobs.get", "ZZZZZZZZ").code == -32004


def test_task_started_by_rest_is_a_job(rpc: LegacyClient, api: Any) -> None:
    scenario = ok(api.post("/actions", json={"name": "REST", "script": SCRIPT}), 201)
    task = ok(api.post(f"/actions/{scenario['sid']}/runs", json={}), 202)
    assert_parity("job", rpc.call("jobs.get", task["sid"].upper()), task)
    assert api.delete(f"/tasks/{task['sid']}").status_code == 204
    assert rpc.call("jobs.get", task["sid"].upper())["status"] == "CANCELLED"


def test_reset_forgets_legacy_only_apps(rpc: LegacyClient, client: Any) -> None:
    rpc.call("apps.create", "REALTIME10", "Old", {"url": "https://example.com/rt"})
    assert rpc.call("apps.search", {}, {})["total"] == 1
    assert client.post("/_mock/reset").status_code == 204
    assert rpc.call("apps.search", {}, {})["total"] == 0
