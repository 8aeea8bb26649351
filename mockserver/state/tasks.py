"""Tasks: the one model for background work (exports, scenario runs, bulk deletes).

Lifecycle on the sandbox clock, counted from creation: ``pending`` (progress 0) →
(1 s) ``running`` (progress 10) → (``duration`` s, default 3) ``done`` (progress 100,
``result`` set) or ``failed`` (``error`` set, progress kept). ``cancelled`` from
``pending`` or ``running`` only (``DELETE /tasks/{taskid}``; a finished task answers 400
``task-finished``); a cancelled task never moves again. Each change fires
``v2.task.updated``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..base.errors import ApiError, InvalidInput
from ..base.marks import Marks
from .index import IndexSpec
from .repo import Repo
from .scheduler import Job, account_job
from .timefmt import iso, parse

TASK_TYPES = ("calls-export", "scenario-run", "recordings-delete")
FINISHED = ("done", "failed", "cancelled")
RUNNING_AFTER = timedelta(seconds=1)
DEFAULT_DURATION = 3.0
RUNNING_PROGRESS = 10

Completion = Callable[[Any, "Task", dict[str, Any], datetime], dict[str, Any] | None]
"""(the account, the task, the completion's JSON args, the time) → the task's ``result``."""

COMPLETION_MARKS = Marks("task completion")


def completion(name: str) -> Callable[[Completion], Completion]:
    """Mark what a task does when it completes, so the pending task is plain data (the
    table is ``store.COMPLETIONS``, read from ``store.JOB_MODULES``)."""
    return COMPLETION_MARKS(name)


@dataclass
class Task:
    sid: str
    type: str
    created: datetime
    status: str = "pending"
    progress: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    updated: datetime | None = None
    seq: int = 0

    def to_api(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "type": self.type,
            "status": self.status,
            "progress": self.progress,
            "result": self.result,
            "error": self.error,
            "created": iso(self.created),
            "updated": iso(self.updated or self.created),
        }


class TaskRepo(Repo[Task]):
    seed_schema = "Task"
    not_found = "no task with sid {key!r} on this account"
    index_spec = IndexSpec(
        sorts={"created": lambda t: t.created},
        equal={"type": lambda t: t.type, "status": lambda t: t.status},
    )

    def start(
        self,
        task_type: str,
        *,
        complete: tuple[str, dict[str, Any]] | None = None,
        duration: float = DEFAULT_DURATION,
        fail: tuple[str, str] | None = None,
        result: dict[str, Any] | None = None,
    ) -> Task:
        """Create a pending task and schedule its lifecycle.

        ``complete=(name, args)`` names a registered ``@completion`` run when the task
        finishes, which returns its ``result``; raising ``ApiError`` there (or passing
        ``fail=(code, message)``) ends the task ``failed`` with that error.
        """
        if task_type not in TASK_TYPES:
            raise ValueError(f"unknown task type {task_type!r}")
        if complete is not None and complete[0] not in self.store.completions:
            raise ValueError(f"unknown task completion {complete[0]!r}")
        now = self.store.clock.now()
        task = self.insert(
            Task(sid=self.new_sid(), type=task_type, created=now, updated=now, result=result)
        )
        self.account.emit("v2.task.updated", task.to_api(), at=now)
        scheduler, owner = self.store.scheduler, self.account.sid
        scheduler.schedule(now + RUNNING_AFTER, "task.run", {"task": task.sid}, owner=owner)
        finish_at = now + max(RUNNING_AFTER, timedelta(seconds=duration))
        args = {
            "task": task.sid,
            "complete": list(complete) if complete else None,
            "fail": list(fail) if fail else None,
        }
        scheduler.schedule(finish_at, "task.finish", args, owner=owner)
        return task

    def _change(self, task: Task, at: datetime, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(task, name, value)
        task.updated = at
        self.reindex(task)
        self.account.emit("v2.task.updated", task.to_api(), at=at)

    def run(self, sid: str, at: datetime) -> None:
        task = self.items.get(sid)
        if task is not None and task.status == "pending":
            self._change(task, at, status="running", progress=RUNNING_PROGRESS)

    def finish(
        self,
        sid: str,
        at: datetime,
        complete: list[Any] | None,
        fail: list[str] | None,
    ) -> None:
        task = self.items.get(sid)
        if task is None or task.status in FINISHED:
            return
        if fail is not None:
            self._change(task, at, status="failed", error={"code": fail[0], "message": fail[1]})
            return
        try:
            if complete:
                name, args = complete
                result = self.store.completions[name](self.account, task, args, at)
            else:
                result = task.result
        except ApiError as error:
            self._change(task, at, status="failed", error=error.body())
            return
        self._change(task, at, status="done", progress=100, result=result)

    def cancel(self, sid: str) -> Task:
        task = self.get(sid)
        if task.status in FINISHED:
            raise InvalidInput(
                f"task {sid} is already {task.status}; only pending or running tasks can be cancelled",
                code="task-finished",
            )
        self._change(task, self.store.clock.now(), status="cancelled")
        return task

    def search(
        self,
        *,
        type: str | None = None,
        status: str | None = None,
        order: str = "desc",
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        return self.search_page(
            {"type": type, "status": status}, order=order, offset=offset, limit=limit
        )

    def load(self, obj: dict[str, Any]) -> Task:
        task = Task(
            sid=obj["sid"],
            type=obj["type"],
            created=parse(obj["created"]),
            status=obj["status"],
            progress=obj["progress"],
            result=obj.get("result"),
            error=obj.get("error"),
            updated=parse(obj["updated"]),
        )
        return self.insert(task)


@account_job("task.run")
def _run(account: Any, job: Job) -> None:
    account.tasks.run(job.args["task"], job.due)


@account_job("task.finish")
def _finish(account: Any, job: Job) -> None:
    args = job.args
    account.tasks.finish(args["task"], job.due, args["complete"], args["fail"])
