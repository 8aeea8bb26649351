"""callr-mock spec diff: mutated copies of our spec (JSON and YAML) against the packaged one."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from callr_mock.contract.spec import load_spec
from callr_mock.running.cli import main

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
Mutation = Callable[[dict[str, Any]], None]


def _write(tmp_path: Path, document: dict[str, Any], suffix: str) -> Path:
    path = tmp_path / f"theirs{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(document))
    else:
        path.write_text(yaml.dump(document, Dumper=_DUMPER, sort_keys=False, allow_unicode=True))
    return path


def _run(*args: str) -> tuple[int, str]:
    """``callr-mock spec diff ARGS`` in-process (the CLI entry point, minus a fresh interpreter)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["spec", "diff", *args])
    return status, out.getvalue()


def _diff(*args: str) -> tuple[int, dict[str, Any]]:
    status, out = _run(*args, "--format", "json")
    assert status in (0, 1)
    return status, json.loads(out)


def _mutated(mutate: Mutation) -> dict[str, Any]:
    document = load_spec()
    mutate(document)
    return document


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_an_unchanged_copy_has_no_difference(tmp_path: Path, suffix: str) -> None:
    status, report = _diff(str(_write(tmp_path, load_spec(), suffix)))
    assert (status, report["differences"]) == (0, [])


def _script_optional(doc: dict[str, Any]) -> None:
    _schemas(doc)["ScenarioCreate"]["required"] = ["name"]  # confirmed by the Redoc page


def _remove_ping(doc: dict[str, Any]) -> None:
    del doc["paths"]["/ping"]


def _add_sms_status(doc: dict[str, Any]) -> None:
    _schemas(doc)["SmsStatus"]["enum"].append("throttled")


def _auth_header(doc: dict[str, Any]) -> None:
    doc["components"]["securitySchemes"]["ApiKeyAuth"]["name"] = "X-Callr-Key"


@pytest.mark.parametrize(
    ("mutate", "kind", "where"),
    [
        (_script_optional, "required-removed", "request body application/json /"),
        (_remove_ping, "operation-removed", "operation"),
        (_add_sms_status, "enum", "response 200 application/json /status"),
        (_auth_header, "security-scheme-changed", "security scheme ApiKeyAuth name"),
    ],
    ids=["required", "operation", "enum", "security"],
)
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_contradicting_a_confirmed_fact_exits_1(
    tmp_path: Path, suffix: str, mutate: Mutation, kind: str, where: str
) -> None:
    status, report = _diff(str(_write(tmp_path, _mutated(mutate), suffix)))
    assert status == 1
    found = [d for d in report["differences"] if d["kind"] == kind and d["where"] == where]
    assert found, report["differences"]
    assert all(d["contradicts"] and d["provenance"]["level"] == "confirmed" for d in found)


def _inferred_changes(doc: dict[str, Any]) -> None:
    schemas = _schemas(doc)
    schemas["DateTime"]["pattern"] = "^.+Z$"  # inferred: milliseconds were our guess
    schemas["Sms"]["properties"]["carrier"] = {"type": "string"}  # an addition
    del doc["paths"]["/actions"]["post"]["responses"]["201"]  # 201 was a house decision
    doc["paths"]["/actions"]["post"]["responses"]["200"] = doc["paths"]["/actions/{sid}"]["get"][
        "responses"
    ]["200"]
    doc["paths"]["/ping"]["get"]["responses"]["429"] = {"description": "rate limited"}
    doc["paths"]["/voicemails"] = {"get": {"operationId": "listVoicemails", "responses": {}}}
    params = doc["paths"]["/sms"]["get"].setdefault("parameters", [])
    params.append({"name": "carrier", "in": "query", "schema": {"type": "string"}})
    # the two house decisions for every schema, confirmed ones included: strict objects,
    # every response property required
    _schemas(doc)["Ping"]["additionalProperties"] = True
    _schemas(doc)["Ping"]["required"] = ["pong"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_differences_with_inferred_parts_and_additions_exit_0(tmp_path: Path, suffix: str) -> None:
    status, report = _diff(str(_write(tmp_path, _mutated(_inferred_changes), suffix)))
    differences = report["differences"]
    assert status == 0, [d for d in differences if d["contradicts"]]
    kinds = {(d["operation"], d["kind"]) for d in differences}
    assert ("GET /ping (ping)", "pattern") in kinds
    assert ("GET /ping (ping)", "status-added") in kinds
    assert ("GET /ping (ping)", "additional-properties") in kinds
    assert ("GET /ping (ping)", "required-removed") in kinds
    assert ("GET /sms/{sid} (getSms)", "property-added") in kinds
    assert ("POST /actions (createScenario)", "status-removed") in kinds
    assert ("POST /actions (createScenario)", "status-added") in kinds
    assert ("GET /voicemails (listVoicemails)", "operation-added") in kinds
    assert ("GET /sms (searchSms)", "parameter-added") in kinds
    pattern = next(d for d in differences if d["kind"] == "pattern")
    assert pattern["provenance"]["level"] == "inferred"
    assert pattern["provenance"]["source"] == "#/components/schemas/DateTime"
    removed = next(d for d in differences if d["kind"] == "status-removed")
    assert "201" in removed["provenance"]["note"]


def test_a_new_required_parameter_on_a_confirmed_operation_contradicts(tmp_path: Path) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["paths"]["/ping"]["get"]["parameters"] = [
            {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}
        ]

    status, report = _diff(str(_write(tmp_path, _mutated(mutate), ".json")))
    assert status == 1
    assert [d["kind"] for d in report["differences"] if d["contradicts"]] == ["parameter-required"]


def test_ours_can_be_named_and_text_and_markdown_render(tmp_path: Path) -> None:
    ours = _write(tmp_path, load_spec(), ".yaml").rename(tmp_path / "ours.yaml")
    theirs = _write(tmp_path, _mutated(_script_optional), ".json")
    status, text = _run(str(ours), str(theirs))
    assert status == 1
    assert "1 difference(s)" in text and "1 contradict(s)" in text
    assert (
        "- CONTRADICTS POST /actions (createScenario): request body application/json /: "
        "required-removed" in text
    )
    assert "our provenance: confirmed [#/components/schemas/ScenarioCreate]" in text
    _, markdown = _run(str(theirs), "--format", "markdown")
    assert "| **contradicts** | `POST /actions (createScenario)` |" in markdown


def test_unreadable_theirs_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\npaths: [\n")
    for path in (broken, tmp_path / "missing.json"):
        result = subprocess.run(
            [sys.executable, "-m", "callr_mock", "spec", "diff", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith("callr-mock spec diff: error: ")
