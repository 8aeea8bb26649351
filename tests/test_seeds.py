"""The shipped seed sets and the seed factories: valid against the spec, loadable everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY, Settings, create_app
from callr_mock.contract.compiled import compile_schema, contract_for
from callr_mock.contract.seeding import REPO_SCHEMAS, named_seeds, read_seed
from callr_mock.contract.spec import inline_refs
from callr_mock.fixtures.factories import SeedFactory, demo_seed, empty_seed, write_seeds

CONTRACT = contract_for(None)
KEYS = {"numbers": "e164", "calls": "callid"}
DEMO_HEADERS = {"x-api-key": DEMO_API_KEY}
LISTS = {
    "scenarios": "/actions",
    "numbers": "/numbers",
    "sms": "/sms",
    "audio_files": "/audio-files",
    "recordings": "/recordings",
}


def schema_validator(repo: str) -> Any:
    schema = CONTRACT.document["components"]["schemas"][REPO_SCHEMAS[repo]]
    return compile_schema(inline_refs(schema, CONTRACT.document))


VALIDATORS = {repo: schema_validator(repo) for repo in REPO_SCHEMAS}


def assert_api_shaped(document: dict[str, Any]) -> int:
    """Every object of every account matches its spec schema; returns how many were checked."""
    checked = 0
    assert set(document) == {"accounts"}
    for entry in document["accounts"]:
        unknown = set(entry) - {"sid", "key", "parent", "credit", *REPO_SCHEMAS}
        assert not unknown, f"unknown seed keys {unknown}"
        for repo in REPO_SCHEMAS:
            for obj in entry.get(repo, []):
                errors = [e.message for e in VALIDATORS[repo].iter_errors(obj)]
                assert not errors, f"{repo} {obj.get(KEYS.get(repo, 'sid'))}: {errors}"
                checked += 1
    return checked


def by_key(repo: str, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(objects, key=lambda obj: obj[KEYS.get(repo, "sid")])


# -- the shipped files ----------------------------------------------------------------------
def test_the_packaged_seed_sets_are_empty_and_demo() -> None:
    assert {"demo", "empty"} <= set(named_seeds())


@pytest.mark.parametrize("name", ["empty", "demo"])
def test_every_seeded_object_matches_the_spec(name: str) -> None:
    document = read_seed(name)
    [account] = document["accounts"]
    assert (account["sid"], account["key"]) == (DEMO_ACCOUNT_SID, DEMO_API_KEY)
    checked = assert_api_shaped(document)
    assert checked == (0 if name == "empty" else sum(len(account.get(r, [])) for r in REPO_SCHEMAS))


def test_demo_has_numbers_scenarios_sms_history_and_recordings() -> None:
    [account] = read_seed("demo")["accounts"]
    assert len(account["scenarios"]) >= 2 and len(account["numbers"]) >= 3
    assert {sms["direction"] for sms in account["sms"]} == {"inbound", "outbound"}
    assert {"delivered", "failed", "expired"} <= {sms["status"] for sms in account["sms"]}
    assert {"gsm", "unicode"} == {sms["encoding"] for sms in account["sms"]}
    assert len(account["recordings"]) >= 2
    assigned = {n["e164"]: n["scenario"] for n in account["numbers"] if n["scenario"]}
    listed = {n["e164"]: s["sid"] for s in account["scenarios"] for n in s["numbers"]}
    assert assigned == listed  # both sides of the assignment agree
    calls = {c["callid"]: c for c in account["calls"]}
    for recording in account["recordings"]:
        assert calls[recording["callid"]]["callee"] == recording["number"]


def test_the_demo_seed_is_what_the_factories_build(tmp_path: Path) -> None:
    written = write_seeds(tmp_path)
    assert [p.name for p in written] == ["empty.json", "demo.json"]
    assert json.loads((tmp_path / "demo.json").read_text()) == demo_seed()
    assert json.loads((tmp_path / "empty.json").read_text()) == empty_seed()
    # same seed, same objects: the shipped file can be regenerated
    assert demo_seed() == demo_seed()
    assert_api_shaped(demo_seed())


# -- loading: CLI settings, control API, the plugin's marker ------------------------------------------
def test_demo_loads_with_the_cli_seed_setting_and_renders_unchanged() -> None:
    app = create_app(
        Settings(clock="frozen", seed_path="demo")
    )  # what `callr-mock serve --seed demo` does
    client = app.test_client()
    [account] = read_seed("demo")["accounts"]
    state = client.get(f"/_mock/state?account={DEMO_ACCOUNT_SID}").get_json()["accounts"][0]
    for repo in REPO_SCHEMAS:
        assert by_key(repo, state[repo]) == by_key(repo, account.get(repo, [])), repo
    assert state["credit"]["balance"] == account["credit"]
    for repo, path in LISTS.items():
        page = client.get(f"/v2.0{path}?limit=100", headers=DEMO_HEADERS).get_json()
        assert page["total"] == len(account[repo]), repo
        assert by_key(repo, page["hits"]) == by_key(repo, account[repo]), repo
    assert client.get("/_mock/violations").get_json() == []


def test_the_cli_accepts_the_seed_names() -> None:
    from callr_mock.running.cli import build_parser

    args = build_parser().parse_args(["serve", "--seed", "demo", "--port", "0"])
    assert args.seed_path == "demo"


def test_seeds_load_through_the_control_api() -> None:
    app = create_app(Settings(clock="frozen"))
    client = app.test_client()
    created = client.post("/_mock/accounts", json={}).get_json()
    answer = client.post("/_mock/seed", json={"name": "demo", "account": created["sid"]})
    assert answer.status_code == 200 and answer.get_json() == {"accounts": [created["sid"]]}
    numbers = client.get("/v2.0/numbers", headers={"x-api-key": created["key"]}).get_json()
    assert numbers["total"] == len(read_seed("demo")["accounts"][0]["numbers"])
    empty = client.post("/_mock/seed", json={"name": "empty"})
    assert empty.status_code == 200


@pytest.mark.callr_mock(seed="demo")
def test_the_marker_seeds_the_tests_own_account(callr_mock: Any, callr_client: Any) -> None:
    assert callr_mock.account_sid != DEMO_ACCOUNT_SID  # a fresh account, seeded
    [account] = read_seed("demo")["accounts"]
    for repo, path in LISTS.items():
        assert callr_client.get(path, params={"limit": 100}).json()["total"] == len(
            account[repo]
        ), repo
    assert callr_mock.state()["credit"]["balance"] == account["credit"]
    recording = callr_client.get("/recordings").json()["hits"][0]
    media = callr_client.get(callr_mock.url + recording["url"])
    assert media.status_code == 200 and len(media.content) == recording["size"]


@pytest.mark.callr_mock(seed="empty")
def test_the_empty_seed_leaves_the_account_empty(callr_client: Any) -> None:
    for path in LISTS.values():
        assert callr_client.get(path).json()["total"] == 0


def test_a_seed_file_path_works_with_the_handle(
    callr_mock: Any, callr_client: Any, tmp_path: Path
) -> None:
    make = SeedFactory(seed=3)
    scenario = make.scenario()
    number = make.number(country="FR", scenario=scenario)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(make.document(scenarios=[scenario], numbers=[number])))
    callr_mock.seed(path)
    got = callr_client.get(f"/numbers/{number['e164']}").json()
    assert got == number


# -- factories ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_factory_objects_match_the_spec_and_load(seed: int) -> None:
    make = SeedFactory(seed=seed)
    scenario = make.scenario()
    numbers = [
        make.number(country=c, type=t, scenario=scenario if i == 0 else None)
        for i, (c, t) in enumerate([("FR", "geographic"), ("GB", "mobile"), ("US", "tollfree")])
    ]
    sms = [
        make.sms(status=s)
        for s in ("created", "pending", "sent", "delivered", "failed", "expired", "error")
    ]
    sms.append(make.sms(direction="inbound", to=numbers[0]["e164"], text="Unicode ✓"))
    call = make.call(callee=numbers[0]["e164"])
    document = make.document(
        scenarios=[scenario],
        numbers=numbers,
        sms=sms,
        calls=[call, make.call(callee=numbers[1]["e164"], answered=False)],
        recordings=[make.recording(call=call)],
        audio_files=[make.audio_file()],
    )
    assert assert_api_shaped(document) == 1 + 3 + 8 + 2 + 1 + 1
    app = create_app(Settings(clock="frozen"))
    client = app.test_client()
    created = client.post("/_mock/accounts", json={}).get_json()
    assert (
        client.post("/_mock/seed", json={"data": document, "account": created["sid"]}).status_code
        == 200
    )
    state = client.get(f"/_mock/state?account={created['sid']}").get_json()["accounts"][0]
    for repo in ("scenarios", "numbers", "sms", "calls", "recordings", "audio_files"):
        assert by_key(repo, state[repo]) == by_key(repo, document["accounts"][0][repo]), repo


def test_an_invalid_seed_object_is_refused_with_its_location() -> None:
    app = create_app(Settings(clock="frozen"))
    make = SeedFactory(seed=1)
    broken = make.sms()
    broken["parts"] = 0
    answer = app.test_client().post("/_mock/seed", json={"data": make.document(sms=[broken])})
    assert answer.status_code == 400
    assert "accounts[0].sms[0]" in answer.get_json()["message"]
