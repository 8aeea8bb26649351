"""What Callr tells users to do: generate an SDK from the spec, then use it.

The client is generated at test time with openapi-python-client (never committed) and
drives a journey against a real server: send an SMS and read it back, create a
scenario, reserve and buy a number, assign it, run the scenario.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from callr_mock import MockServer

SPEC = Path(__file__).resolve().parents[1] / "spec" / "callr-v2.yaml"
SCRIPT = "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n        params:\n          message: hi\n"


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("sdk") / "callr_sdk"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(SPEC),
            "--output-path",
            str(out),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module("callr_sdk")
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m == "callr_sdk" or m.startswith("callr_sdk.")]:
            del sys.modules[name]


def call(module: str, **kwargs: Any) -> Any:
    response = importlib.import_module(f"callr_sdk.api.{module}").sync_detailed(**kwargs)
    return response


def test_a_generated_client_drives_the_journey(sdk: ModuleType, live: MockServer) -> None:
    client = sdk.AuthenticatedClient(
        base_url=live.url + "/v2.0",
        token="callr-mock-demo-key",
        prefix="",
        auth_header_name="x-api-key",
    )
    models = importlib.import_module("callr_sdk.models")

    pong = call("system.ping", client=client)
    assert pong.status_code == 200 and pong.parsed.pong == "pong"

    sent = call(
        "sms.send_sms",
        client=client,
        body=models.SmsSend(text="Hello from a generated SDK"),
        to="+33612345678",
    )
    assert sent.status_code == 201, sent.content
    read = call("sms.get_sms", sid=sent.parsed.sid, client=client)
    assert read.status_code == 200 and read.parsed.body.text == "Hello from a generated SDK"
    assert read.parsed.to == "+33612345678"

    scenario = call(
        "actions.create_scenario",
        client=client,
        body=models.ScenarioCreate(name="SDK flow", script=SCRIPT),
    )
    assert scenario.status_code == 201, scenario.content

    reservation = call(
        "numbers_store.reserve_numbers",
        client=client,
        body=models.ReservationRequest(country="FR", area="paris", quantity=1),
    )
    assert reservation.status_code == 201, reservation.content
    order = call("numbers_store.buy_reservation", token=reservation.parsed.token, client=client)
    assert order.status_code == 200, order.content
    number = order.parsed.numbers[0].e164
    assert number.startswith("+331")

    assigned = call(
        "actions.assign_scenario_number", sid=scenario.parsed.sid, number=number, client=client
    )
    assert assigned.status_code == 200, assigned.content
    assert [n.e164 for n in assigned.parsed.numbers] == [number]
    fetched = call("numbers.get_number", number=number, client=client)
    assert fetched.parsed.scenario == scenario.parsed.sid

    run = call("actions.run_scenario", sid=scenario.parsed.sid, client=client)
    assert run.status_code == 202, run.content
    assert run.parsed.type_.value == "scenario-run"

    missing = call("sms.get_sms", sid="zzzzzzzz", client=client)
    assert missing.status_code == 404 and missing.parsed.code == "not-found"
