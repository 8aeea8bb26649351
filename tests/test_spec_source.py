"""The spec files parse the same way in every YAML parser users' tools embed.

OpenAPI Generator (SnakeYAML, YAML 1.1, at most 50 aliases), Redocly and Postman (JS,
YAML 1.2) and PyYAML (YAML 1.1, lenient) must all read the same document from
``spec/*.yaml``. So the source uses no anchors or aliases, no duplicate keys, no flow
value that a comma or a colon cuts short, and no plain scalar whose type differs between
YAML 1.1 and YAML 1.2 (``yes``, ``012``, ``1e3``, unquoted dates).
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml
from callr_mock.contract.spec import load_spec

SPEC_FILES = ["callr-v2.yaml", "control.yaml"]

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
CORE_12 = [
    ("null", re.compile(r"^(~|null|Null|NULL|)$")),
    ("bool", re.compile(r"^(true|True|TRUE|false|False|FALSE)$")),
    ("int", re.compile(r"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")),
    (
        "float",
        re.compile(
            r"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"
        ),
    ),
]


def _core_12_type(value: str) -> str:
    return next((name for name, pattern in CORE_12 if pattern.match(value)), "str")


def _text(name: str) -> str:
    return resources.files("callr_mock.spec").joinpath(name).read_text(encoding="utf-8")


def strict_problems(text: str) -> list[str]:
    """What a lenient parser accepts here but another parser may read differently."""
    problems: list[str] = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent):
            problems.append(f"line {line}: alias *{anchor}")
        elif anchor:
            problems.append(f"line {line}: anchor &{anchor}")
    if problems:
        return problems
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()

    def scalar(node: yaml.ScalarNode, in_flow: bool) -> None:
        line = node.start_mark.line + 1
        if node.style is not None:  # quoted or block scalar: a string everywhere
            return
        if in_flow and re.search(r":|\s#", node.value):
            problems.append(f"line {line}: quote {node.value!r} (a colon or # in a flow value)")
        pyyaml_type = node.tag.rsplit(":", 1)[-1]
        core = _core_12_type(node.value)
        if pyyaml_type != core:
            problems.append(
                f"line {line}: {node.value!r} is {pyyaml_type} in YAML 1.1, {core} in YAML 1.2; quote it"
            )
        elif core == "int" and node.value.lstrip("+-").startswith("0") and node.value.strip("+-0"):
            problems.append(f"line {line}: {node.value!r} is octal in YAML 1.1; quote it")

    def walk(node: Any, in_flow: bool) -> None:
        if isinstance(node, yaml.ScalarNode):
            scalar(node, in_flow)
            return
        flow = in_flow or bool(node.flow_style)
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                if (
                    flow
                    and isinstance(item, yaml.MappingNode)
                    and text[item.start_mark.index] != "{"
                ):
                    problems.append(
                        f"line {item.start_mark.line + 1}: a 'key: value' pair in a flow list"
                    )
                walk(item, flow)
            return
        seen: set[str] = set()
        for key, value in node.value:
            line = key.start_mark.line + 1
            if key.value in seen:
                problems.append(f"line {line}: duplicate key {key.value!r}")
            seen.add(key.value)
            if (
                flow
                and isinstance(value, yaml.ScalarNode)
                and value.style is None
                and not value.value
            ):
                problems.append(
                    f"line {line}: {key.value!r} has no value (a comma cut a flow string short?)"
                )
            walk(key, flow)
            walk(value, flow)

    walk(root, False)
    return problems


@pytest.mark.parametrize(
    ("snippet", "problem"),
    [
        ("a: &x {b: 1}\nc: *x\n", "alias *x"),
        ("s: {description: Country, empty when unknown.}\n", "has no value"),
        ("s: {description: see note: here}\n", "while parsing a flow mapping"),
        ("s: {url: http://x}\n", "a colon or # in a flow value"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("a: [b: c]\n", "pair in a flow list"),
        ("a: yes\n", "bool in YAML 1.1, str in YAML 1.2"),
        ("a: 1e3\n", "str in YAML 1.1, float in YAML 1.2"),
        ("a: 2024-01-01\n", "timestamp in YAML 1.1"),
        ("a: 012\n", "octal"),
    ],
)
def test_the_strict_check_catches(snippet: str, problem: str) -> None:
    try:
        found = "\n".join(strict_problems(snippet))
    except yaml.YAMLError as error:
        found = str(error)
    assert problem in found


def test_the_strict_check_accepts_quoted_forms() -> None:
    ok = "s: {description: 'Country, empty when unknown.', url: 'http://x', n: '012'}\nb: true\n"
    assert strict_problems(ok) == []


@pytest.mark.parametrize("name", SPEC_FILES)
def test_spec_source_parses_strictly(name: str) -> None:
    assert strict_problems(_text(name)) == []


@pytest.mark.parametrize("name", SPEC_FILES)
def test_strict_parse_is_what_the_server_loads(name: str) -> None:
    strict = yaml.load(_text(name), Loader=yaml.SafeLoader)  # pure-Python parser
    assert strict == load_spec(resources.files("callr_mock.spec").joinpath(name))  # type: ignore[arg-type]


def test_named_examples_repeat_a_schema_example() -> None:
    """components/examples repeat values of the schemas' ``examples`` (no aliases to share
    them): each must stay equal to one of them, so an edit in one place fails here."""
    spec = load_spec()
    schema_examples = [
        value
        for schema in spec["components"]["schemas"].values()
        for value in schema.get("examples") or []
    ]
    drifted = [
        name
        for name, example in spec["components"]["examples"].items()
        if example["value"] not in schema_examples
    ]
    assert not drifted, (
        f"edit these components/examples together with the schema example: {drifted}"
    )
