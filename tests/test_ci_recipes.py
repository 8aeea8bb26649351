"""The CI recipes of ``docs/ci/`` (GitHub Actions, GitLab CI) run their commands here.

The CI services cannot be reached from this machine, so each recipe's own commands run in
order in one shell, in a project of their own (``tests/`` = this repository's examples):
start the sandbox, wait for it, run the suite against it with the coverage gate, keep the
report. The install line is checked for its form and not run (the package is installed
already); the port is a free one instead of 4010 (CI runs several of these at once).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "docs" / "ci"
INSTALL = "python -m pip install -e . ./vendor/callr-mock"


def commands_of(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "jobs" in data:  # GitHub Actions
        steps = [s for job in data["jobs"].values() for s in job["steps"]]
        return [line for s in steps if "run" in s for line in s["run"].strip().splitlines()]
    return [line for job in data.values() if isinstance(job, dict) for line in job["script"]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_recipe(commands: list[str], project: Path, gate: str = "10") -> Any:
    """The recipe's commands after the install line, in one shell, in ``project`` (whose
    ``tests/`` are this repository's examples), on a free port; the sandbox is stopped."""
    shutil.copytree(ROOT / "examples", project / "tests")
    port = str(_free_port())
    script = "\n".join(
        c.replace("4010", port).replace("fail-under=10", f"fail-under={gate}") for c in commands[1:]
    )
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n{script}"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("recipe", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_ci_recipe_runs(recipe: str, tmp_path: Path) -> None:
    commands = commands_of(RECIPES / recipe)
    assert commands[0] == INSTALL
    run = run_recipe(commands, tmp_path)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert "12 passed" in run.stdout
    report = (tmp_path / "callr-mock-coverage.html").read_text(encoding="utf-8")
    assert "callr-mock coverage" in report.lower() or "<html" in report.lower()
    assert (tmp_path / "callr-mock.log").read_text(encoding="utf-8").startswith("callr-mock")


def test_the_gate_fails_the_job_below_its_threshold(tmp_path: Path) -> None:
    run = run_recipe(commands_of(RECIPES / "gitlab-ci.yml"), tmp_path, gate="90")
    assert run.returncode != 0
    assert "90" in run.stdout + run.stderr
