"""0.1's import paths and CLI spellings still work in 0.2, and say where things went."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

OLD_TO_NEW = [
    ("callr_mock.server", "callr_mock.running.server", "MockServer"),
    ("callr_mock.app", "callr_mock.web.app", "create_app"),
    ("callr_mock.runtime", "callr_mock.web.frame.runtime", "runtime_of"),
    ("callr_mock.settings", "callr_mock.base.settings", "Settings"),
    ("callr_mock.state.errors", "callr_mock.base.errors", "InvalidInput"),
    ("callr_mock.legacy.core", "callr_mock.handlers.legacy.core", "RpcError"),
    ("callr_mock.resources", "callr_mock.handlers.rest", "Reply"),
    ("callr_mock.proxy.server", "callr_mock.running.proxy_server", "ProxyServer"),
]


@pytest.mark.parametrize(("old", "new", "name"), OLD_TO_NEW)
def test_an_old_import_path_is_the_new_module_and_warns(old: str, new: str, name: str) -> None:
    code = (
        "import importlib, warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        f"    old = importlib.import_module({old!r})\n"
        f"new = importlib.import_module({new!r})\n"
        f"assert old is new and getattr(old, {name!r})\n"
        "print([str(w.message) for w in caught if w.category is DeprecationWarning])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{old} is now {new}" in done.stdout


def test_the_contract_names_stay_importable_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from callr_mock.contract import Contract, contract_for

    assert Contract.__name__ == "Contract" and callable(contract_for)


def test_spec_stats_is_now_spec_stats_and_the_old_spelling_warns() -> None:
    new = subprocess.run(
        [sys.executable, "-m", "callr_mock", "spec", "stats"], capture_output=True, text=True
    )
    old = subprocess.run(
        [sys.executable, "-m", "callr_mock", "spec-stats"], capture_output=True, text=True
    )
    assert new.returncode == old.returncode == 0
    assert new.stdout == old.stdout and "operations:" in new.stdout
    assert new.stderr == "" and "'spec-stats' is now 'spec stats'" in old.stderr


def test_a_fault_named_the_old_way_is_the_journal_s_name(client: object) -> None:
    from typing import Any

    c: Any = client
    made = c.post("/_mock/faults", json={"operation": "legacy:sms.send", "status": 503})
    assert made.status_code == 201 and made.get_json()["operation"] == "jsonrpc:sms.send"
