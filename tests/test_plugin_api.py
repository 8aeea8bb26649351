"""The plugin's front door: ``callr_mock.plugin`` exports the public API, lazily."""

from __future__ import annotations

import subprocess
import sys

import callr_mock.plugin
import pytest
from callr_mock.plugin import pytest_plugin


@pytest.mark.parametrize("name", callr_mock.plugin.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(callr_mock.plugin, name)
    assert value is not None
    if name != "strategies":
        assert value.__name__ == name


FIXTURES = {
    "callr_mock_server": "Iterator[SessionServer]",
    "callr_mock": "Iterator[CallrMock]",
    "callr_client": "CallrClient",
    "callr_webhook_receiver": "Iterator[WebhookReceiver]",
    "callr_legacy_client": "Iterator[LegacyClient]",
    "callr_parity": "Parity",
}


@pytest.mark.parametrize("name", FIXTURES)
def test_the_fixtures_are_typed_with_the_public_types(name: str) -> None:
    function = getattr(pytest_plugin, name)
    function = getattr(function, "__wrapped__", function)
    assert function.__annotations__["return"] == FIXTURES[name]
    for word in FIXTURES[name].replace("]", "").split("["):
        assert word == "Iterator" or word in callr_mock.plugin.__all__


def test_importing_the_plugin_loads_no_server_stack() -> None:
    code = (
        "import sys, callr_mock.plugin, callr_mock.plugin.pytest_plugin\n"
        "heavy = {'flask', 'waitress', 'requests', 'hypothesis', 'callr_mock.web.app'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
