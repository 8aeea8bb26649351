"""Old import paths of 0.1, kept for one release (0.2) with a ``DeprecationWarning``.

0.2 put the modules in folders that are layers (ARCHITECTURE.md). ``import
callr_mock.server`` (and every other path below) still works: the old name is the new
module itself, under a second name, and the import warns once with the new path. Gone
in 0.3.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import Any

PACKAGE = __name__.rpartition(".")[0]
MOVED = {
    "app": "web.app",
    "auth": "state.auth",
    "cli": "running.cli",
    "control": "web.surfaces.control",
    "coverage": "contract.coverage",
    "delivery": "services.delivery",
    "dispatch": "web.dispatch",
    "formats": "contract.formats",
    "guard": "web.frame.guard",
    "injection": "web.frame.injection",
    "journal": "base.journal",
    "legacy": "handlers.legacy",
    "legacy.endpoint": "web.surfaces.legacy",
    "pipeline": "web.surfaces.rest",
    "provenance": "contract.provenance",
    "proxy.redaction": "proxy.scrubber",
    "proxy.server": "running.proxy_server",
    "publish": "contract.publish",
    "redaction": "base.redaction",
    "reference": "web.surfaces.reference",
    "resources": "handlers.rest",
    "rosetta": "handlers.legacy.rosetta",
    "rule_messages": "contract.rule_messages",
    "runtime": "web.frame.runtime",
    "sample": "contract.sample",
    "schema": "contract.schema",
    "seeding": "contract.seeding",
    "server": "running.server",
    "settings": "base.settings",
    "spec_diff": "contract.spec_diff",
    "spec_loader": "contract.spec",
    "state.disruptions": "state.injection",
    "state.errors": "base.errors",
    "state.variation": "state.vary",
    "state_document": "services.state_document",
    "statefile": "services.state_file",
    "types": "base.types",
    "vary": "contract.vary",
}
"""Old path (under ``callr_mock``) → new path. A path inside a moved package moves with it."""


def new_name(old: str) -> str | None:
    """The module an old ``callr_mock.…`` path now names, or None when it did not move."""
    prefix = PACKAGE + "."
    if not old.startswith(prefix):
        return None
    rest = old[len(prefix) :]
    for moved in sorted(MOVED, key=len, reverse=True):
        if rest == moved or rest.startswith(moved + "."):
            return f"{prefix}{MOVED[moved]}{rest[len(moved) :]}"
    return None


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} is now {self.target}; the old path goes in callr-mock 0.3",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """The module ran under its new name already."""


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds an old path and hands back the module at its new one."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        target_name = new_name(fullname)
        if target_name is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(target_name))


def install() -> None:
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
