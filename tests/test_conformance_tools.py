"""The tools of our conformance run (conformance/run.sh): the link gate and the audio hooks.

The gate must count only a step that followed one of the spec's own links, with its linked
parameters resolved from the earlier answer, and that got a 2xx; the hooks must give each
audio media type content the sandbox takes as that type.
"""

from __future__ import annotations

import functools
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from callr_mock import Settings, create_app
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Api

ROOT = Path(__file__).resolve().parents[1]
GATE = ROOT / "conformance" / "link_gate.py"

SPEC = """
paths:
  /things:
    post:
      operationId: createThing
      responses:
        '201':
          description: made
          links:
            GetThing: {operationId: getThing, parameters: {sid: '$response.body#/sid'}}
  /things/{sid}:
    get:
      operationId: getThing
      responses: {'200': {description: one}}
    delete:
      operationId: deleteThing
      responses: {'204': {description: gone}}
"""


def step(
    case_id: str, path: str, status: int, *, inferred: bool = False, resolved: bool = True
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    value: dict[str, Any] = (
        {"value": "abcd1234"} if resolved else {"value": {"$unresolvable": True}}
    )
    transition = {
        "id": f"POST /things -> [201] GetThing -> GET {path}",
        "is_inferred": inferred,
        "parameters": {"path_parameters": {"sid": {"definition": "$response.body#/sid", **value}}},
    }
    case = {"value": {"method": path.split()[0], "path": path.split()[1]}, "transition": transition}
    return case_id, case, {"response": {"status_code": status}}


def report(
    tmp_path: Path, *steps: tuple[str, dict[str, Any], dict[str, Any]], name: str = "report"
) -> Path:
    recorder = {
        "cases": {case_id: case for case_id, case, _ in steps},
        "interactions": {case_id: answer for case_id, _, answer in steps},
    }
    events = [
        {"PhaseStarted": {"timestamp": 100.0, "phase": {"name": "stateful"}}},
        {"ScenarioFinished": {"timestamp": 102.5, "phase": "stateful", "recorder": recorder}},
    ]
    path = tmp_path / f"{name}.ndjson"
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


def gate(tmp_path: Path, *ndjson: Path, focus: bool = False) -> subprocess.CompletedProcess[str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(GATE), *(["--focus"] if focus else []), str(spec), *map(str, ndjson)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_gate_passes_when_every_linked_operation_got_a_linked_2xx(tmp_path: Path) -> None:
    result = gate(tmp_path, report(tmp_path, step("a", "GET /things/{sid}", 200)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GET /things/{sid}" in result.stdout and "2.5 s" in result.stdout
    assert "1 of 1 linked operations" in result.stdout
    assert "DELETE" not in result.stdout  # no link leads there: not the gate's business


@pytest.mark.parametrize(
    "steps",
    [
        [step("a", "GET /things/{sid}", 404)],
        [step("a", "GET /things/{sid}", 200, inferred=True)],
        [step("a", "GET /things/{sid}", 200, resolved=False)],
        [],
    ],
    ids=["not-2xx", "inferred-link", "unresolved-parameter", "never-followed"],
)
def test_the_gate_fails_when_no_linked_step_reached_an_operation(
    tmp_path: Path, steps: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    result = gate(tmp_path, report(tmp_path, *steps))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "never reached" in result.stdout
    assert "0 of 1 linked operations" in result.stdout


def test_the_gate_counts_a_link_reached_in_any_of_its_runs(tmp_path: Path) -> None:
    first = report(tmp_path, step("a", "GET /things/{sid}", 404), name="first")
    second = report(tmp_path, step("b", "GET /things/{sid}", 200), name="second")
    result = gate(tmp_path, first, second)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2.5 s of run 2" in result.stdout and "1×200, 1×404" in result.stdout


def test_the_gate_names_what_a_second_chance_needs(tmp_path: Path) -> None:
    missed = report(tmp_path, step("a", "GET /things/{sid}", 404))
    focus = gate(tmp_path, missed, focus=True)
    assert (focus.returncode, focus.stdout) == (0, "createThing getThing\n"), focus.stderr
    reached = report(tmp_path, step("a", "GET /things/{sid}", 200), name="reached")
    assert gate(tmp_path, reached, focus=True).stdout == "\n"


def test_the_gate_says_how_to_call_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(GATE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2 and result.stderr.startswith("usage:")


def audio() -> st.SearchStrategy[tuple[str, bytes]]:
    from conformance import hooks

    return st.one_of(
        *(
            strategy.map(lambda data, t=media_type: (t, data))
            for media_type, strategy in hooks.AUDIO.items()
        )
    )


@functools.cache
def sandbox() -> Api:
    return Api(create_app(Settings(clock="frozen", seed_path="empty")).test_client())


@settings(max_examples=40, deadline=None)
@given(audio())
def test_the_audio_hooks_give_uploads_the_sandbox_accepts(upload: tuple[str, bytes]) -> None:
    media_type, data = upload
    api = sandbox()
    answer = api.post(
        "/audio-files",
        data={"name": "greeting", "file": (io.BytesIO(data), "file", media_type)},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["mimeType"] == media_type
