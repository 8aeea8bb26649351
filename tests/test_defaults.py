"""Handlers read a parameter with its default one way: a spec that leaves defaults out
(a user's official spec may) gets the same answers as ours, never a KeyError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from callr_mock import DEMO_API_KEY, Settings, create_app
from callr_mock.contract.compiled import contract_for
from callr_mock.contract.spec import packaged_spec_text


def _without_defaults(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_defaults(v) for k, v in node.items() if k != "default"}
    if isinstance(node, list):
        return [_without_defaults(v) for v in node]
    return node


def _app(spec_path: str | None) -> Any:
    return create_app(Settings(clock="frozen", id_seed=7, spec_path=spec_path, seed_path="demo"))


def test_every_search_answers_the_same_without_the_specs_defaults(tmp_path: Path) -> None:
    spec = tmp_path / "no-defaults.json"
    document = _without_defaults(yaml.safe_load(packaged_spec_text()))
    spec.write_text(json.dumps(document))
    assert "'default'" not in repr(document["paths"])
    ours, theirs = _app(None).test_client(), _app(str(spec)).test_client()
    headers = {"x-api-key": DEMO_API_KEY}
    checked = []
    for op in contract_for(None).operations.values():
        if op.method != "GET" or "{" in op.path:
            continue
        country = op.id in ("listStoreTypes", "listStorePrefixes")
        path = "/v2.0" + op.path + ("?country=FR" if country else "")
        expected, answered = ours.get(path, headers=headers), theirs.get(path, headers=headers)
        assert answered.status_code == expected.status_code == 200, (op.id, answered.get_json())
        assert answered.get_json() == expected.get_json(), op.id
        checked.append(op.id)
    assert {"searchSms", "searchNumbers", "searchScenarios", "listStoreCountries"} <= set(checked)
