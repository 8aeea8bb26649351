"""Seed data: named sets from ``callr_mock.fixtures`` or a user's file, checked against the spec.

A seed file is ``{"accounts": [{"sid", "key", "parent"?, "credit"?, "<repo>": [objects]}]}``
where each object is written exactly as the API returns it (so the spec's schemas
validate it before it enters the store).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from callr_mock.contract import Contract, compile_schema, describe_error, first_error
from callr_mock.spec_loader import inline_refs
from callr_mock.state.errors import InvalidInput
from callr_mock.state.store import REPOSITORIES, AccountState, Store

REPO_SCHEMAS = {name: repo.seed_schema for name, repo in REPOSITORIES.items()}
"""Seed key → the spec schema its objects must match (declared by each repository)."""


def named_seeds() -> list[str]:
    folder = resources.files("callr_mock.fixtures").joinpath("seeds")
    return sorted(
        p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.name.endswith((".json", ".yaml"))
    )


def read_seed(source: str | Path) -> dict[str, Any]:
    """A seed by name (``demo``, ``empty``) or by file path."""
    text: str
    name = str(source)
    if name in named_seeds():
        folder = resources.files("callr_mock.fixtures").joinpath("seeds")
        match = next(p for p in folder.iterdir() if p.name.rsplit(".", 1)[0] == name)
        text, name = match.read_text(encoding="utf-8"), match.name
    else:
        path = Path(source)
        if not path.exists():
            raise InvalidInput(
                f"no seed named {name!r} (known: {', '.join(named_seeds())}) and no such file"
            )
        text = path.read_text(encoding="utf-8")
    data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise InvalidInput(
            f"seed {name} must be an object with an 'accounts' list", code="invalid-seed"
        )
    return data


class SeedValidator:
    """Validators for the seedable objects, compiled once from the contract."""

    def __init__(self, contract: Contract) -> None:
        schemas = contract.document.get("components", {}).get("schemas", {})
        # a user's spec (--spec) may lack one of our schemas: its objects go unchecked
        self.validators = {
            repo: compile_schema(inline_refs(schemas[name], contract.document))
            for repo, name in REPO_SCHEMAS.items()
            if name in schemas
        }

    def check(self, repo: str, obj: Any, where: str) -> None:
        validator = self.validators.get(repo)
        if validator is None:
            return
        error = first_error(validator, obj)
        if error is not None:
            pointer, rule = describe_error(error)
            raise InvalidInput(f"seed {where} at '{pointer}': {rule}", code="invalid-seed")


def apply_seed(
    store: Store, data: dict[str, Any], validator: SeedValidator, *, into: str | None = None
) -> list[str]:
    """Load the seed; with ``into``, every record goes to that one account. Returns account sids."""
    touched: list[str] = []
    with store.lock:
        for index, entry in enumerate(data["accounts"]):
            for repo in REPOSITORIES:
                for position, obj in enumerate(entry.get(repo, [])):
                    validator.check(repo, obj, f"accounts[{index}].{repo}[{position}]")
        for entry in data["accounts"]:
            account = _target_account(store, entry, into)
            if "credit" in entry:
                account.credit.set(entry["credit"])
            for repo in REPOSITORIES:
                for obj in entry.get(repo, []):
                    account.repo(repo).load(obj)
            touched.append(account.sid)
    return touched


def _target_account(store: Store, entry: dict[str, Any], into: str | None) -> AccountState:
    if into is not None:
        return store.account(into)
    existing = store.find_account(entry["sid"]) if entry.get("sid") else None
    if existing is not None:
        return existing
    return store.create_account(entry.get("sid"), entry.get("key"), parent=entry.get("parent"))
