"""Work due at a sandbox time: lifecycle steps, reservation expiry, webhook retries.

A job is data, not a closure: a ``kind`` (a name marked with ``@job_kind``, or
``@account_job`` for a runner that acts on its owner's account, in a module of
``store.JOB_MODULES``; or a
runner added to one scheduler's ``runners`` by a service such as webhook delivery), JSON
``args`` naming what it acts on (sids, tokens, statuses), and the account that ``owner``s
it. So the pending work can be written to a state file and rebuilt (``jobs()`` /
``load()``); a runner looks its objects up by sid and does nothing when they are gone.

``run_due(now)`` runs every job whose time has come, earliest first (ties in the
order they were scheduled). A job receives its own due time, so the timestamps it
records do not depend on when somebody happened to look.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from ..base.marks import Marks
from .timefmt import exact, parse


@dataclass(eq=False)
class Job:
    due: datetime
    seq: int
    kind: str
    args: dict[str, Any]
    owner: str = ""
    cancelled: bool = False

    def to_data(self) -> dict[str, Any]:
        return {"due": exact(self.due), "kind": self.kind, "owner": self.owner, "args": self.args}


JobRunner = Callable[[Any, Job], None]
"""Runs one kind of job: (the scheduler's context, i.e. the Store; the job)."""

JOB_KIND_MARKS = Marks("job kind")
ACCOUNT_JOB_MARKS = Marks("account job kind")


def job_kind(name: str) -> Callable[[JobRunner], JobRunner]:
    """Mark the runner of the jobs of kind ``name``: it gets (the store, the job)."""
    return JOB_KIND_MARKS(name)


def account_job(name: str) -> Callable[[JobRunner], JobRunner]:
    """Mark the runner of jobs of kind ``name`` that act on their owner's account: it
    gets (the account, the job), and is not called when the account is gone."""
    return ACCOUNT_JOB_MARKS(name)


def job_kinds(modules: Iterable[ModuleType]) -> dict[str, JobRunner]:
    """Kind → runner, from the marked runners of ``modules`` (``store.JOB_MODULES``)."""
    modules = tuple(modules)
    kinds: dict[str, JobRunner] = dict(JOB_KIND_MARKS.table(modules))
    for name, runner in ACCOUNT_JOB_MARKS.table(modules).items():
        if name in kinds:
            raise ValueError(f"job kind {name!r} is given twice")
        kinds[name] = _on_account(runner)
    return kinds


def _on_account(runner: JobRunner) -> JobRunner:
    def run(store: Any, job: Job) -> None:
        account = store.find_account(job.owner)
        if account is not None:
            runner(account, job)

    return run


class Scheduler:
    """Not thread-safe by itself: the Store calls it under its lock."""

    def __init__(
        self,
        context: Any = None,
        *,
        on_change: Callable[[], None] | None = None,
        on_run: Callable[[], None] | None = None,
        kinds: dict[str, JobRunner] | None = None,
    ) -> None:
        # (due as a POSIX timestamp, seq, job): plain tuples of floats compare far faster
        # than an ordered dataclass, or aware datetimes (a heap of 30,000 lifecycle steps
        # makes ~15 comparisons a push or a pop)
        self._heap: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self.context = context  # what a runner gets first (the Store)
        self.on_change = on_change  # told when a job is added (the real-clock ticker wakes)
        self.kinds: dict[str, JobRunner] = dict(kinds or {})
        """The state rules' kinds (``store.JOB_KINDS``)."""
        self.runners: dict[str, JobRunner] = {}
        """Kinds of this scheduler only (a service bound to one runtime: webhook retries)."""
        self.on_run = on_run  # told when jobs ran (the state changed: Store.touch)

    def runner(self, kind: str) -> JobRunner | None:
        return self.runners.get(kind) or self.kinds.get(kind)

    def schedule(self, due: datetime, kind: str, args: dict[str, Any], *, owner: str = "") -> Job:
        if kind not in self.kinds and kind not in self.runners:
            raise KeyError(f"no runner for job kind {kind!r}")
        job = Job(due, next(self._seq), kind, args, owner)
        heapq.heappush(self._heap, (due.timestamp(), job.seq, job))
        if self.on_change is not None and self._heap[0][2] is job:
            self.on_change()  # only an earlier first job changes when the ticker must wake
        return job

    def run_due(self, now: datetime) -> int:
        ran = 0
        moment = now.timestamp()
        while self._heap and self._heap[0][0] <= moment:
            job = heapq.heappop(self._heap)[2]
            if not job.cancelled:
                runner = self.runners.get(job.kind) or self.kinds[job.kind]
                runner(self.context, job)
                ran += 1
        if ran and self.on_run is not None:
            self.on_run()
        return ran

    def drop_owner(self, owner: str) -> None:
        """Forget the pending jobs of one account (when it is deleted or reset)."""
        for _, _, job in self._heap:
            if job.owner == owner:
                job.cancelled = True

    def clear(self) -> None:
        self._heap.clear()

    def pending(self) -> int:
        return sum(1 for _, _, job in self._heap if not job.cancelled)

    def next_due(self) -> datetime | None:
        """When the earliest live job is due (the ticker sleeps until then), or None."""
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][2].due if self._heap else None

    # -- as data (state files) ---------------------------------------------------------
    def live(self) -> list[Job]:
        """The jobs still to run, in the order they will run."""
        return [job for _, _, job in sorted(self._heap) if not job.cancelled]

    def jobs(self) -> list[dict[str, Any]]:
        """The live jobs as JSON data, in the order they will run."""
        return [job.to_data() for job in self.live()]

    def load(self, jobs: list[dict[str, Any]]) -> None:
        """Replace the pending work with ``jobs`` (as ``jobs()`` wrote them, in that order)."""
        self._heap.clear()
        self._seq = itertools.count()
        for data in jobs:
            self.schedule(parse(data["due"]), data["kind"], data["args"], owner=data["owner"])
