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


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    """A runtime dependency nothing of ours imports is installed for every user for nothing:
    it belongs to the dev extra (tests) or nowhere."""
    import re
    from importlib.metadata import packages_distributions

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {
        re.split(r"[<>=!~\[ ;]", dep, maxsplit=1)[0].lower() for dep in config["dependencies"]
    }
    modules_of: dict[str, set[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            modules_of.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("mockserver", "plugin")
        for path in (ROOT / folder).rglob("*.py")
    )
    unused = [
        dist
        for dist in sorted(wanted)
        if not any(
            re.search(rf"^\s*(import|from) {re.escape(module)}\b", source, re.M)
            for module in modules_of.get(dist, {dist.replace("-", "_")})
        )
    ]
    assert unused == []
