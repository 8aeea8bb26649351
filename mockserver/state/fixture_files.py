"""Read a data file of ``callr_mock.fixtures`` (the catalogue, the price list, the magic inputs)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


def read_fixture(name: str) -> Any:
    """The parsed YAML file ``name`` of the package's fixtures folder."""
    text = resources.files("callr_mock.fixtures").joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=YAML_LOADER)
