"""The Callr Actions runner: scenario scripts that really run, with their effects and a trace.

Triggers (``state/runs.py``): ``POST /actions/{sid}/runs`` (``store.triggers``, the
``api-initiated`` branch), an SMS arriving on a number assigned to a scenario
(``v2.sms.inbound.received``: ``inbound-sms``), a call arriving on one
(``v2.call.inbound.started``: ``inbound-call``; ``v2.call.inbound.ended``: ``hangup``).
A run is queued when its trigger happens and executed on the runner's thread, off the
request thread and outside the store lock (a ``fetch@v2`` to a backend that calls the
sandbox back cannot deadlock it); the store lock is taken for each effect. Timestamps are
the sandbox clock's. ``drain()`` waits until every queued run has ended (``POST
/_mock/runs/flush``, the plugin's ``flush_runs``).

A branch is a list of steps: ``action`` (with ``params``, ``${{ }}`` evaluated, and
``result: $var``), ``if`` (a JavaScript condition; with ``then:`` steps, a ``goto`` or
an ``action`` of the same step), ``goto: {branch}``. What each action does here:

- ``log@v1``: the message goes into the run's log.
- ``sms@v1``: a real SMS of the account to each of ``to`` (its lifecycle, billing and
  webhooks as for ``POST /sms``); ``result``: ``{ok, sms: [sids]}``.
- ``fetch@v2``: a real HTTP request (``url``, ``method``, ``headers``, ``body``,
  ``timeout`` s, at most 30); ``result``: ``{ok, status, statusText, headers, body, json}``;
  a private address is refused under ``--deny-private-webhooks``.
- ``javascript@v1``: ``code`` runs in the run's context and may set its variables.
- Call actions (``answer@v1``, ``ringing@v1``, ``say@v2``, ``play@v1``, ``gather@v2``,
  ``dial@v1``, ``hangup@v1``) run only in a call's branches and are recorded on the trace;
  ``dial@v1``'s result is ``{ok}``: ok when a target is a possible E.164 number [inferred].
- Any other action ends the run ``not-emulated``, its step naming the action.

A run ends ``done``, ``failed`` (an expression that does not evaluate, an effect refused:
the step says why), ``not-emulated`` or ``step-limit`` (more than ``MAX_STEPS`` steps: a
``goto`` loop). Each ended run is written to the journal (operation ``actions:<branch>``).
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from ...base.errors import ApiError
from ...base.journal import Journal, JournalEntry, Message
from ...base.redaction import header_value
from ...base.settings import Settings
from ...state.events import Event
from ...state.phone import describe, is_possible_number
from ...state.runs import RUN_TYPES, Run, Trigger
from ...state.scenarios import parse_script
from ...state.store import Store
from ...state.timefmt import iso
from ..addresses import private_address
from .engine import ExpressionError, Expressions

log = logging.getLogger("callr_mock.actions")
MAX_STEPS = 1000
FETCH_TIMEOUT_DEFAULT = 10.0
FETCH_TIMEOUT_MAX = 30.0
AUTO_ANSWERING = {"say@v2", "play@v1", "gather@v2"}
CALL_ACTIONS = {"answer@v1", "ringing@v1", "say@v2", "play@v1", "gather@v2", "dial@v1", "hangup@v1"}
EVENT_BRANCHES = {
    "v2.sms.inbound.received": "inbound-sms",
    "v2.call.inbound.started": "inbound-call",
    "v2.call.inbound.ended": "hangup",
}
USER_AGENT = "callr-mock-actions/1 (fetch@v2)"


class _End(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Running:
    run: Run
    js: Expressions
    branches: dict[str, Any]
    names: set[str]
    digits: str = ""
    """The caller's keys not read yet by a ``gather@v2``."""
    steps: int = 0


class ScenarioRunner:
    """The runner of one runtime: a queue and one thread."""

    def __init__(self, store: Store, journal: Journal, settings: Settings) -> None:
        self.store = store
        self.journal = journal
        self.settings = settings
        self._queue: collections.deque[Trigger] = collections.deque()
        self._cond = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._serial = 0
        self._http = requests.Session()
        self._http.trust_env = False  # never through a proxy: a backend is often on loopback
        store.listeners.append(self._on_event)
        store.triggers.append(self.queue)

    # -- the queue ----------------------------------------------------------------------
    def queue(self, trigger: Trigger) -> None:
        with self._cond:
            if self._stopped:
                return
            self._queue.append(trigger)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="callr-mock-actions", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until no run is queued or running; False when ``timeout`` came first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def pending(self) -> int:
        with self._cond:
            return len(self._queue) + (1 if self._busy else 0)

    def resume(self) -> None:
        """Take triggers again after ``stop`` (a server started again)."""
        with self._cond:
            self._stopped = False
            self._thread = (
                None if self._thread is not None and not self._thread.is_alive() else self._thread
            )

    def forget(self) -> None:
        """Drop the queued runs (a reset: their accounts are empty now)."""
        with self._cond:
            self._queue.clear()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._queue.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                trigger = self._queue.popleft()
                self._busy = True
            try:
                self._execute(trigger)
            except Exception:  # a bug of ours: the run is marked, the runner lives on
                log.exception("scenario run of %s crashed", trigger.scenario)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _on_event(self, event: Event) -> None:
        """An inbound SMS or call on a number assigned to a scenario with that branch."""
        branch = EVENT_BRANCHES.get(event.type)
        if branch is None:
            return
        account = self.store.find_account(event.account_sid)
        number = event.payload.get("to") or event.payload.get("callee")
        if account is None or not number:
            return
        owned = account.numbers.items.get(number)
        scenario = account.scenarios.find(owned.scenario) if owned and owned.scenario else None
        if scenario is None:
            return
        try:
            branches = parse_script(scenario.script)["branches"]
        except ApiError:
            return
        if branch not in branches:
            return
        if branch == "inbound-sms":
            objects = {"sms": _actions_sms(event.payload)}
            self.queue(Trigger(event.account_sid, scenario.sid, branch, objects=objects))
        else:
            callid = event.payload.get("callid")
            record = next((r for r in account.calls.items.values() if r.callid == callid), None)
            self.queue(
                Trigger(
                    event.account_sid,
                    scenario.sid,
                    branch,
                    objects={"call": _actions_call(event.payload)},
                    call=str(callid or ""),
                    digits=record.digits if record is not None else "",
                )
            )

    # -- one run ------------------------------------------------------------------------
    def _execute(self, trigger: Trigger) -> None:
        store = self.store
        started = time.perf_counter()
        with store.lock:
            account = store.find_account(trigger.account)
            scenario = account.scenarios.find(trigger.scenario) if account else None
            if account is None or scenario is None:
                return
            try:
                document = parse_script(scenario.script)
            except ApiError:
                return
            self._serial += 1
            run_type = RUN_TYPES.get(trigger.branch, "inbound-call")
            run = account.runs.add(
                Run(
                    id=f"{trigger.branch}:{store.ids.digits(6)}{self._serial}",
                    account=account.sid,
                    scenario=scenario.sid,
                    scenario_name=scenario.name,
                    branch=trigger.branch,
                    type=run_type,
                    started=store.clock.now(),
                    task=trigger.task,
                    call=trigger.call,
                )
            )
            now = store.clock.now()
        variables = dict(document.get("variables") or {})
        variables.update({_var(k): v for k, v in trigger.variables.items()})
        running = _Running(run, Expressions(), document["branches"], set(variables), trigger.digits)
        try:
            js = running.js
            js.define_now(now)
            js.define("run", {"id": run.id, "type": run_type})
            js.define("scenario", {"sid": scenario.sid, "name": scenario.name})
            js.define("integrations", {})
            for name, value in trigger.objects.items():
                js.define(name, value)
            for name, value in variables.items():
                js.define(name, value)
            branch: str | None = trigger.branch
            while branch is not None:
                steps = running.branches.get(branch)
                if not isinstance(steps, dict):
                    raise _End(
                        "failed", "unknown-branch", f"goto: the script has no branch {branch!r}"
                    )
                branch = self._steps(running, steps.get("actions") or [], branch)
            status, error = "done", None
        except _End as end:
            status, error = end.status, {"code": end.code, "message": end.message}
        except ExpressionError as problem:
            status, error = "failed", {"code": "expression-error", "message": str(problem)}
        final = {}
        for name in sorted(running.names):
            try:
                final[name] = running.js.read(name)
            except ExpressionError:
                final[name] = None
        with store.lock:
            run.status, run.error, run.variables = status, error, final
            run.ended = store.clock.now()
            if run.branch == "inbound-call" and run.call and run.call.isdigit():
                self._shape_call(run, document)
            self.journal.record(
                JournalEntry(
                    time=iso(run.ended),
                    method="RUN",
                    path=f"/actions/{run.scenario}#{run.branch}",
                    query="",
                    status=None,
                    account=run.account,
                    operation=f"actions:{run.branch}",
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    error=error,
                    # what started it, and the run with its trace (GET /_mock/journal/{seq})
                    request=_json_message(
                        {
                            "scenario": trigger.scenario,
                            "branch": trigger.branch,
                            "variables": trigger.variables,
                            **trigger.objects,
                        }
                    ),
                    response=_json_message(run.to_api()),
                )
            )
            store.touch()

    def _shape_call(self, run: Run, document: dict[str, Any]) -> None:
        """The call record follows what the run did [inferred, docs/actions.md]: answered
        when ``answer@v1`` ran, or a ``say@v2``, ``play@v1`` or ``gather@v2`` with the
        script's ``defaults.autoAnswer`` not false, or a ``dial@v1`` that was ok; hung up by
        the scenario when ``hangup@v1`` ran."""
        account = self.store.find_account(run.account)
        if account is None:
            return
        ran = [step for step in run.trace if step["kind"] == "action"]
        names = {step["action"] for step in ran if step.get("outcome") != "refused"}
        auto = (document.get("defaults") or {}).get("autoAnswer", True) is not False
        dialled = any(
            step["action"] == "dial@v1" and (step.get("outcome") or {}).get("ok") for step in ran
        )
        answered = "answer@v1" in names or dialled or (auto and bool(names & AUTO_ANSWERING))
        account.calls.shape(
            int(run.call or 0), answered=answered, hungup_by_scenario="hangup@v1" in names
        )

    def _steps(self, running: _Running, steps: list[Any], branch: str) -> str | None:
        """Run ``steps``; the branch a ``goto`` names, or None at the end of the list."""
        for index, step in enumerate(steps):
            running.steps += 1
            if running.steps > MAX_STEPS:
                raise _End("step-limit", "step-limit", f"more than {MAX_STEPS} steps: a goto loop?")
            if not isinstance(step, dict):
                raise _End("failed", "invalid-step", f"{branch} step {index} is not a mapping")
            if "if" in step:
                condition = step["if"]
                holds = (
                    condition
                    if isinstance(condition, bool)
                    else running.js.truthy(_bare(str(condition)))
                )
                self._trace(running, branch, index, "if", condition=condition, outcome=holds)
                if not holds:
                    continue
                if "then" in step:
                    target = self._steps(running, step["then"] or [], branch)
                    if target is not None:
                        return target
            if "goto" in step:
                target = str((step["goto"] or {}).get("branch", ""))
                self._trace(running, branch, index, "goto", outcome=target)
                return target
            if "action" in step:
                self._action(running, step, branch, index)
        return None

    def _action(self, running: _Running, step: dict[str, Any], branch: str, index: int) -> None:
        name = str(step["action"])
        run = running.run
        params = running.js.render(step.get("params") or {})
        if not isinstance(params, dict):
            raise _End("failed", "invalid-params", f"{name}: params must be a mapping")
        if name in CALL_ACTIONS and run.type != "inbound-call":
            self._trace(
                running, branch, index, "action", action=name, params=params, outcome="refused"
            )
            raise _End(
                "failed", "no-call", f"{name} needs a call: use it in an inbound-call branch"
            )
        result: Any
        if name == "log@v1":
            message = params.get("message")
            text = message if isinstance(message, str) else json.dumps(message)
            with self.store.lock:
                run.log.append(text)
            result = {"ok": True}
        elif name == "sms@v1":
            result = self._sms(run, params)
        elif name == "fetch@v2":
            result = self._fetch(params)
        elif name == "javascript@v1":
            running.js.execute(str(params.get("code", "")))
            result = {"ok": True}
        elif name == "dial@v1":
            targets = params.get("targets") or []
            numbers = [t.get("number") if isinstance(t, dict) else t for t in targets]
            ok = any(isinstance(n, str) and is_possible_number(n) for n in numbers)
            result = {"ok": ok, "number": next((n for n in numbers if isinstance(n, str)), None)}
        elif name == "gather@v2":
            result = self._gather(running, params)
        elif name in CALL_ACTIONS:
            result = {"ok": True}
        else:
            self._trace(
                running, branch, index, "action", action=name, params=params, outcome="not-emulated"
            )
            raise _End(
                "not-emulated",
                "not-emulated",
                f"{name} is not emulated by callr-mock (step {index} of {branch}); "
                "emulated: log@v1, sms@v1, fetch@v2, javascript@v1 and the call actions "
                + ", ".join(sorted(CALL_ACTIONS)),
            )
        self._trace(
            running, branch, index, "action", action=name, params=_shown(params), outcome=result
        )
        target = step.get("result")
        if isinstance(target, str) and target:
            running.js.define(target, result)
            running.names.add(target)

    @staticmethod
    def _gather(running: _Running, params: dict[str, Any]) -> dict[str, Any]:
        """The caller's next keys (the call's ``digits``), up to ``maxDigits``."""
        try:
            most = int(params.get("maxDigits") or len(running.digits) or 1)
        except (TypeError, ValueError):
            raise _End(
                "failed", "invalid-params", "gather@v2: 'maxDigits' must be a number"
            ) from None
        keyed, running.digits = running.digits[:most], running.digits[most:]
        return {"ok": bool(keyed), "digits": keyed}

    def _sms(self, run: Run, params: dict[str, Any]) -> dict[str, Any]:
        recipients = params.get("to")
        if isinstance(recipients, str):
            recipients = [recipients]
        if not isinstance(recipients, list) or not recipients:
            raise _End("failed", "invalid-params", "sms@v1: 'to' must be a list of E.164 numbers")
        body = params.get("body")
        if not isinstance(body, str) or not body.strip():
            raise _End("failed", "invalid-params", "sms@v1: 'body' must be a non-empty text")
        sent = []
        with self.store.lock:
            account = self.store.find_account(run.account)
            if account is None:
                raise _End("failed", "account-gone", "the account was deleted during the run")
            self.store.scheduler.run_due(self.store.clock.now())
            for to in recipients:
                try:
                    sms = account.sms.send(
                        str(to), body.strip(), sender_id=params.get("from") or None
                    )
                except ApiError as error:
                    raise _End("failed", error.code, f"sms@v1 to {to}: {error.message}") from None
                sent.append(sms.sid)
        return {"ok": True, "sms": sent}

    def _fetch(self, params: dict[str, Any]) -> dict[str, Any]:
        url = str(params.get("url", ""))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _End("failed", "invalid-params", f"fetch@v2: {url!r} is not an http(s) URL")
        if self.settings.deny_private_webhooks and private_address(parts.hostname):
            return _failed_fetch(
                f"refused: {parts.hostname} is a private address (--deny-private-webhooks)"
            )
        try:
            timeout = min(float(params.get("timeout", FETCH_TIMEOUT_DEFAULT)), FETCH_TIMEOUT_MAX)
        except (TypeError, ValueError):
            raise _End(
                "failed", "invalid-params", "fetch@v2: 'timeout' must be a number of seconds"
            ) from None
        headers = {str(k): str(v) for k, v in (params.get("headers") or {}).items()}
        headers.setdefault("User-Agent", USER_AGENT)
        body = params.get("body")
        data: bytes | None = None
        if isinstance(body, dict | list):
            data = json.dumps(body).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        elif body is not None:
            data = str(body).encode("utf-8")
        try:
            answer = self._http.request(
                str(params.get("method", "GET")).upper(),
                url,
                headers=headers,
                data=data,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            return _failed_fetch(f"{type(error).__name__}: {error}")
        text = answer.text
        try:
            parsed = answer.json()
        except ValueError:
            parsed = None
        return {
            "ok": 200 <= answer.status_code < 300,
            "status": answer.status_code,
            "statusText": answer.reason or "",
            "headers": dict(answer.headers),
            "body": text,
            "json": parsed,
        }

    def _trace(self, running: _Running, branch: str, index: int, kind: str, **fields: Any) -> None:
        with self.store.lock:
            running.run.trace.append(
                {
                    "step": len(running.run.trace) + 1,
                    "branch": branch,
                    "index": index,
                    "kind": kind,
                    **fields,
                    "at": iso(self.store.clock.now()),
                }
            )


def _json_message(body: Any) -> Message:
    return Message.of([], "application/json", json.dumps(body, default=str).encode("utf-8"))


def _var(name: str) -> str:
    return name if name.startswith("$") else "$" + name


def _bare(condition: str) -> str:
    """``if: ${{ x }}`` and ``if: x`` are the same condition."""
    text = condition.strip()
    if text.startswith("${{") and text.endswith("}}"):
        return text[3:-2]
    return text


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    """The params as the trace shows them: secret headers masked."""
    headers = params.get("headers")
    if not isinstance(headers, dict):
        return params
    return {**params, "headers": {k: header_value(str(k), str(v)) for k, v in headers.items()}}


def _failed_fetch(reason: str) -> dict[str, Any]:
    return {"ok": False, "status": 0, "statusText": reason, "headers": {}, "body": "", "json": None}


def _actions_sms(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``sms`` object a scenario sees (Callr Actions shape, docs.callr.com/docs/receive-sms)
    from the REST v2 SMS of the event."""
    sender, recipient = describe(str(payload.get("from", ""))), describe(str(payload.get("to", "")))
    return {
        "sid": payload.get("sid"),
        "direction": payload.get("direction", "inbound"),
        "fromNumber": payload.get("from"),
        "fromType": sender.type,
        "fromCountry": sender.country,
        "fromLocation": sender.location,
        "toNumber": payload.get("to"),
        "toType": recipient.type,
        "toCountry": recipient.country,
        "toLocation": recipient.location,
        "status": payload.get("status"),
        "encoding": payload.get("encoding"),
        "bodyText": (payload.get("body") or {}).get("text", ""),
        "parts": payload.get("parts"),
        "billingDebit": payload.get("cost"),
        "billingPaymentType": payload.get("paymentType"),
        "network": payload.get("network", ""),
        "deliveredAt": payload.get("delivered"),
        "createdAt": payload.get("created"),
        "updatedAt": payload.get("updated"),
        "sentAt": payload.get("sent"),
    }


def _actions_call(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``call`` object a scenario sees: the numbers, and the call record as ``cdr``."""
    return {
        "fromNumber": payload.get("from") or payload.get("callerNumber"),
        "toNumber": payload.get("to") or payload.get("callee"),
        "direction": payload.get("direction", "inbound"),
        "cdr": payload,
    }
