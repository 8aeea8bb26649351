"""The documentation site (MkDocs with Material, ``mkdocs.yml``) builds in strict mode with
no warning, every page is in its navigation, and the README stays a front door."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _nav_pages() -> set[str]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return {next(iter(item.values())) for item in config["nav"]}


def test_the_site_builds_strict_with_no_warning(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert not re.search(r"^WARNING", output, re.M), output[-3000:]
    assert (tmp_path / "site" / "pytest-plugin" / "index.html").is_file()
    changelog = (tmp_path / "site" / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog or "0.2.0" in changelog  # CHANGELOG.md, included


def test_every_page_is_in_the_navigation_and_every_entry_is_a_page() -> None:
    pages = {path.name for path in DOCS.glob("*.md")}
    assert _nav_pages() == pages


def test_the_pages_users_look_for_are_there() -> None:
    wanted = {
        "getting-started.md",
        "pytest-plugin.md",
        "standalone.md",
        "control-api.md",
        "legacy-migration.md",
        "proxy-and-drift.md",
        "coverage.md",
        "faults.md",
        "state-file.md",
        "cli.md",
        "changelog.md",
        "contributing.md",
    }
    assert wanted <= _nav_pages()


def test_the_readme_is_a_front_door() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 160
    first_screen = "\n".join(text.splitlines()[:15])
    assert "pip install . && callr-mock serve" in first_screen
    assert 'pip install -e ".[dev]" && python -m pytest' in first_screen
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / link).is_file(), link


def test_the_cli_reference_names_every_command() -> None:
    from callr_mock.running.cli import build_parser

    parser = build_parser()
    commands: dict[str, Any] = dict(
        next(a for a in parser._actions if a.dest == "command").choices or {}
    )
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, sub in commands.items():
        if name == "spec":
            spec_commands = dict(
                next(a for a in sub._actions if a.dest == "spec_command").choices or {}
            )
            for spec_name in spec_commands:
                assert f"`callr-mock spec {spec_name}`" in page
        elif name != "spec-stats":
            assert f"`callr-mock {name}`" in page, name
