"""Callr's official legacy SDKs, unchanged, drive their README calls against the sandbox
(issue 25: "Callr's official SDKs in every language this machine can run").

- Python: ``callr`` 2.1.0 from PyPI (THECALLR/sdk-python), a dev dependency;
  ``Api.set_api_url`` points it at the sandbox.
- Node: ``callr`` 1.2.0 from npm (THECALLR/sdk-nodejs), installed with the node tools
  (``conformance/install-node-tools.sh``); ``sdk_drivers/node_sdk.js`` runs it, its
  ``apiUrl`` on the sandbox and its documented ``proxyAgent`` option carrying the HTTPS-only
  SDK's requests over plain TCP.

- Java: THECALLR/sdk-java at its current commit, vendored unchanged
  (``sdk_drivers/java/vendor``: neither GitHub nor Maven Central is reachable here), with
  Debian's gson and commons-codec; ``sdk_drivers/java/SdkDriver.java`` runs it, a URL handler
  carrying the HTTPS-only SDK's requests over plain HTTP.

Each replays ``data/sdk_readme_calls.yaml`` as ``test_legacy_sdk_readmes.py`` does with our
own client: same checks, same REST read-backs. Not run here: the Go, PHP and Ruby SDKs
(no Go, PHP or Ruby on this machine, nor in Debian's packages CI may install in a minute;
their registries are not reachable from it); their README calls are in the YAML all the same.
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
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY, MockServer, Settings
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


class LineDriver:
    """An SDK driven in a process of its own: one JSON call per line, one answer per line."""

    name = "SDK"
    process: subprocess.Popen[str]

    def start(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def call(self, method: str, *params: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"method": method, "params": list(params)}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the {self.name} driver stopped (exit {self.process.poll()})"
        answer = json.loads(line)
        if "error" in answer:
            error = answer["error"]
            raise LegacyError(error["code"], error["message"], error.get("data"))
        return answer["result"]

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)


class NodeSdk(LineDriver):
    """``new callr.api(login, password, config)`` in a Node process."""

    name = "Node SDK"

    def __init__(self, url: str, *login_as: str) -> None:
        if shutil.which("node") is None or not (NODE_TOOLS / "node_modules" / "callr").is_dir():
            pytest.skip("the Node SDK is installed by conformance/install-node-tools.sh")
        api_url = url.replace("http://", "https://", 1) + "/json-rpc/v1.1/"
        self.start(
            ["node", str(DRIVER), api_url, DEMO_ACCOUNT_SID, DEMO_API_KEY, *login_as],
            env={**os.environ, "CALLR_MOCK_NODE_TOOLS": str(NODE_TOOLS)},
        )


JAVA = Path(__file__).parent / "sdk_drivers" / "java"
JAVA_JARS = [Path("/usr/share/java/gson.jar"), Path("/usr/share/java/commons-codec.jar")]
_JAVA_BUILD: dict[str, Path] = {}


class JavaSdk(LineDriver):
    """``new Api(new LoginPasswordAuth(login, password), null)`` in a JVM: the vendored SDK
    (``sdk_drivers/java/vendor``, unchanged) compiled with its driver once per process."""

    name = "Java SDK"

    def __init__(self, url: str, *login_as: str) -> None:
        if shutil.which("javac") is None or not all(jar.is_file() for jar in JAVA_JARS):
            pytest.skip(
                "the Java SDK needs a JDK and Debian's libgoogle-gson-java, libcommons-codec-java (.ci/run)"
            )
        classpath = ":".join(str(jar) for jar in JAVA_JARS)
        build = _JAVA_BUILD.get("classes")
        if build is None:
            import tempfile

            build = Path(tempfile.mkdtemp(prefix="callr-java-sdk-"))
            sources = [str(path) for path in sorted(JAVA.rglob("*.java"))]
            subprocess.run(
                ["javac", "-nowarn", "-d", str(build), "-cp", classpath, *sources],
                check=True,
                capture_output=True,
                timeout=180,
            )
            _JAVA_BUILD["classes"] = build
        api_url = url + "/json-rpc/v1.1/"
        self.start(
            [
                "java",
                "-cp",
                f"{build}:{classpath}",
                "SdkDriver",
                api_url,
                DEMO_ACCOUNT_SID,
                DEMO_API_KEY,
                *login_as,
            ]
        )


@pytest.fixture
def served(app: Any) -> Iterator[MockServer]:
    """The test's own in-process app, also on a real port for the SDKs (a free one: the
    fixed default, 4010, is taken by another xdist worker running the other SDK's test)."""
    server = MockServer(Settings(port=0), app=app).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


@pytest.mark.parametrize("sdk", [PythonSdk, NodeSdk, JavaSdk], ids=["python", "node", "java"])
def test_the_official_sdk_replays_every_readme_call(
    sdk: Any, served: MockServer, api: Any, client: Any, runtime: Any, receiver: Receiver
) -> None:
    driver = sdk(served.url)
    try:
        replay_readme_calls(driver, api, client, runtime, receiver)
    finally:
        driver.close()


@pytest.mark.parametrize(
    ("sdk", "text"),
    [(NodeSdk, "Hello world!"), (JavaSdk, "Hello, world")],
    ids=["node", "java"],
)
def test_the_sdk_logs_in_as_a_sub_account(
    sdk: Any, text: str, served: MockServer, api: Any, runtime: Any
) -> None:
    """sdk-nodejs README "Set Login As after Init": api.setLoginAs('account', '<hash>');
    sdk-java README "Set Login As": tc.setLoginAs("account", "<hash>") (the SMS text of each
    README)."""
    sub = runtime.store.create_account("subacct7", parent=DEMO_ACCOUNT_SID)
    driver = sdk(served.url, "account", sub.sid.upper())
    try:
        sms_hash = driver.call("sms.send", "SMS", "+33612345678", text, None)
    finally:
        driver.close()
    assert api.get(f"/sms/{sms_hash.lower()}").status_code == 404
    assert sub.sms.get(sms_hash.lower()).to_api()["to"] == "+33612345678"
