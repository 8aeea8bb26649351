"""Runs of Callr Actions scenarios: what triggered them and what they did.

A run starts when its trigger happens (``Trigger``): ``POST /actions/{sid}/runs``
(``api-initiated``), an SMS arriving on a number assigned to the scenario (``inbound-sms``),
a call arriving on one (``inbound-call``, then ``hangup`` when it ends). The runner
(``services/actions/``) executes it off the request thread and keeps here, per account,
the run and its trace: every step with its branch, action, evaluated params and outcome.

A run of ``api-initiated`` belongs to a ``scenario-run`` task; the task's completion
(``scenario.run``) ends the task ``failed`` when the run failed. The task's ``result``
stays what the REST contract says (``scenario``, ``variables``): the run and its trace are
the sandbox's own, read through the control API (``GET /_mock/runs``), never added to
Callr's answers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..base.errors import ApiError
from .tasks import Task, completion
from .timefmt import iso

RUNS_KEPT = 200
"""Runs kept per account, newest last (older ones are forgotten, as the journal does)."""
RUN_TYPES = {"api-initiated": "api", "inbound-sms": "inbound-sms", "inbound-call": "inbound-call"}
"""Branch → ``run.type`` as Callr's pre-defined ``run`` variable names it (``hangup`` runs
after an ``inbound-call``, with its type)."""


@dataclass
class Trigger:
    """What starts a run: the account, the scenario, the branch and what the run sees."""

    account: str
    scenario: str
    branch: str
    variables: dict[str, Any] = field(default_factory=dict)
    """User variables given at start (``POST /actions/{sid}/runs`` ``variables``)."""
    objects: dict[str, Any] = field(default_factory=dict)
    """Pre-defined objects beyond ``now``, ``run``, ``scenario``: ``sms``, ``call``."""
    task: str | None = None
    call: str | None = None
    """The call record an inbound-call run acts on."""
    digits: str = ""
    """What the caller keys in during that call, for its ``gather@v2`` steps."""


@dataclass
class Run:
    id: str
    account: str
    scenario: str
    scenario_name: str
    branch: str
    type: str
    started: datetime
    status: str = "running"
    ended: datetime | None = None
    task: str | None = None
    call: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    trace: list[dict[str, Any]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "scenario": self.scenario,
            "scenarioName": self.scenario_name,
            "branch": self.branch,
            "type": self.type,
            "status": self.status,
            "started": iso(self.started),
            "ended": iso(self.ended) if self.ended else None,
            "task": self.task,
            "call": self.call,
            "variables": self.variables,
            "log": list(self.log),
            "error": self.error,
            "trace": list(self.trace),
        }


class RunBook:
    """An account's runs, by id, oldest first."""

    def __init__(self) -> None:
        self.runs: deque[Run] = deque(maxlen=RUNS_KEPT)

    def add(self, run: Run) -> Run:
        self.runs.append(run)
        return run

    def find(self, run_id: str) -> Run | None:
        return next((run for run in self.runs if run.id == run_id), None)

    def for_task(self, task: str) -> Run | None:
        return next((run for run in self.runs if run.task == task), None)

    def list(self, scenario: str | None = None) -> list[Run]:
        return [run for run in self.runs if scenario is None or run.scenario == scenario]


@completion("scenario.run")
def _report_the_run(account: Any, task: Task, args: dict[str, Any], at: datetime) -> Any:
    """A scenario-run task ends with its run: ``done``, or ``failed`` with the run's error."""
    run: Run | None = account.runs.for_task(task.sid)
    result = dict(task.result or {})
    if run is None:
        return result
    if run.status in ("failed", "not-emulated", "step-limit"):
        error = run.error or {}
        raise ApiError(
            str(error.get("message") or f"the run ended {run.status}"),
            code=f"scenario-run-{run.status}" if run.status != "failed" else "scenario-run-failed",
        )
    return result
