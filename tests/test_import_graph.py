"""The import graph of ``callr_mock`` has no cycle at run time (``TYPE_CHECKING``
imports aside: they never run)."""

from __future__ import annotations

from import_graph import cycles, import_graph


def test_the_graph_sees_the_packages() -> None:
    graph = import_graph()
    assert "callr_mock.state.store" in graph["callr_mock.seeding"]
    assert "callr_mock.plugin.pytest_plugin" in graph
    assert len(graph) > 80


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_callr_mock_has_no_runtime_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "runtime import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)
