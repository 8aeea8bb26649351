"""What a test suite exercised: a Callr API coverage report built from the sandbox's traffic.

``CoverageTally`` counts, per account, every answered exchange (operation, status, error
``code``; legacy JSON-RPC methods alike), every event fired, every webhook delivery that
ended (delivered, retried, failed), the lifecycle statuses objects reached and the magic
numbers used. The tally outlives the accounts it counts (the plugin deletes each test's
account at teardown) and is bounded by the spec's size, not by the traffic.

``report`` turns a tally into the documented JSON (``schemas/coverage.json`` in
``spec/control.yaml``'s ``CoverageReport``); ``merge`` adds reports together (pytest-xdist
workers, several accounts) and recomputes the summary from the merged counts alone, so
a merged report needs no spec. ``render`` prints it as text, Markdown or one HTML file.
No Flask here: the control API, the CLI and the pytest plugin all use this module.
"""

from __future__ import annotations

import html
import json
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..base.journal import LEGACY_OPERATION_PREFIX
from ..base.wire import HTTP_METHODS
from ..state.events import Event
from .provenance import count_provenance

FORMAT_VERSION = 1

# Events whose payload carries the status an object reached, by lifecycle kind.
LIFECYCLE_EVENTS = {
    "v2.sms.outbound.updated": "sms",
    "v2.task.updated": "task",
    "v2.audio-file.updated": "audio_file",
    "v2.recording.updated": "recording",
}


def _counts() -> dict[str, Any]:
    return {"calls": 0, "statuses": Counter(), "codes": Counter()}


class _AccountTally:
    def __init__(self) -> None:
        self.operations: dict[str, dict[str, Any]] = {}
        self.legacy: dict[str, dict[str, Any]] = {}
        self.fired: Counter[str] = Counter()
        self.delivered: Counter[str] = Counter()
        self.lifecycles: dict[str, Counter[str]] = {}
        self.magic: Counter[str] = Counter()


class CoverageTally:
    """Thread-safe per-account counters fed by the journal writer, events and deliveries."""

    def __init__(self, magic_numbers: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, _AccountTally] = {}
        self._magic = frozenset(magic_numbers)

    def _of(self, account: str | None) -> _AccountTally:
        key = account or ""
        tally = self._accounts.get(key)
        if tally is None:  # built only when missing: this runs on every request
            tally = self._accounts[key] = _AccountTally()
        return tally

    def exchange(
        self, account: str | None, operation: str | None, status: int | None, code: Any = None
    ) -> None:
        """One answered request: an operationId, or a legacy method with its journal prefix."""
        if not operation or status is None:
            return
        with self._lock:
            tally = self._of(account)
            legacy = operation.startswith(LEGACY_OPERATION_PREFIX)
            table = tally.legacy if legacy else tally.operations
            name = operation.removeprefix(LEGACY_OPERATION_PREFIX)
            row = table.get(name)
            if row is None:
                row = table[name] = _counts()
            row["calls"] += 1
            row["statuses"][str(status)] += 1
            if code is not None and code != "":
                row["codes"][str(code)] += 1

    def event(self, event: Event) -> None:
        with self._lock:
            tally = self._of(event.account_sid)
            tally.fired[event.type] += 1
            kind = LIFECYCLE_EVENTS.get(event.type)
            status = event.payload.get("status") if isinstance(event.payload, dict) else None
            if kind and isinstance(status, str):
                _steps(tally, kind)[status] += 1
            magic = self._magic
            if magic:
                for value in _near_strings(event.payload):
                    if value in magic:
                        tally.magic[value] += 1

    def lifecycle(self, account: str, kind: str, status: str) -> None:
        with self._lock:
            _steps(self._of(account), kind)[status] += 1

    def delivery(self, account: str, event_type: str, state: str, attempts: int) -> None:
        """A webhook delivery ended (``delivered`` or ``failed``) after ``attempts`` tries."""
        with self._lock:
            tally = self._of(account)
            if state == "delivered":
                tally.delivered[event_type] += 1
            steps = _steps(tally, "webhook_delivery")
            steps[state] += 1
            if attempts > 1:
                steps["retried"] += 1

    def clear(self) -> None:
        with self._lock:
            self._accounts.clear()

    def raw(self, accounts: Iterable[str] | None = None) -> _AccountTally:
        """The counts of ``accounts`` (all when None) added together."""
        total = _AccountTally()
        with self._lock:
            wanted = None if accounts is None else set(accounts)
            for sid, tally in self._accounts.items():
                if wanted is not None and sid not in wanted:
                    continue
                for mine, theirs in (
                    (total.operations, tally.operations),
                    (total.legacy, tally.legacy),
                ):
                    for name, row in theirs.items():
                        into = mine.setdefault(name, _counts())
                        into["calls"] += row["calls"]
                        into["statuses"].update(row["statuses"])
                        into["codes"].update(row["codes"])
                total.fired.update(tally.fired)
                total.delivered.update(tally.delivered)
                total.magic.update(tally.magic)
                for kind, steps in tally.lifecycles.items():
                    total.lifecycles.setdefault(kind, Counter()).update(steps)
        return total


def _steps(tally: _AccountTally, kind: str) -> Counter[str]:
    steps = tally.lifecycles.get(kind)
    if steps is None:
        steps = tally.lifecycles[kind] = Counter()
    return steps


def _near_strings(payload: Any) -> list[str]:
    """The strings of a payload and of the objects directly in it, where numbers stand
    (``to``, ``from``, ``callee``): constant work per event, not a walk of the whole payload
    (its status history grows with every step)."""
    if type(payload) is not dict:
        return []
    found = []
    for value in payload.values():
        kind = type(value)
        if kind is str:
            found.append(value)
        elif kind is dict:
            found += [item for item in value.values() if type(item) is str]
    return found


# -- the report ----------------------------------------------------------------------------------
def _row(row: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    row = row or _counts()
    return {
        "calls": row["calls"],
        "statuses": dict(sorted(row["statuses"].items())),
        "codes": dict(sorted(row["codes"].items())),
        **extra,
    }


def spec_index(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """operationId → its method, path, provenance, note and inferred parts (for the report)."""
    parts = count_provenance(document)["inferred_parts"]
    index: dict[str, dict[str, Any]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if not isinstance(op, dict) or not op.get("operationId"):
                continue
            op_id = op["operationId"]
            label = f"{method.upper()} {path} ({op_id})"
            index[op_id] = {
                "method": method.upper(),
                "path": path,
                "provenance": op.get("x-provenance", "unmarked"),
                "note": str(op.get("x-provenance-note") or "").strip(),
                "inferred_parts": [
                    p["name"].removeprefix(label + " > ") + (f": {p['note']}" if p["note"] else "")
                    for p in parts
                    if p["name"].startswith(label + " >")
                ],
            }
    return index


def report(
    tally: _AccountTally,
    index: dict[str, dict[str, Any]],
    legacy_methods: Iterable[str],
    event_types: Iterable[str],
) -> dict[str, Any]:
    """The documented JSON report: every operation and legacy method listed, called or not."""
    operations = {
        op_id: _row(
            tally.operations.get(op_id),
            method=meta["method"],
            path=meta["path"],
            provenance=meta["provenance"],
            note=meta["note"],
            inferred_parts=meta["inferred_parts"],
        )
        for op_id, meta in sorted(index.items())
    }
    # operations the spec does not have (a user's spec swapped, generated answers) still count
    for op_id, row in tally.operations.items():
        operations.setdefault(
            op_id, _row(row, method="", path="", provenance="unmarked", note="", inferred_parts=[])
        )
    legacy = {
        name: _row(tally.legacy.get(name))
        for name in sorted(set(legacy_methods) | set(tally.legacy))
    }
    events = {
        kind: {"fired": tally.fired.get(kind, 0), "delivered": tally.delivered.get(kind, 0)}
        for kind in sorted(set(event_types) | set(tally.fired))
    }
    result = {
        "version": FORMAT_VERSION,
        "operations": operations,
        "legacy": legacy,
        "events": events,
        "lifecycles": {k: dict(sorted(v.items())) for k, v in sorted(tally.lifecycles.items())},
        "magic_numbers": dict(sorted(tally.magic.items())),
    }
    return summarize(result)


def summarize(result: dict[str, Any]) -> dict[str, Any]:
    """Recompute ``summary`` and ``inferred`` from the counts (after a merge too)."""
    ops = result["operations"]
    covered = [k for k, v in ops.items() if v["calls"]]
    legacy_called = [k for k, v in result["legacy"].items() if v["calls"]]
    statuses = {(k, s) for k, v in ops.items() for s in v["statuses"]}
    codes = {(k, c) for k, v in ops.items() for c in v["codes"]}
    total = len(ops)
    result["summary"] = {
        "operations_covered": len(covered),
        "operations_total": total,
        "percent": round(100.0 * len(covered) / total, 1) if total else 0.0,
        "calls": sum(v["calls"] for v in ops.values()),
        "responses_seen": len(statuses),
        "error_codes_seen": len(codes),
        "legacy_methods_covered": len(legacy_called),
        "legacy_methods_total": len(result["legacy"]),
        "events_fired": sum(1 for v in result["events"].values() if v["fired"]),
        "events_delivered": sum(1 for v in result["events"].values() if v["delivered"]),
        "events_total": len(result["events"]),
        "lifecycle_states": sum(len(v) for v in result["lifecycles"].values()),
        "uncovered": sorted(k for k, v in ops.items() if not v["calls"]),
    }
    result["inferred"] = [
        {
            "operation": op_id,
            "provenance": ops[op_id]["provenance"],
            "note": ops[op_id]["note"],
            "inferred_parts": ops[op_id]["inferred_parts"],
        }
        for op_id in sorted(covered)
        if ops[op_id]["provenance"] == "inferred" or ops[op_id]["inferred_parts"]
    ]
    return result


def merge(reports: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Add reports together (xdist workers, accounts); listings are unioned, counts summed."""
    merged: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "operations": {},
        "legacy": {},
        "events": {},
        "lifecycles": {},
        "magic_numbers": {},
    }
    for one in reports:
        for section in ("operations", "legacy"):
            for name, row in one.get(section, {}).items():
                into = merged[section].setdefault(
                    name, {**row, "calls": 0, "statuses": {}, "codes": {}}
                )
                into["calls"] += row["calls"]
                for key in ("statuses", "codes"):
                    for value, n in row[key].items():
                        into[key][value] = into[key].get(value, 0) + n
        for kind, row in one.get("events", {}).items():
            into = merged["events"].setdefault(kind, {"fired": 0, "delivered": 0})
            into["fired"] += row["fired"]
            into["delivered"] += row["delivered"]
        for kind, steps in one.get("lifecycles", {}).items():
            into = merged["lifecycles"].setdefault(kind, {})
            for status, n in steps.items():
                into[status] = into.get(status, 0) + n
        for number, n in one.get("magic_numbers", {}).items():
            merged["magic_numbers"][number] = merged["magic_numbers"].get(number, 0) + n
    return summarize(merged)


# -- rendering -----------------------------------------------------------------------------------
def summary_lines(result: dict[str, Any]) -> list[str]:
    s = result["summary"]
    lines = [
        f"operations {s['operations_covered']}/{s['operations_total']} ({s['percent']}%), "
        f"{s['calls']} calls",
        f"responses {s['responses_seen']} (operation, status) pairs; error codes {s['error_codes_seen']}",
        f"legacy methods {s['legacy_methods_covered']}/{s['legacy_methods_total']}",
        f"events fired {s['events_fired']}/{s['events_total']}, delivered {s['events_delivered']}",
        f"lifecycle states {s['lifecycle_states']}: "
        + (
            "; ".join(f"{kind} {', '.join(steps)}" for kind, steps in result["lifecycles"].items())
            or "none"
        ),
    ]
    if result["magic_numbers"]:
        lines.append("magic numbers " + ", ".join(result["magic_numbers"]))
    if s["uncovered"]:
        lines.append("uncovered: " + ", ".join(s["uncovered"]))
    if result["inferred"]:
        lines.append(
            f"inferred ground ({len(result['inferred'])} operations to double-check against "
            "Callr): " + ", ".join(i["operation"] for i in result["inferred"])
        )
    return lines


def render(result: dict[str, Any], fmt: str) -> str:
    """``text``/``term``, ``markdown``, ``html`` (one self-contained file) or ``json``."""
    if fmt == "json":
        return json.dumps(result, indent=2, sort_keys=True) + "\n"
    if fmt in ("text", "term"):
        return "\n".join(summary_lines(result)) + "\n"
    rows = [
        (
            op_id,
            row["method"],
            row["path"],
            row["calls"],
            row["statuses"],
            row["codes"],
            row["provenance"],
        )
        for op_id, row in result["operations"].items()
    ]
    if fmt == "markdown":
        out = ["# callr-mock coverage", ""]
        out += [f"- {line}" for line in summary_lines(result)]
        out += ["", "| operation | method | path | calls | statuses | codes | provenance |"]
        out += ["| --- | --- | --- | ---: | --- | --- | --- |"]
        for op_id, method, path, calls, statuses, codes, prov in rows:
            fmt_counts = lambda d: ", ".join(f"{k}×{v}" for k, v in d.items()) or "–"  # noqa: E731
            out.append(
                f"| `{op_id}` | {method} | `{path}` | {calls} | {fmt_counts(statuses)} | "
                f"{fmt_counts(codes)} | {prov} |"
            )
        return "\n".join(out) + "\n"
    if fmt == "html":
        e = html.escape
        body = "".join(
            f'<tr class="{"hit" if calls else "miss"}"><td><code>{e(op_id)}</code></td>'
            f"<td>{e(method)}</td><td><code>{e(path)}</code></td><td>{calls}</td>"
            f"<td>{e(', '.join(f'{k}×{v}' for k, v in statuses.items()))}</td>"
            f"<td>{e(', '.join(f'{k}×{v}' for k, v in codes.items()))}</td><td>{e(prov)}</td></tr>"
            for op_id, method, path, calls, statuses, codes, prov in rows
        )
        summary = "".join(f"<li>{e(line)}</li>" for line in summary_lines(result))
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>callr-mock coverage</title><style>"
            "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.2em .5em}.miss{background:#fee}.hit{background:#efe}"
            "</style></head><body><h1>callr-mock coverage</h1>"
            f"<ul>{summary}</ul><table><tr><th>operation</th><th>method</th><th>path</th>"
            f"<th>calls</th><th>statuses</th><th>codes</th><th>provenance</th></tr>{body}</table>"
            f'<script type="application/json" id="report">{e(json.dumps(result))}</script>'
            "</body></html>\n"
        )
    raise ValueError(f"unknown coverage format {fmt!r}: use text, markdown, html or json")
