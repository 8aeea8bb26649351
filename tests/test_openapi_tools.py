"""The served contract in the tools Callr tells users to use, none of them written here.

- OpenAPI Generator 7.x (PyPI ``openapi-generator-cli``, Java): ``python`` and
  ``typescript-fetch`` clients generated from ``GET /v2.0/openapi.json`` of a running
  sandbox; the Python one is imported and the TypeScript one compiled with ``tsc``; each
  drives a journey against the sandbox.
- Redocly CLI: ``redocly lint`` with the recommended rules (``redocly.yaml``): no error,
  no warning.
- openapi-to-postmanv2: the served spec converts to a Postman collection.

Java and the Node tools (``conformance/install-node-tools.sh``) are on CI's machine, so
there a missing tool fails; elsewhere the test is skipped and says what to install.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from callr_mock import MockServer
from callr_mock.base.settings import DEMO_API_KEY, Settings

ROOT = Path(__file__).resolve().parents[1]
NODE_TOOLS = Path(
    os.environ.get("CALLR_MOCK_NODE_TOOLS") or Path.home() / ".cache/callr-mock/node-tools"
)
GENERATOR = Path(sys.executable).parent / "openapi-generator-cli"
PACKAGE = "callr_generated_client"


def need(present: bool, what: str) -> None:
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing on CI (see .ci/run)")
    pytest.skip(f"{what} is not installed")


def node_tool(name: str) -> Path:
    path = NODE_TOOLS / "node_modules" / ".bin" / name
    need(path.exists(), f"{name} (conformance/install-node-tools.sh)")
    return path


def run(*args: Any, timeout: float = 300, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{args[0]} failed:\n{output[-6000:]}"
    return output


@pytest.fixture(scope="module")
def sandbox() -> Iterator[MockServer]:
    server = MockServer(Settings(port=0, clock="frozen", id_seed=20)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def served_spec(sandbox: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import requests

    path = tmp_path_factory.mktemp("served") / "openapi.json"
    response = requests.get(sandbox.url + "/v2.0/openapi.json", timeout=30)
    assert response.status_code == 200
    path.write_bytes(response.content)
    return path


@pytest.fixture(scope="module")
def generated(sandbox: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both clients, generated in one JVM (batch, two threads) from the served URL."""
    need(shutil.which("java") is not None, "java")
    need(GENERATOR.exists(), "openapi-generator-cli (pip install -e '.[dev]')")
    out = tmp_path_factory.mktemp("openapi-generator")
    url = sandbox.url + "/v2.0/openapi.json"
    configs = {
        "python": {"packageName": PACKAGE, "projectName": "callr-generated-client"},
        # skipFormModel=false: the generator otherwise imports, but does not write, the
        # model of a multipart-only body (AudioFileUpload) and tsc fails on the import.
        "typescript-fetch": {"supportsES6": True},
    }
    files = []
    for name, properties in configs.items():
        config: dict[str, Any] = {
            "generatorName": name,
            "inputSpec": url,
            "outputDir": str(out / name),
            "additionalProperties": properties,
        }
        # no docs or test stubs: only the code is used here (saves time in CI)
        config["globalProperties"] = {
            "apiDocs": "false",
            "modelDocs": "false",
            "apiTests": "false",
            "modelTests": "false",
        }
        if name == "typescript-fetch":
            config["globalProperties"].update({"skipFormModel": "false"})
        file = out / f"{name}.yaml"
        file.write_text(yaml.safe_dump(config))
        files.append(file)
    log = run(GENERATOR, "batch", "--fail-fast", "--threads", "2", *files, timeout=600)
    assert "Batch generation finished 2 generators successfully" in log, log[-3000:]
    return out


def test_openapi_generator_python_client_drives_a_journey(
    generated: Path, sandbox: MockServer
) -> None:
    sys.path.insert(0, str(generated / "python"))
    try:
        sdk = importlib.import_module(PACKAGE)
        config = sdk.Configuration(host=sandbox.url + "/v2.0")
        config.api_key["ApiKeyAuth"] = DEMO_API_KEY
        with sdk.ApiClient(config) as client:
            assert sdk.SystemApi(client).ping().pong == "pong"

            sms_api = sdk.SMSApi(client)
            sent = sms_api.send_sms(to="+33612345678", sms_send=sdk.SmsSend(text="Hello, Python"))
            assert sent.status == "created" and sent.to == "+33612345678"
            read = sms_api.get_sms(sid=sent.sid)
            assert read.sid == sent.sid and read.body.text == "Hello, Python"
            assert sent.sid in [hit.sid for hit in sms_api.search_sms(to="+33612345678").hits]

            actions = sdk.ActionsApi(client)
            script = "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n"
            scenario = actions.create_scenario(
                sdk.ScenarioCreate(name="Python journey", script=script)
            )
            found = actions.search_scenarios(name="Python journey")
            assert found.total == 1 and found.hits[0].sid == scenario.sid

            credit = sdk.BillingApi(client).get_credit()
            assert credit.currency == "EUR"

            with pytest.raises(sdk.exceptions.NotFoundException) as missing:
                sms_api.get_sms(sid="zzzzzzzz")
            assert json.loads(missing.value.body)["code"] == "not-found"

            # The webhook envelopes are models too: a receiver parses a delivery with them.
            event = sdk.SmsOutboundUpdatedEvent.from_dict(
                {
                    "id": "9422146236497234056PGNSmlw2sOrjq",
                    "at": "2025-03-31T15:42:04.870Z",
                    "sid": "pdszbxss",
                    "type": "v2.sms.outbound.updated",
                    "try": 0,
                    "payload": read.to_dict(),
                }
            )
            assert event.payload.sid == sent.sid
    finally:
        sys.path.remove(str(generated / "python"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_openapi_generator_typescript_client_compiles_and_drives_a_journey(
    generated: Path, sandbox: MockServer
) -> None:
    tsc = node_tool("tsc")
    need(shutil.which("node") is not None, "node")
    project = generated / "typescript-fetch"
    shutil.copy(ROOT / "tests" / "clients" / "journey.ts", project / "journey.ts")
    (project / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "target": "ES2020",
                    "module": "commonjs",
                    "lib": ["ES2020", "DOM"],
                    "strict": True,
                    "outDir": "dist",
                    "skipLibCheck": True,
                },
                "include": ["*.ts", "apis/*.ts", "models/*.ts"],
            }
        )
    )
    run(tsc, "-p", project)
    output = run("node", project / "dist" / "journey.js", sandbox.url + "/v2.0", DEMO_API_KEY)
    assert output.strip().endswith("journey ok"), output


def test_redocly_lint_recommended_rules_report_nothing() -> None:
    redocly = node_tool("redocly")
    result = subprocess.run(
        [str(redocly), "lint", "spec/callr-v2.yaml", "--format=json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])
    problems = [
        f"{p['severity']} {p['ruleId']}: {p['message']} at {p['location'][0].get('pointer')}"
        for p in report["problems"]
        if not p.get("ignored")
    ]
    assert problems == [] and result.returncode == 0, "\n".join(problems) or result.stderr
    assert report["totals"]["errors"] == 0 and report["totals"]["warnings"] == 0


def test_the_served_spec_converts_to_a_postman_collection(
    served_spec: Path, sandbox: MockServer, tmp_path: Path
) -> None:
    convert = node_tool("openapi2postmanv2")
    out = tmp_path / "callr-v2.postman.json"
    run(convert, "-s", served_spec, "-o", out, "-p", "-O", "folderStrategy=Tags")
    collection = json.loads(out.read_text())
    variables = {v["key"]: v["value"] for v in collection["variable"]}
    assert variables["baseUrl"] == sandbox.url + "/v2.0"
    auth = {item["key"]: item["value"] for item in collection["auth"]["apikey"]}
    assert auth == {"key": "x-api-key", "value": "{{apiKey}}", "in": "header"}

    def requests_in(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for item in items:
            found += requests_in(item["item"]) if "item" in item else [item["request"]]
        return found

    spec = json.loads(served_spec.read_text())
    operations = sum(
        1 for item in spec["paths"].values() for method in item if method != "parameters"
    )
    assert len(requests_in(collection["item"])) == operations
