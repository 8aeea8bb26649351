"""Callr's official legacy SDKs, unchanged, drive their README calls against the sandbox
(issue 25: "Callr's official SDKs in every language this machine can run").

- Python: ``callr`` 2.1.0 from PyPI (THECALLR/sdk-python), a dev dependency;
  ``Api.set_api_url`` points it at the sandbox.
- Node: ``callr`` 1.2.0 from npm (THECALLR/sdk-nodejs), installed with the node tools
  (``conformance/install-node-tools.sh``); ``sdk_drivers/node_sdk.js`` runs it, its
  ``apiUrl`` on the sandbox and its documented ``proxyAgent`` option carrying the HTTPS-only
  SDK's requests over plain TCP.

Each replays ``data/sdk_readme_calls.yaml`` as ``test_legacy_sdk_readmes.py`` does with our
own client: same checks, same REST read-backs. Not run here: the Go, PHP and Ruby SDKs
(no Go, PHP or Ruby on this machine; their registries are not reachable from it), and the
Java SDK (its jar and gson come from GitHub and Maven Central, which this machine cannot
reach); their README calls are in the YAML all the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY, MockServer
from callr_mock.plugin.parity import LegacyError
from webhook_receiver import Receiver

from tests.test_legacy_sdk_readmes import replay_readme_calls

NODE_TOOLS = Path(
    os.environ.get("CALLR_MOCK_NODE_TOOLS", Path.home() / ".cache" / "callr-mock" / "node-tools")
)
DRIVER = Path(__file__).parent / "sdk_drivers" / "node_sdk.js"


class PythonSdk:
    """``callr.Api`` as its README makes it, pointed at the sandbox."""

    def __init__(self, url: str) -> None:
        callr = pytest.importorskip("callr")
        self.errors = callr.CallrException
        self.api = callr.Api(DEMO_ACCOUNT_SID, DEMO_API_KEY)
        self.api.set_api_url(url + "/json-rpc/v1.1/")

    def call(self, method: str, *params: Any) -> Any:
        try:
            return self.api.call(method, *params)
        except self.errors as error:
            raise LegacyError(error.code, error.msg, error.data) from None

    def close(self) -> None:
        pass


class NodeSdk:
    """``new callr.api(login, password, config)`` in a Node process, one call per line."""

    def __init__(self, url: str, *login_as: str) -> None:
        if shutil.which("node") is None or not (NODE_TOOLS / "node_modules" / "callr").is_dir():
            pytest.skip("the Node SDK is installed by conformance/install-node-tools.sh")
        api_url = url.replace("http://", "https://", 1) + "/json-rpc/v1.1/"
        self.process = subprocess.Popen(
            ["node", str(DRIVER), api_url, DEMO_ACCOUNT_SID, DEMO_API_KEY, *login_as],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "CALLR_MOCK_NODE_TOOLS": str(NODE_TOOLS)},
        )

    def call(self, method: str, *params: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"method": method, "params": list(params)}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the Node SDK driver stopped (exit {self.process.poll()})"
        answer = json.loads(line)
        if "error" in answer:
            error = answer["error"]
            raise LegacyError(error["code"], error["message"], error.get("data"))
        return answer["result"]

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def served(app: Any) -> Iterator[MockServer]:
    """The test's own in-process app, also on a real port for the SDKs."""
    server = MockServer(app=app).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


@pytest.mark.parametrize("sdk", [PythonSdk, NodeSdk], ids=["python", "node"])
def test_the_official_sdk_replays_every_readme_call(
    sdk: Any, served: MockServer, api: Any, client: Any, runtime: Any, receiver: Receiver
) -> None:
    driver = sdk(served.url)
    try:
        replay_readme_calls(driver, api, client, runtime, receiver)
    finally:
        driver.close()


def test_the_node_sdk_logs_in_as_a_sub_account(served: MockServer, api: Any, runtime: Any) -> None:
    """sdk-nodejs README "Set Login As after Init": api.setLoginAs('account', '<hash>')."""
    sub = runtime.store.create_account("subacct7", parent=DEMO_ACCOUNT_SID)
    driver = NodeSdk(served.url, "account", sub.sid.upper())
    try:
        sms_hash = driver.call("sms.send", "SMS", "+33612345678", "Hello world!", None)
    finally:
        driver.close()
    assert api.get(f"/sms/{sms_hash.lower()}").status_code == 404
    assert sub.sms.get(sms_hash.lower()).to_api()["to"] == "+33612345678"
