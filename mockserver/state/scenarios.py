"""Callr Actions scenarios: create, search, edit, delete, run.

A scenario's ``numbers`` are not stored here: they are the account's numbers whose
``scenario`` is this sid (see ``state.numbers``), so every assignment route shows the
same truth. Deleting a scenario unassigns its numbers first.

Rules the schema cannot express: the name must contain at least one letter (the
Redoc page's ``\\pL``); the script must parse as YAML into a mapping with a
``branches`` mapping (400 ``invalid-script`` with the YAML error position); a run needs
an ``api-initiated`` branch (400 ``no-api-initiated-branch``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import yaml

from ..base.errors import ApiError, InvalidInput
from .index import IndexSpec
from .numbers import NumberRepo
from .pricing import magic_inputs, number_price
from .repo import Owner, Repo
from .runs import Trigger
from .tasks import Task, TaskRepo
from .timefmt import iso, parse

SCENARIO_VERSION = "1.0"
RUN_BRANCH = "api-initiated"


@dataclass
class Scenario:
    sid: str
    name: str
    script: str
    format: str
    created: datetime
    updated: datetime
    version: str = SCENARIO_VERSION
    numbers_of: Any = field(default=None, repr=False, compare=False)
    seq: int = 0

    def to_api(self) -> dict[str, Any]:
        numbers = self.numbers_of(self.sid) if self.numbers_of else []
        return {
            "sid": self.sid,
            "name": self.name,
            "script": self.script,
            "format": self.format,
            "numbers": [n.to_assigned() for n in numbers],
            "version": self.version,
            "created": iso(self.created),
            "updated": iso(self.updated),
        }


def check_name(name: str) -> str:
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise InvalidInput(
            f"name {name!r} must contain at least one letter (pattern \\pL)", code="invalid-name"
        )
    return name


def parse_script(script: str) -> dict[str, Any]:
    """The script as YAML; 400 ``invalid-script`` naming the line and column of a YAML error."""
    try:
        document = yaml.safe_load(script)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "syntax error"
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInput(
            f"script is not valid YAML: {what}{where}", code="invalid-script"
        ) from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise InvalidInput(f"script is not valid YAML: {error}", code="invalid-script") from None
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a {type(document).__name__}"
        raise InvalidInput(
            f"script must be a YAML mapping with a 'branches' mapping, but it is {kind}",
            code="invalid-script",
        )
    if not isinstance(document.get("branches"), dict):
        raise InvalidInput(
            "script must have a 'branches' mapping (for example inbound-call, inbound-sms, api-initiated)",
            code="invalid-script",
        )
    return document


def check_format(script_format: str) -> str:
    if script_format != "yaml":
        raise InvalidInput(f"format must be 'yaml', not {script_format!r}", code="invalid-format")
    return script_format


class ScenarioOwner(Owner, Protocol):
    """What the scenarios use of their account: its numbers and tasks."""

    numbers: NumberRepo
    tasks: TaskRepo


class ScenarioRepo(Repo[Scenario]):
    account: ScenarioOwner

    seed_schema = "Scenario"
    not_found = "no scenario with sid {key!r} on this account"
    index_spec = IndexSpec(
        sorts={
            "created": lambda s: s.created,
            "updated": lambda s: s.updated,
            "name": lambda s: s.name.casefold(),
        },
        contains={"name": lambda s: s.name},
    )

    def _numbers_of(self, sid: str) -> list[Any]:
        return list(self.account.numbers.assigned_to(sid))

    # -- reading ------------------------------------------------------------
    def search(
        self,
        *,
        name: str | None = None,
        sort: str = "updated",
        order: str = "desc",
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        return self.search_page({"name": name}, sort=sort, order=order, offset=offset, limit=limit)

    # -- changes ------------------------------------------------------------
    def _check_script(self, script: str) -> None:
        """YAML with a ``branches`` mapping, then the Actions script schema (400
        ``invalid-script`` naming the line), when the runtime gave one."""
        parse_script(script)
        if self.store.script_check is not None:
            self.store.script_check(script)

    def create(self, *, name: str, script: str, format: str = "yaml") -> Scenario:
        check_name(name)
        check_format(format)
        self._check_script(script)
        now = self.store.clock.now()
        sid = self.new_sid()
        return self.insert(
            Scenario(sid, name, script, format, now, now, numbers_of=self._numbers_of)
        )

    def update(
        self,
        sid: str,
        *,
        name: str | None = None,
        script: str | None = None,
        format: str | None = None,
    ) -> Scenario:
        scenario = self.get(sid)
        if name is not None:
            check_name(name)
        if format is not None:
            check_format(format)
        if script is not None:
            self._check_script(script)
        if name is not None:
            scenario.name = name
        if script is not None:
            scenario.script = script
        if format is not None:
            scenario.format = format
        scenario.updated = self.store.clock.now()
        self.reindex(scenario)
        return scenario

    def delete(self, sid: str) -> None:
        self.get(sid)
        self.account.numbers.detach_scenario(sid)
        self.remove(sid)

    def run(self, sid: str, variables: dict[str, Any] | None = None) -> Task:
        """Start the ``api-initiated`` branch: the run is asked of the Actions runner
        (``store.triggers``) and a ``scenario-run`` task follows it on the sandbox clock: it
        ends with the run as its result, or ``failed`` when the run failed.

        A variable whose value is a magic task number (``magic.yaml`` ``tasks:``) makes the
        task end ``failed``.
        """
        scenario = self.get(sid)
        branches = parse_script(scenario.script)["branches"]
        if RUN_BRANCH not in branches:
            known = ", ".join(str(b) for b in branches) or "none"
            raise InvalidInput(
                f"scenario {sid} has no '{RUN_BRANCH}' branch to run (its branches: {known})",
                code="no-api-initiated-branch",
            )
        variables = dict(variables or {})
        fail = None
        magic = magic_inputs().get("tasks", {})
        for name, value in variables.items():
            if isinstance(value, str) and value in magic:
                fail = ("scenario-run-failed", f"variable {name}: {magic[value]['reason']}")
                break
        result = {"scenario": sid, "variables": variables}
        task: Task = self.account.tasks.start(
            "scenario-run", result=result, fail=fail, complete=("scenario.run", {})
        )
        if fail is None:
            trigger = Trigger(self.account.sid, sid, RUN_BRANCH, variables, task=task.sid)
            for hook in list(self.store.triggers):
                hook(trigger)
        return task

    # -- seed ---------------------------------------------------------------
    def load(self, obj: dict[str, Any]) -> Scenario:
        """Seed one scenario (Scenario shape); its ``numbers`` join the account, assigned."""
        try:
            check_name(obj["name"])
            parse_script(obj["script"])
        except ApiError as error:
            raise InvalidInput(
                f"seed scenario {obj['sid']}: {error.message}", code="invalid-seed"
            ) from None
        scenario = Scenario(
            sid=obj["sid"],
            name=obj["name"],
            script=obj["script"],
            format=obj["format"],
            created=parse(obj["created"]),
            updated=parse(obj["updated"]),
            version=obj.get("version", SCENARIO_VERSION),
            numbers_of=self._numbers_of,
        )
        self.insert(scenario)
        for number in obj.get("numbers", []):
            try:
                monthly = number_price(number["country"], number["type"], number["class"])[1]
            except ApiError:
                monthly = Decimal("0")
            self.account.numbers.load_assigned(scenario.sid, number, monthly)
        return scenario
