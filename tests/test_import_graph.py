"""The import graph of ``callr_mock`` has no cycle, every import counted (``TYPE_CHECKING``
ones too), and nothing below ``web/`` reaches the ``Runtime``."""

from __future__ import annotations

from import_graph import cycles, import_graph


def test_the_graph_sees_the_packages() -> None:
    graph = import_graph()
    assert "callr_mock.state.store" in graph["callr_mock.contract.seeding"]
    assert "callr_mock.plugin.pytest_plugin" in graph
    assert len(graph) > 80


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_callr_mock_has_no_runtime_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_nothing_below_the_web_layer_imports_the_runtime() -> None:
    graph = import_graph()
    below = sorted(
        module
        for module, targets in graph.items()
        if "callr_mock.web.frame.runtime" in targets
        and not module.startswith(("callr_mock.web", "callr_mock.running", "callr_mock.plugin"))
        and module != "callr_mock"
    )
    assert not below, f"these modules below web/ import the Runtime: {below}"
