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


def _documented(server: str) -> set[tuple[str, str]]:
    """Routes of control.yaml served by the sandbox, or by the proxy (``x-served-by``)."""
    documented = set()
    for path, item in yaml.safe_load(CONTROL_SPEC.read_text())["paths"].items():
        if item.get("x-served-by", "sandbox") != server:
            continue
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                documented.add((method.upper(), "/_mock" + re.sub(r"{[^}]+}", "{}", path)))
    return documented


def test_every_control_route_is_documented_and_every_documented_route_exists(app: Any) -> None:
    documented = _documented("sandbox")
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/_mock"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((method, re.sub(r"<[^>]+>", "{}", rule.rule)))
    assert served == documented


def test_proxy_control_routes_are_documented() -> None:
    from callr_mock.proxy.app import ROUTES

    assert set(ROUTES) == _documented("proxy")


def test_drift_report_matches_its_schema() -> None:
    """GET /_mock/drift of a proxy that saw disagreements, against control.yaml."""
    import jsonschema
    import requests
    from callr_mock.base.settings import Settings
    from callr_mock.proxy.app import ProxySettings
    from callr_mock.running.proxy_server import ProxyServer

    from tests.fake_upstream import FakeUpstream

    spec = yaml.safe_load(CONTROL_SPEC.read_text())
    schema = {**spec["components"]["schemas"]["DriftReport"], "components": spec["components"]}
    with (
        FakeUpstream() as fake,
        ProxyServer(ProxySettings(fake.url + "/v2.0"), Settings(port=0)) as proxy,
    ):
        for path in ("/ping", "/sms/8242d945?x=1", "/numbers", "/voicemails"):
            requests.get(proxy.url + "/v2.0" + path, headers={"x-api-key": "k"}, timeout=5)
        requests.patch(proxy.url + "/v2.0/ping", headers={"x-api-key": "k"}, timeout=5)
        report = requests.get(proxy.url + "/_mock/drift", timeout=5).json()
    assert len(report["findings"]) >= 6
    jsonschema.Draft202012Validator(schema).validate(report)
