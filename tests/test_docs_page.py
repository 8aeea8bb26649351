"""The API reference page at /v2.0/docs, in a real headless Chromium, offline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape

import pytest
from browser import dump_dom
from callr_mock import MockServer
from callr_mock.contract.spec import load_spec

from tests.conftest import running


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with running() as server:
        yield server


def provenance_counts() -> dict[str, int]:
    spec = load_spec()
    counts: dict[str, int] = {}
    for items in (spec["paths"], spec["webhooks"]):
        for item in items.values():
            for key, op in item.items():
                if key != "parameters":
                    counts[op["x-provenance"]] = counts.get(op["x-provenance"], 0) + 1
    return counts


def test_the_docs_page_renders_every_operation_with_its_provenance(server: MockServer) -> None:
    # deep link: the page opens getScenario, so its description (with the note) is rendered
    dom = dump_dom(server.url + "/v2.0/docs#/Actions/getScenario")
    assert 'data-ready="true"' in dom, dom[-2000:]
    summary = re.search(r'id="provenance-summary"[^>]*data-counts="([^"]+)"', dom)
    assert summary is not None
    assert json.loads(unescape(summary.group(1))) == provenance_counts()
    badges = re.findall(r'class="provenance-badge provenance-(\w+)"', dom)
    assert sorted(badges) == sorted(
        name for name, count in provenance_counts().items() for _ in range(count)
    )
    assert 'data-provenance="confirmed"' in dom and 'data-provenance="inferred"' in dom
    note = load_spec()["paths"]["/actions/{sid}"]["get"]["x-provenance-note"]
    assert "Provenance: inferred." in dom and unescape(note) in unescape(dom)
    assert "callr-mock sandbox (this server)" in dom  # the servers list of the served spec
