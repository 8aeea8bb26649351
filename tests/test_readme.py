"""Every code example of README.md and of the documentation pages (docs/*.md) runs, so the
docs cannot drift from the code.

- ``python`` blocks that define tests run with pytest (through ``pytester``, the plugin
  as a user's project gets it); the other ``python`` blocks and every ``bash`` block with a
  ``curl`` run against a real ``callr-mock serve`` started as the README says, with the
  README's ``http://127.0.0.1:4010`` pointed at it. A comment line right under a command
  is that command's output, and is checked (JSON by shape: same keys, same values, dates and
  ids only of the same form); a ``print(...)  # value`` prints that value.
- The install and development commands are what ``.ci/run`` runs: each must appear in it,
  word for word. The benchmark command runs here, shortened.
- The ``callr-mock serve`` synopsis lists exactly the options ``serve`` has.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from callr_mock.running.cli import build_parser

from tests.served import Served, served

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
"""The README and every page of the documentation site (mkdocs.yml)."""
CI = ROOT / ".ci" / "run"
CONFORMANCE = ROOT / "conformance" / "run.sh"  # .ci/run runs it: it starts `callr-mock serve`
README_URL = "http://127.0.0.1:4010"
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ID = re.compile(r"^[A-Za-z0-9]{8}$")


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int
    page: str = "README.md"

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def page_text(name: str) -> str:
    """One page by its name as the block ids give it (``README.md``, ``docs/cli.md``)."""
    return (ROOT / name).read_text(encoding="utf-8")


def docs_text() -> str:
    """The README and every documentation page, one after the other."""
    return "\n".join(page.read_text(encoding="utf-8") for page in PAGES)


def readme_blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        name = str(page.relative_to(ROOT))
        found += [
            Block(m.group(1), m.group(2), text[: m.start()].count("\n") + 1, name)
            for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)
        ]
    return found


BLOCKS = readme_blocks()


def kind(block: Block) -> str:
    if block.lang == "python":
        return "pytest" if re.search(r"^def test_", block.code, re.M) else "script"
    if block.lang == "bash":
        if block.code.startswith("git clone "):
            return "adopt"  # tests/test_packaging.py runs it: clone, build, install, test
        if re.search(r"^callr-mock serve .*--state-file", block.code, re.M):
            return "restart"  # run by tests/test_state_file.py: servers stopped and started
        if re.search(r"^callr-mock (proxy|spec diff) ", block.code, re.M):
            return "proxy"  # run by tests/test_readme_proxy.py, against a loopback upstream
        if "curl " in block.code:
            return "shell"
        if "--callr-mock-cov" in block.code:
            return "coverage"  # run on examples/ below
        if "openapi-generator-cli generate" in block.code:
            return "generators"
        return "ci"
    if block.code.startswith("callr-mock serve ["):
        return "synopsis"
    if block.lang == "json" and '"format": "callr-mock-state"' in block.code:
        return "state-sketch"
    if block.lang == "text" and "callr-mock coverage" in block.code:
        return "coverage-summary"
    return "unknown"


def blocks_of(name: str) -> list[Any]:
    return [pytest.param(b, id=b.id) for b in BLOCKS if kind(b) == name]


def test_every_readme_block_is_checked_by_one_of_these_tests() -> None:
    assert [b.id for b in BLOCKS if kind(b) == "unknown"] == []
    from tests.test_readme_proxy import readme_blocks as proxy_blocks

    assert [b.code for b in BLOCKS if kind(b) == "proxy"] == proxy_blocks()
    assert {kind(b) for b in BLOCKS} >= {"pytest", "script", "shell", "ci", "synopsis"}


# -- against a served sandbox ------------------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox() -> Iterator[Served]:
    """``callr-mock serve`` with no option, as the README's first screen starts it."""
    with served() as server:
        yield server


def same_shape(expected: Any, actual: Any, where: str = "", partial: bool = False) -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where or '/'}: expected an object, got {actual!r}"]
        problems = []
        if not set(expected) <= set(actual) or (not partial and set(expected) != set(actual)):
            problems.append(f"{where or '/'}: keys {sorted(actual)}, README: {sorted(expected)}")
        for key in set(expected) & set(actual):
            problems += same_shape(expected[key], actual[key], f"{where}/{key}")
        return problems
    if isinstance(expected, str) and DATE.match(expected):
        ok = isinstance(actual, str) and bool(DATE.match(actual))
    elif isinstance(expected, str) and ID.match(expected) and not expected.isalpha():
        ok = isinstance(actual, str) and bool(ID.match(actual))
    else:
        ok = expected == actual
    return [] if ok else [f"{where or '/'}: {actual!r} != {expected!r}"]


def commands_and_outputs(code: str) -> list[tuple[str, list[str]]]:
    """Split a shell block into commands (continuation lines joined) and the comment lines
    right under each (its output)."""
    result: list[tuple[str, list[str]]] = []
    lines = code.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.startswith("#"):
            continue
        command = [line]
        while command[-1].rstrip().endswith("\\") and index < len(lines):
            command.append(lines[index])
            index += 1
        outputs = []
        while index < len(lines) and lines[index].startswith("# "):
            outputs.append(lines[index][2:])
            index += 1
        result.append(("\n".join(command), outputs))
    return result


def check_output(expected: str, actual: str) -> list[str]:
    """``{"a": 1, ...}`` (literally ``,...}``) shows some of the keys only."""
    partial = expected.endswith(",...}")
    try:
        wanted = json.loads(expected.replace(",...}", "}") if partial else expected)
    except json.JSONDecodeError:
        wanted = expected.split("  ")[0].strip()  # "8242D945  (a note)"
        got = actual.strip()
        same = got == wanted or (bool(ID.match(wanted)) and bool(ID.match(got)))
        return [] if same else [f"{got!r} != {wanted!r}"]
    try:
        return same_shape(wanted, json.loads(actual), partial=partial)
    except json.JSONDecodeError:
        return [f"not JSON: {actual!r}"]


@pytest.mark.parametrize("block", blocks_of("shell"))
def test_readme_shell_example_runs(sandbox: Served, block: Block, tmp_path: Path) -> None:
    steps = commands_and_outputs(block.code)
    script = "set -euo pipefail\n" + "".join(
        f"{command}\nprintf '\\n@@%d\\n' {n}\n" for n, (command, _) in enumerate(steps)
    )
    script = script.replace(README_URL, sandbox.url).replace("curl ", "curl --fail-with-body ")
    assert ":4010" not in script, f"{block.id}: write the sandbox URL as {README_URL}"
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    outputs = re.split(r"\n@@\d+\n", result.stdout)
    problems = []
    for (command, expected), output in zip(steps, outputs, strict=False):
        for wanted in expected:
            problems += [f"{command.splitlines()[0]}: {p}" for p in check_output(wanted, output)]
    assert problems == []


@pytest.mark.parametrize("block", blocks_of("script"))
def test_readme_python_script_runs(sandbox: Served, block: Block, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    code = block.code.replace(README_URL, sandbox.url)
    assert ":4010" not in code, f"{block.id}: write the sandbox URL as {README_URL}"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    prints = [line for line in block.code.splitlines() if line.lstrip().startswith("print(")]
    assert len(printed) == len(prints), result.stdout
    for statement, output in zip(prints, printed, strict=True):
        if "  # " in statement:
            assert output == statement.split("  # ", 1)[1].strip(), statement


# -- pytest examples, as a user's project runs them ----------------------------------------------
@pytest.mark.parametrize("block", blocks_of("pytest"))
def test_readme_pytest_example_passes(pytester: pytest.Pytester, block: Block) -> None:
    pytester.makepyfile(test_readme_example=block.code)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    tests = len(re.findall(r"^def test_", block.code, re.M))
    result.assert_outcomes(passed=tests)


# -- commands that CI runs itself -------------------------------------------------------------
def ci_commands(block: Block) -> list[str]:
    """Each command of a block (``&&`` chains split), without the trailing comments."""
    commands = []
    for line in block.code.splitlines():
        line = line.split("  #", 1)[0].strip()
        if line and not line.startswith("#"):
            commands += [part.strip() for part in line.split("&&")]
    return commands


@pytest.mark.parametrize("block", blocks_of("ci"))
def test_readme_install_and_dev_commands_are_what_ci_runs(block: Block) -> None:
    ci = CI.read_text(encoding="utf-8") + CONFORMANCE.read_text(encoding="utf-8")
    missing = [command for command in ci_commands(block) if command not in ci]
    assert missing == [], f"{block.id}: .ci/run does not run {missing}"


@pytest.mark.parametrize("block", blocks_of("generators"))
def test_readme_generator_commands_are_what_the_generator_test_runs(block: Block) -> None:
    """tests/test_openapi_tools.py generates the same clients in one batch (one JVM)."""
    runner = (ROOT / "tests" / "test_openapi_tools.py").read_text(encoding="utf-8")
    generators = re.findall(r"-g ([\w-]+)", block.code)
    properties = re.findall(r"--global-property (\w+)=(\w+)", block.code)
    assert generators
    assert [g for g in generators if f'"{g}"' not in runner] == []
    assert [p for p in properties if f'{{"{p[0]}": "{p[1]}"}}' not in runner] == []


@pytest.mark.parametrize("block", blocks_of("synopsis"))
def test_readme_serve_synopsis_lists_every_option(block: Block) -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    serve = action.choices["serve"]  # type: ignore[index]
    options = {
        option
        for a in serve._actions
        for option in a.option_strings
        if option.startswith("--") and option != "--help"
    }
    listed = set(re.findall(r"\[(--[a-z-]+)", block.code))
    assert listed == options


def test_the_webhook_receiver_row_names_only_what_exists() -> None:
    """``signature_valid`` was documented on the receiver; it is on each received request."""
    from callr_mock.plugin.receiver import ReceivedRequest, WebhookReceiver

    text = page_text("docs/pytest-plugin.md")
    row = next(line for line in text.splitlines() if line.startswith("| `callr_webhook_receiver`"))
    receiver_part, _, request_part = row.partition("each received request")
    assert request_part, "the row says what a received request has"
    receiver_part = receiver_part.split("|", 2)[2]  # after the fixture's name
    request_part = request_part.partition(" has ")[2]
    for part, owner in ((receiver_part, WebhookReceiver), (request_part, ReceivedRequest)):
        names = re.findall(r"`\.?([a-z_]+)(?:\(|`)", part)
        assert names
        fields = getattr(owner, "__dataclass_fields__", {})
        missing = [name for name in names if not hasattr(owner, name) and name not in fields]
        assert missing == [], f"{owner.__name__} has no {missing}"


# -- the coverage report, run on this repository's examples/ -------------------------------------
_RUNS: dict[tuple[str, ...], subprocess.CompletedProcess[str]] = {}


def run_on_examples(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m pytest examples/ ARGS`` (a run without files to write is done once)."""
    key = tuple(args)
    if key in _RUNS:
        return _RUNS[key]
    examples = str(ROOT / "examples")
    command = [sys.executable, "-m", "pytest", examples, *args, "-p", "no:randomly"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
    if not any(arg.startswith("--callr-mock-cov-report=") for arg in args):
        _RUNS[key] = result
    return result


@pytest.mark.parametrize("block", blocks_of("coverage"))
def test_readme_coverage_commands_run_on_the_examples(block: Block, tmp_path: Path) -> None:
    for command, _ in commands_and_outputs(block.code):
        words = command.split("#")[0].split()
        assert words[:3] == ["python", "-m", "pytest"], command
        result = run_on_examples(words[3:], tmp_path)
        if "--callr-mock-cov-fail-under" in command:  # examples/ covers far less than 60 %
            assert result.returncode == 1, result.stdout[-2000:]
            assert "is below --callr-mock-cov-fail-under" in result.stdout
        else:
            assert result.returncode == 0, result.stdout[-2000:]
            assert "callr-mock coverage" in result.stdout
        for word in words:
            if word.startswith("--callr-mock-cov-report="):
                path = word.split(":", 1)[1]
                assert (tmp_path / path).stat().st_size > 0, word


@pytest.mark.parametrize("block", blocks_of("coverage-summary"))
def test_readme_coverage_summary_is_what_examples_print(block: Block, tmp_path: Path) -> None:
    """The README shows a real summary: same lines, numbers aside (Hypothesis varies them)."""
    result = run_on_examples(["--callr-mock-cov"], tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]

    def shape(line: str) -> str:
        return re.sub(r"\d+(\.\d+)?", "N", line.strip())

    printed = {shape(line) for line in result.stdout.splitlines()}
    missing = [line for line in block.code.splitlines() if shape(line) not in printed]
    assert missing == [], result.stdout[-3000:]


def test_the_first_screen_figure_is_what_spec_stats_counts() -> None:
    """The confirmed share of the contract on the README's first screen is the packaged
    spec's own count (``callr-mock spec stats``)."""
    import subprocess
    import sys

    stats = subprocess.run(
        [sys.executable, "-m", "callr_mock", "spec", "stats"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    ops = re.search(r"operations: (\d+) confirmed, \d+ inferred \((\d+) total\)", stats)
    schemas = re.search(r"schemas: (\d+) confirmed, \d+ inferred \((\d+) total\)", stats)
    assert ops and schemas, stats
    text = README.read_text(encoding="utf-8")
    figure = (
        f"{ops[1]} of {ops[2]} operations and {schemas[1]} of {schemas[2]}\nschemas are confirmed"
    )
    assert figure in text, figure
    assert text.index(figure) < text.index("## What it does")  # on the first screen


@pytest.mark.parametrize("block", blocks_of("state-sketch"))
def test_the_state_document_sketch_has_the_document_s_keys(block: Block) -> None:
    """docs/state-file.md sketches a state document: its top-level keys are the real ones."""
    from callr_mock import create_app, runtime_of
    from callr_mock.services.state_document import snapshot_state

    sketched = re.findall(r'^  "(\w+)":', block.code, re.M)
    document = snapshot_state(runtime_of(create_app()).store)
    assert sketched == list(document)
