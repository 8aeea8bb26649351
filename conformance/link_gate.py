"""The stateful gate: every operation an OpenAPI link leads to was reached by a link, with a 2xx.

Reads the NDJSON event stream of a schemathesis run (``--report ndjson``) and the spec the run
tested. An operation counts as reached when, in the stateful phase, a step that followed one of
the spec's own links (not a link schemathesis inferred), with every linked parameter resolved
from the earlier answer, got a 2xx answer. Prints one line per linked operation (when it was
first reached, in seconds from the start of the phase, and the statuses its linked steps got)
and exits 1 when one was never reached.

Usage: python conformance/link_gate.py REPORT.ndjson SPEC.yaml
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml


def linked_operations(spec: dict[str, Any]) -> list[str]:
    """``METHOD /path`` of every operation some link of the spec leads to, in spec order."""
    labels: dict[str, str] = {}
    targets: set[str] = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            labels[operation["operationId"]] = f"{method.upper()} {path}"
            for answer in operation.get("responses", {}).values():
                for link in (answer.get("links") or {}).values():
                    targets.add(link["operationId"])
    return [label for operation_id, label in labels.items() if operation_id in targets]


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
    if len(argv) != 2:
        print("usage: python conformance/link_gate.py REPORT.ndjson SPEC.yaml", file=sys.stderr)
        return 2
    spec = yaml.safe_load(Path(argv[1]).read_text(encoding="utf-8"))
    operations = linked_operations(spec)
    reached, statuses = linked_steps(Path(argv[0]))
    for label in operations:
        seen = ", ".join(f"{n}×{s}" for s, n in sorted(statuses.get(label, Counter()).items()))
        when = f"first 2xx at {reached[label]:5.1f} s" if label in reached else "never reached"
        print(
            f"  {'✅' if label in reached else '❌'} {label:42} {when}  ({seen or 'no linked step'})"
        )
    missed = [label for label in operations if label not in reached]
    print(
        f"link gate: {len(operations) - len(missed)} of {len(operations)} linked operations "
        "reached by a link-driven step with a 2xx"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
