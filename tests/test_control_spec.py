"""The control API and its own spec (spec/control.yaml) describe the same routes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate

CONTROL_SPEC = Path(__file__).resolve().parents[1] / "spec" / "control.yaml"


def test_control_spec_is_valid_openapi() -> None:
    validate(yaml.safe_load(CONTROL_SPEC.read_text()))


def test_every_control_route_is_documented_and_every_documented_route_exists(app: Any) -> None:
    documented = set()
    for path, item in yaml.safe_load(CONTROL_SPEC.read_text())["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                documented.add((method.upper(), "/_mock" + re.sub(r"{[^}]+}", "{}", path)))
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/_mock"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((method, re.sub(r"<[^>]+>", "{}", rule.rule)))
    assert served == documented
