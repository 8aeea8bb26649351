"""Seed data: named sets from ``callr_mock.fixtures`` or a user's file, checked against the spec.

A seed file is ``{"accounts": [{"sid", "key", "parent"?, "credit"?, "<repo>": [objects]}]}``
where each object is written exactly as the API returns it (so the spec's schemas
validate it before it enters the store). A state file (``state_document.py``) is also a
seed: its other keys (and each account's ``state``) are ignored here, so seeding one loads
its accounts and objects without their pending work (``serve --seed`` restores a state file
whole instead: ``Runtime.start_from``).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..base.errors import InvalidInput
from ..state.money import is_amount
from ..state.store import REPOSITORIES, AccountState, Store
from .compiled import Contract, compile_schema, describe_error, first_error
from .spec import inline_refs

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
        if not path.is_file():
            what = f"{name} is a directory" if path.is_dir() else f"no file {name}"
            raise InvalidInput(
                f"no seed set named {name!r} (known: {', '.join(named_seeds())}) and {what}",
                code="invalid-seed",
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInput(
                f"seed {name}: cannot read it: {error}", code="invalid-seed"
            ) from None
    data = _parse(text, name)
    if isinstance(data, dict) and "format" in data:
        return data  # a versioned document (a state file): its own reader says what is wrong
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise InvalidInput(
            f"seed {name} must be an object with an 'accounts' list", code="invalid-seed"
        )
    return data


def _parse(text: str, name: str) -> Any:
    try:
        return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        problem = f"line {error.lineno}: broken JSON: {error.msg}"
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = f"{where}broken YAML: {getattr(error, 'problem', None) or error}"
    raise InvalidInput(f"seed {name} {problem}", code="invalid-seed")


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
    check_seed(data, validator)
    with store.lock:
        for entry in data["accounts"]:
            account = _target_account(store, entry, into)
            if "credit" in entry:
                account.credit.set(entry["credit"])
            for repo in REPOSITORIES:
                for obj in entry.get(repo, []):
                    account.repo(repo).load(obj)
            touched.append(account.sid)
    return touched


def check_seed(data: Any, validator: SeedValidator) -> None:
    """Every account entry and every object of the seed, before anything is loaded."""
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise InvalidInput(
            "seed data must be an object with an 'accounts' list", code="invalid-seed"
        )
    for index, entry in enumerate(data["accounts"]):
        _check_shape(entry, f"accounts[{index}]")
        for repo in REPOSITORIES:
            for position, obj in enumerate(entry.get(repo, [])):
                validator.check(repo, obj, f"accounts[{index}].{repo}[{position}]")


def _check_shape(entry: Any, where: str) -> None:
    if not isinstance(entry, dict):
        raise InvalidInput(
            f"seed {where} must be an object (sid, key, credit, ...)", code="invalid-seed"
        )
    for repo in REPOSITORIES:
        if not isinstance(entry.get(repo, []), list):
            raise InvalidInput(f"seed {where}.{repo} must be a list", code="invalid-seed")
    for key in ("sid", "key", "parent"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise InvalidInput(f"seed {where}.{key} must be a string", code="invalid-seed")
    if "credit" in entry and not is_amount(entry["credit"]):
        raise InvalidInput(
            f"seed {where}.credit must be an amount in cents ('500.00' or a number)",
            code="invalid-seed",
        )


def _target_account(store: Store, entry: dict[str, Any], into: str | None) -> AccountState:
    if into is not None:
        return store.account(into)
    existing = store.find_account(entry["sid"]) if entry.get("sid") else None
    if existing is not None:
        return existing
    return store.create_account(entry.get("sid"), entry.get("key"), parent=entry.get("parent"))
