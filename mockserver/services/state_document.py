"""State documents: everything a sandbox holds as one versioned JSON document, and its restore.

``snapshot_state(store)`` writes it (under the store lock), ``restore_state(runtime,
doc)`` puts it back exactly, ``is_state_document(doc)`` recognises one. The format is
described in ``docs/state-file.md``; in short it is *the seed format plus pending work*:

- ``accounts``: a seed (``seeding.py``): per account ``sid``, ``key``, ``parent``,
  ``credit`` and every repository's objects as the API returns them, so a state document
  is also a valid seed. Each account also has ``state``, which seeding ignores: what the
  API shapes do not carry (each object's creation ``seq`` and the repository's
  ``private_fields``, its ``private_attrs`` such as webhook deliveries, the credit
  levels, the event journal).
- the store: ``clock``, ``ids`` (the generator's random state and every sid issued),
  ``sequence``, ``jobs`` (the scheduler's pending work, as data), ``shared`` (the
  number pool, the legacy-only apps: ``state/shared.py``), ``faults``, ``rateLimits``,
  ``variation``.

Not kept: the request journal, the contract-violation log and the coverage tally (a
restored sandbox starts them empty), webhook sends in flight (a delivery being POSTed
when the snapshot was taken is still ``pending`` and is sent again).

``restore_state`` checks the whole document by building it into a scratch store first;
only when that succeeds is the runtime's store emptied and built again, so a bad
document leaves the sandbox as it was and raises ``StateFileError`` with one line saying
what is wrong and where.
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any, Protocol

from ..base.errors import ApiError
from ..contract.seeding import SeedValidator, check_seed
from ..state.codec import CodecError, dump, hints_of, load
from ..state.events import Event
from ..state.money import fmt
from ..state.repo import Repo
from ..state.runs import Run
from ..state.shared import SHARED_STATE
from ..state.store import REPOSITORIES, AccountState, Store

FORMAT = "callr-mock-state"
VERSION = 2
# What changed since each older version, for the one line that refuses it (CHANGELOG.md)
OLDER_VERSIONS = {
    1: "written by callr-mock 0.1, before the v2 webhook envelope, SMS object and call "
    "record of Callr's samples and amounts in cents",
}
STORE_KEYS = ("clock", "ids", "sequence", "jobs", "shared", "faults", "rateLimits", "variation")


class StateFileError(ValueError):
    """A state document this callr-mock cannot restore; the message is one line."""


def is_state_document(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("format") == FORMAT


# -- writing -----------------------------------------------------------------------------


class Restorable(Protocol):
    """What a state document is restored into (``web.frame.runtime.Runtime`` is one): the
    store, the seed validator, and a way to empty and rebuild what hangs on the store."""

    @property
    def store(self) -> Store: ...

    @property
    def seed_validator(self) -> SeedValidator: ...

    def reset(self) -> None: ...

    def rebuild_deliveries(self) -> None: ...


def snapshot_state(store: Store) -> dict[str, Any]:
    """Everything the store holds, as JSON data (taken under the store lock)."""
    with store.lock:
        return {
            "format": FORMAT,
            "version": VERSION,
            "accounts": [_account(account) for account in store.accounts()],
            "clock": store.clock.to_state(),
            "ids": store.ids.to_state(),
            "sequence": store.sequence,
            "jobs": store.scheduler.jobs(),
            "shared": _shared(store),
            "faults": store.faults.to_state(),
            "rateLimits": store.rate_limits.to_state(),
            "variation": store.variation.to_state(),
        }


def _account(account: AccountState) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "sid": account.sid,
        "key": account.key or None,
        "parent": account.parent,
        "credit": fmt(account.credit.balance),
    }
    objects: dict[str, list[dict[str, Any]]] = {}
    repositories: dict[str, dict[str, Any]] = {}
    for name in REPOSITORIES:
        repo = account.repo(name)
        entry[name] = repo.snapshot()
        objects[name] = [_private(repo, obj) for obj in repo.ordered()]
        if repo.private_attrs:
            repositories[name] = {attr: dump(getattr(repo, attr)) for attr in repo.private_attrs}
    entry["state"] = {
        "initialCredit": account._initial_credit,
        "credit": account.credit.to_state(),
        "objects": objects,
        "repositories": repositories,
        "events": dump(list(account.events)),
        "runs": dump(list(account.runs.runs)),
    }
    return entry


def _private(repo: Repo[Any], obj: Any) -> dict[str, Any]:
    return {"seq": obj.seq, **{name: dump(getattr(obj, name)) for name in repo.private_fields}}


def _shared(store: Store) -> dict[str, Any]:
    written = {}
    for name, obj in store.shared.items():
        if name not in SHARED_STATE:
            raise TypeError(f"shared object {name!r} has no state_shared() pair: it would be lost")
        written[name] = SHARED_STATE[name][0](obj)
    return written


# -- reading -----------------------------------------------------------------------------


def restore_state(runtime: Restorable, doc: Any) -> None:
    """Replace everything the runtime holds with the document's state (see the module doc).

    Raises ``StateFileError`` (and changes nothing) for a document of another format or
    version, or with inconsistent content.
    """
    _check_header(doc)
    try:
        check_seed(doc, runtime.seed_validator)
    except ApiError as error:
        raise StateFileError(error.message.removeprefix("seed ")) from None
    scratch = Store()
    scratch.scheduler.runners.update(runtime.store.scheduler.runners)
    _build(scratch, doc)  # every check, on a store nobody sees
    store = runtime.store
    with store.lock:
        runtime.reset()
        store.forget_accounts()
        _build(store, doc)
        runtime.rebuild_deliveries()


def _check_header(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise StateFileError(f"a state document is a JSON object, not {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise StateFileError(
            f"not a callr-mock state document: 'format' is {doc.get('format')!r}, not {FORMAT!r}"
        )
    version = doc.get("version")
    if version in OLDER_VERSIONS:
        raise StateFileError(
            f"version {version} is not supported (this callr-mock reads version {VERSION}): it was "
            f"{OLDER_VERSIONS[version]}; move the file aside to start afresh, or keep "
            "callr-mock 0.1 for it"
        )
    if version != VERSION:
        raise StateFileError(
            f"version {version!r} is not supported (this callr-mock reads version {VERSION})"
        )
    for key in ("accounts", *STORE_KEYS):
        if key not in doc:
            raise StateFileError(f"'{key}' is missing: the document is incomplete")


class _Cursor:
    """Where the build is, for the one-line error."""

    def __init__(self) -> None:
        self.at = "the document"


def _build(store: Store, doc: dict[str, Any]) -> None:
    cursor = _Cursor()
    try:
        _build_at(store, doc, cursor)
    except StateFileError:
        raise
    except CodecError as error:
        raise StateFileError(str(error)) from None
    except ApiError as error:
        raise StateFileError(f"{cursor.at}: {error.message}") from None
    except KeyError as error:
        raise StateFileError(f"{cursor.at}: {error.args[0]!r} is missing") from None
    except (TypeError, ValueError, AttributeError) as error:
        raise StateFileError(f"{cursor.at}: {error}") from None


def _build_at(store: Store, doc: dict[str, Any], cursor: _Cursor) -> None:
    with store.lock:
        cursor.at = "sequence"
        # objects are first inserted with fresh numbers, then moved to their own: fresh
        # numbers above every kept one never take a kept number's place
        sequence = load(int, doc["sequence"], "sequence")
        store.sequence = sequence
        for index, entry in enumerate(doc["accounts"]):
            _build_account(store, entry, f"accounts[{index}]", cursor)
        store.sequence = sequence
        cursor.at = "shared"
        for name, data in load(dict[str, Any], doc["shared"], "shared").items():
            if name not in SHARED_STATE:
                raise StateFileError(f"shared.{name}: this callr-mock keeps no such object")
            store.shared[name] = SHARED_STATE[name][1](store, data, f"shared.{name}")
        cursor.at = "faults"
        store.faults.load_state(doc["faults"], "faults")
        cursor.at = "rateLimits"
        store.rate_limits.load_state(doc["rateLimits"], "rateLimits")
        cursor.at = "variation"
        store.variation.load_state(doc["variation"], "variation")
        _load_jobs(store, doc["jobs"], cursor)
        cursor.at = "clock"
        store.clock.load_state(doc["clock"], "clock")
        cursor.at = "ids"
        store.ids.load_state(doc["ids"], "ids")  # last: building drew ids (account keys)


def _build_account(store: Store, entry: dict[str, Any], where: str, cursor: _Cursor) -> None:
    cursor.at = where
    state = load(dict[str, Any], entry.get("state"), f"{where}.state")
    if entry.get("parent") is None and not entry.get("key"):
        raise StateFileError(f"{where}.key: an account without a parent needs its key")
    account = store.create_account(
        entry["sid"],
        entry.get("key"),
        parent=entry.get("parent"),
        credit=load(str | None, state["initialCredit"], f"{where}.state.initialCredit"),
    )
    account.credit.load_state(state["credit"], f"{where}.state.credit")
    objects = load(dict[str, list[dict[str, Any]]], state["objects"], f"{where}.state.objects")
    repositories = load(
        dict[str, dict[str, Any]], state["repositories"], f"{where}.state.repositories"
    )
    for name in REPOSITORIES:
        repo = account.repo(name)
        shapes, private = entry.get(name, []), objects.get(name, [])
        if len(shapes) != len(private):
            raise StateFileError(
                f"{where}.state.objects.{name}: {len(private)} entries for {len(shapes)} objects"
            )
        with repo.bulk():
            for position, (shape, extra) in enumerate(zip(shapes, private, strict=True)):
                cursor.at = f"{where}.{name}[{position}]"
                _restore_object(repo, shape, extra, f"{where}.state.objects.{name}[{position}]")
        cursor.at = f"{where}.state.repositories.{name}"
        if repo.private_attrs:
            kept = repositories.get(name, {})
            hints = typing.get_type_hints(type(repo))
            for attr in repo.private_attrs:
                at = f"{where}.state.repositories.{name}.{attr}"
                if attr not in kept:
                    raise StateFileError(f"{at}: missing")
                setattr(repo, attr, load(hints[attr], kept[attr], at))
    cursor.at = f"{where}.state.events"
    account.events.clear()
    account.events.extend(load(list[Event], state["events"], f"{where}.state.events"))
    cursor.at = f"{where}.state.runs"  # a 0.2 document written before the runner has none
    account.runs.runs.extend(load(list[Run], state.get("runs", []), f"{where}.state.runs"))


def _restore_object(repo: Repo[Any], shape: Any, extra: dict[str, Any], where: str) -> None:
    obj = repo.load(shape)
    repo.remove(repo.key(obj))
    hints = hints_of(obj.__class__)
    for name in repo.private_fields:
        if name not in extra:
            raise StateFileError(f"{where}: '{name}' is missing")
        setattr(obj, name, load(hints[name], extra[name], f"{where}.{name}"))
    repo.insert(obj, seq=load(int, extra.get("seq"), f"{where}.seq"))


def _load_jobs(store: Store, jobs: Any, cursor: _Cursor) -> None:
    cursor.at = "jobs"
    for index, job in enumerate(load(list[dict[str, Any]], jobs, "jobs")):
        where = f"jobs[{index}]"
        kind = job.get("kind")
        if store.scheduler.runner(kind) is None:
            raise StateFileError(f"{where}: unknown job kind {kind!r}")
        load(str, job.get("owner"), f"{where}.owner")
        load(dict[str, Any], job.get("args"), f"{where}.args")
        load(datetime, job.get("due"), f"{where}.due")
        if job["owner"] and store.find_account(job["owner"]) is None:
            raise StateFileError(f"{where}.owner: no account {job['owner']!r} in the document")
    cursor.at = "jobs"
    store.scheduler.load(jobs)
