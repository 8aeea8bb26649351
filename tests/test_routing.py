"""Routes are bound to spec operations by operationId, and only to them."""

from __future__ import annotations

from typing import Any

from callr_mock.contract.compiled import contract_for


def test_routed_operations_are_exactly_the_specs(app: Any) -> None:
    spec_ops = set(contract_for(None).operations)
    # besides the operations: the published spec and the docs page (reference.py)
    reference = {"/v2.0/openapi.json", "/v2.0/openapi.yaml", "/v2.0/docs", "/v2.0/docs/<name>"}
    api_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/v2.0/") and rule.rule not in reference
    ]
    assert {rule.endpoint for rule in api_rules} == spec_ops
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("reference.")} == (
        reference
    )
    for rule in api_rules:
        if rule.rule.startswith("/v2.0/"):
            op = contract_for(None).operations[rule.endpoint]
            assert rule.rule == "/v2.0" + op.rule
            assert rule.methods - {"HEAD"} == {op.method}


def test_every_spec_operation_has_a_stateful_handler(runtime: Any) -> None:
    assert runtime.unhandled == []


def test_a_literal_path_answers_405_for_other_methods(api: Any) -> None:
    for method, path, allowed in [
        ("PATCH", "/webhooks/search", "GET"),
        ("PATCH", "/numbers/store", "POST"),
        ("POST", "/numbers/store/countries", "GET"),
        ("OPTIONS", "/numbers/store", "POST"),
        ("OPTIONS", "/webhooks/search", "GET"),
        ("PUT", "/numbers/store/types", "GET"),
    ]:
        response = api.request(method, path)
        assert response.status_code == 405, (method, path, response.get_json())
        assert response.headers["Allow"] == allowed
        assert response.get_json()["code"] == "method-not-allowed"
