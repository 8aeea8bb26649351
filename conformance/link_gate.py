"""The stateful gate: every operation an OpenAPI link leads to was reached by a link, with a 2xx.

Reads the NDJSON event streams of schemathesis runs (``--report ndjson``) and the spec they
tested. An operation counts as reached when, in the stateful phase of one of the runs, a step
that followed one of the spec's own links (not a link schemathesis inferred), with every
linked parameter resolved from the earlier answer, got a 2xx answer. Prints one line per
linked operation (when it was first reached, in seconds from the start of that run's phase,
which run when there are several, and the statuses its linked steps got) and exits 1 when
one was never reached.

With ``--focus``, prints instead the operation ids a focused second run needs, on one line:
each operation never reached, and every operation from which a chain of links leads to it
(so that the run can reach the first link's source with a 2xx and follow the chain); nothing
when all were reached. conformance/run.sh gives the missed ones that second chance, since
which links schemathesis follows, and how often, varies from run to run.

Usage: python conformance/link_gate.py [--focus] SPEC.yaml REPORT.ndjson [REPORT.ndjson ...]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

USAGE = (
    "usage: python conformance/link_gate.py [--focus] SPEC.yaml REPORT.ndjson [REPORT.ndjson ...]"
)


class Links:
    """The spec's operations (``METHOD /path`` by operation id) and the links between them."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.labels: dict[str, str] = {}
        self.sources: dict[str, set[str]] = {}
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                self.labels[operation["operationId"]] = f"{method.upper()} {path}"
                for answer in operation.get("responses", {}).values():
                    for link in (answer.get("links") or {}).values():
                        self.sources.setdefault(link["operationId"], set()).add(
                            operation["operationId"]
                        )

    def targets(self) -> list[str]:
        """Operation ids some link leads to, in spec order."""
        return [operation_id for operation_id in self.labels if operation_id in self.sources]

    def ancestors(self, operation_id: str) -> set[str]:
        """Every operation from which a chain of links leads to ``operation_id``."""
        found: set[str] = set()
        todo = [operation_id]
        while todo:
            for source in self.sources.get(todo.pop(), ()):
                if source not in found:
                    found.add(source)
                    todo.append(source)
        return found


def _resolved(transition: dict[str, Any]) -> bool:
    parameters = [
        parameter
        for location in (transition.get("parameters") or {}).values()
        for parameter in location.values()
    ]
    return all(
        "value" in parameter
        and not (isinstance(parameter["value"], dict) and parameter["value"].get("$unresolvable"))
        for parameter in parameters
    )


def linked_steps(report: Path) -> tuple[dict[str, float], dict[str, Counter[int]]]:
    """When each operation was first reached by a resolved declared link with a 2xx; statuses."""
    reached: dict[str, float] = {}
    statuses: dict[str, Counter[int]] = {}
    start: float | None = None
    with report.open(encoding="utf-8") as events:
        for line in events:
            kind, event = next(iter(json.loads(line).items()))
            if kind == "PhaseStarted" and event["phase"]["name"] == "stateful":
                start = event["timestamp"]
            if kind != "ScenarioFinished" or event.get("phase") != "stateful":
                continue
            recorder = event["recorder"]
            for case_id, case in recorder.get("cases", {}).items():
                transition = case.get("transition")
                if not transition or transition.get("is_inferred") or not _resolved(transition):
                    continue
                answer = (recorder["interactions"].get(case_id) or {}).get("response")
                if not answer:
                    continue
                label = f"{case['value']['method']} {case['value']['path']}"
                status = answer["status_code"]
                statuses.setdefault(label, Counter())[status] += 1
                if 200 <= status < 300 and label not in reached:
                    reached[label] = event["timestamp"] - (start or event["timestamp"])
    return reached, statuses


def main(argv: list[str]) -> int:
    focus = argv[:1] == ["--focus"]
    arguments = argv[1:] if focus else argv
    if len(arguments) < 2:
        print(USAGE, file=sys.stderr)
        return 2
    links = Links(yaml.safe_load(Path(arguments[0]).read_text(encoding="utf-8")))
    reports = [Path(name) for name in arguments[1:]]
    reached: dict[str, tuple[float, int]] = {}
    statuses: dict[str, Counter[int]] = {}
    for number, report in enumerate(reports, start=1):
        report_reached, report_statuses = linked_steps(report)
        for label, seconds in report_reached.items():
            reached.setdefault(label, (seconds, number))
        for label, counts in report_statuses.items():
            statuses.setdefault(label, Counter()).update(counts)
    targets = links.targets()
    missed = [op for op in targets if links.labels[op] not in reached]
    if focus:
        wanted = set(missed).union(*(links.ancestors(op) for op in missed))
        print(" ".join(op for op in links.labels if op in wanted))
        return 0
    for operation_id in targets:
        label = links.labels[operation_id]
        seen = ", ".join(f"{n}×{s}" for s, n in sorted(statuses.get(label, Counter()).items()))
        if label in reached:
            seconds, number = reached[label]
            run = f" of run {number}" if len(reports) > 1 else ""
            when = f"first 2xx at {seconds:5.1f} s{run}"
        else:
            when = "never reached"
        print(
            f"  {'✅' if label in reached else '❌'} {label:42} {when}  ({seen or 'no linked step'})"
        )
    print(
        f"link gate: {len(targets) - len(missed)} of {len(targets)} linked operations "
        "reached by a link-driven step with a 2xx"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
