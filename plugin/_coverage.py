"""The plugin's side of the coverage report (``--callr-mock-cov``): collect, merge, write.

The sandbox counts (``callr_mock.contract.coverage``); the plugin asks it for the report before the
session server stops, adds up the reports of pytest-xdist workers, prints the terminal
section, writes the requested files and applies ``--callr-mock-cov-fail-under``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._session import SessionServer

REPORT_KINDS = ("term", "json", "html", "markdown")
WORKER_OUTPUT_KEY = "callr_mock_coverage"


@dataclass
class CoverageOptions:
    enabled: bool = False
    reports: list[tuple[str, str | None]] = field(default_factory=list)  # (kind, path)
    fail_under: float | None = None


def parse_report(text: str) -> tuple[str, str | None]:
    """``term``, or ``json:PATH`` / ``html:PATH`` / ``markdown:PATH``; ValueError when not."""
    kind, colon, path = text.partition(":")
    if kind not in REPORT_KINDS:
        raise ValueError(
            f"--callr-mock-cov-report={text!r}: use term, json:PATH, html:PATH or markdown:PATH"
        )
    if kind == "term":
        if colon:
            raise ValueError("--callr-mock-cov-report=term takes no path")
        return kind, None
    if not path:
        raise ValueError(f"--callr-mock-cov-report={kind} needs a path: {kind}:PATH")
    return kind, path


def collect(server: SessionServer) -> dict[str, Any]:
    """This run's report: everything the in-process server saw, or, on an external server,
    only the accounts this run created."""
    from callr_mock.contract.coverage import merge

    if not server.external:
        return dict(server.control.call("GET", "/coverage"))
    if not server.accounts:
        return merge([dict(server.control.call("GET", "/coverage", params={"account": "-"}))])
    return merge(
        dict(server.control.call("GET", "/coverage", params={"account": sid}))
        for sid in server.accounts
    )


def write(result: dict[str, Any], reports: list[tuple[str, str | None]]) -> list[str]:
    """Write the file reports; return the lines saying where."""
    from callr_mock.contract.coverage import render

    written = []
    for kind, path in reports:
        if path is None:
            continue
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(result, kind), encoding="utf-8")
        written.append(f"{kind} report written to {target}")
    return written
