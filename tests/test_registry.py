"""The repositories of an account are declared once (``AccountState``'s typed attributes);
everything else derives from that list. Each test here fails when a repository is
missing from one derived place: clear, snapshot, seed validation, seed loading."""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import Any

import callr_mock.state
import pytest
from callr_mock import DEMO_ACCOUNT_SID, Settings, create_app
from callr_mock.contract.compiled import contract_for
from callr_mock.contract.seeding import REPO_SCHEMAS, SeedValidator
from callr_mock.state.repo import Repo
from callr_mock.state.store import REPOSITORIES, AccountState, Store

NAMES = list(REPOSITORIES)


def defined_repositories() -> set[type]:
    """Every ``Repo`` subclass defined in a ``callr_mock.state`` module."""
    for module in pkgutil.iter_modules(callr_mock.state.__path__):
        importlib.import_module(f"callr_mock.state.{module.name}")
    found: set[type] = set()
    todo: list[type] = [Repo]
    while todo:
        sub: type
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("callr_mock.state."):
                found.add(sub)
    return found


def test_every_repository_class_is_registered() -> None:
    assert defined_repositories() == set(REPOSITORIES.values())
    assert len(NAMES) >= 8


def test_the_registry_is_the_typed_attributes_in_seed_order() -> None:
    hints = typing.get_type_hints(AccountState)
    assert {n: hints[n] for n in NAMES} == REPOSITORIES
    # a number names its scenario: scenarios are loaded first
    assert NAMES.index("scenarios") < NAMES.index("numbers")


@pytest.mark.parametrize("name", NAMES)
def test_each_repository_declares_its_seed_schema_and_404(name: str) -> None:
    repo = REPOSITORIES[name]
    schemas = contract_for(None).document["components"]["schemas"]
    assert REPO_SCHEMAS[name] == repo.seed_schema and repo.seed_schema in schemas
    assert "not_found" in vars(repo), f"{repo.__name__} keeps the generic 404 message"
    assert "{key" in repo.not_found


@pytest.mark.parametrize("name", NAMES)
def test_clear_builds_every_repository_afresh(name: str) -> None:
    account = Store().create_account("acc00001", "key")
    before = account.repo(name)
    assert isinstance(before, REPOSITORIES[name]) and before.account is account
    account.clear()
    assert account.repo(name) is not before and isinstance(account.repo(name), Repo)


def test_every_repository_is_in_the_snapshot_and_validated_when_seeded() -> None:
    account = Store().create_account("acc00001", "key")
    assert set(NAMES) <= set(account.snapshot())
    assert set(SeedValidator(contract_for(None)).validators) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_bad_seed_object_of_each_repository_is_refused(name: str) -> None:
    client = create_app(Settings(clock="frozen")).test_client()
    answer = client.post(
        "/_mock/seed", json={"data": {"accounts": [{"sid": DEMO_ACCOUNT_SID, name: [{}]}]}}
    )
    assert answer.status_code == 400, name
    assert f"accounts[0].{name}[0]" in answer.get_json()["message"]


def test_a_snapshot_seeds_back_to_the_same_state_for_every_repository() -> None:
    client = create_app(Settings(clock="frozen", id_seed=7)).test_client()
    headers = {"x-api-key": "callr-mock-demo-key"}
    client.post("/_mock/seed", json={"name": "demo"})
    # the demo set has no task and no webhook: make one of each
    assert client.post("/v2.0/calls/export", headers=headers).status_code == 202
    hook = {"type": "v2.sms.outbound.updated", "endpoint": "http://127.0.0.1:9/x"}
    assert client.post("/v2.0/webhooks", headers=headers, json=hook).status_code == 201
    before: dict[str, Any] = client.get(f"/_mock/state?account={DEMO_ACCOUNT_SID}").get_json()
    account = before["accounts"][0]
    for name in NAMES:
        assert account[name], f"the round trip has no {name}: add one above"
    fresh = create_app(Settings(clock="frozen", id_seed=7)).test_client()
    seed = {"accounts": [{"sid": DEMO_ACCOUNT_SID, **{n: account[n] for n in NAMES}}]}
    assert fresh.post("/_mock/seed", json={"data": seed}).status_code == 200
    after = fresh.get(f"/_mock/state?account={DEMO_ACCOUNT_SID}").get_json()["accounts"][0]
    assert {n: after[n] for n in NAMES} == {n: account[n] for n in NAMES}
