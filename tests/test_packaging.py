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


def test_the_release_step_builds_a_wheel_and_an_sdist_twine_accepts(tmp_path: Path) -> None:
    """README "Add it to your project": python -m build, then twine check (the day it is
    published); the wheel carries the license, the spec and the fixtures."""
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheels, sdists = sorted(tmp_path.glob("*.whl")), sorted(tmp_path.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels + sdists)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "callr_mock/spec/callr-v2.yaml" in names
    assert any(n.startswith("callr_mock/fixtures/seeds/") for n in names)


def test_readme_add_it_to_your_project_runs(tmp_path: Path) -> None:
    """The README block, as written: clone, build, install the wheel with [xdist] into a
    project's own virtual environment, run its suite with -n 2."""
    import os
    import re
    import subprocess
    import sys

    from callr_mock import __version__

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "getting-started.md").read_text(encoding="utf-8")
    block = re.search(r"^```bash\n(git clone .*?)^```", page, re.S | re.M)
    assert block, "docs/getting-started.md lost its 'Add it to your project' block"
    script = block.group(1)
    assert f"callr_mock-{__version__}-py3-none-any.whl" in script
    if not (root / ".git").exists():
        import pytest

        pytest.skip("not a git checkout: nothing to clone")
    script = re.sub(r"https://github\.com/\S+\.git", f"{root} callr-mock", script)
    project = tmp_path / "my-project"
    project.mkdir()
    (project / "test_mine.py").write_text(
        "def test_ping(callr_client):\n    assert callr_client.get('/ping').status_code == 200\n"
        "\n\ndef test_sms(callr_client):\n"
        "    answer = callr_client.post('/sms', params={'to': '+33612345678'}, json={'text': 'hi'})\n"
        "    assert answer.status_code == 201\n"
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert "2 passed" in run.stdout
