"""The installed distribution carries every package, the spec and the fixtures."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "callr_mock": "mockserver",
    "callr_mock.plugin": "plugin",
    "callr_mock.spec": "spec",
    "callr_mock.fixtures": "fixtures",
}


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for package, folder in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    assert found == listed


def test_spec_and_fixtures_load_through_importlib_resources() -> None:
    assert (
        "openapi: 3.1" in resources.files("callr_mock.spec").joinpath("callr-v2.yaml").read_text()
    )
    fixtures = resources.files("callr_mock.fixtures")
    for name in ("catalogue.yaml", "prices.yaml", "magic.yaml"):
        assert fixtures.joinpath(name).read_text()
