"""The contract where Callr serves it: /v2.0/openapi.json and .yaml, and the docs assets."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import requests
import yaml
from callr_mock import MockServer, Settings, create_app
from callr_mock.contract.publish import published_document, render
from callr_mock.contract.spec import load_spec
from test_spec_source import strict_problems


def without_servers(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "servers"}


def test_openapi_json_is_the_spec_with_the_sandbox_first_in_servers(client: Any) -> None:
    response = client.get("/v2.0/openapi.json", base_url="http://127.0.0.1:4999")
    assert response.status_code == 200 and response.mimetype == "application/json"
    served = response.get_json()
    spec = load_spec()
    assert without_servers(served) == without_servers(spec)
    assert served["servers"][0] == {
        "url": "http://127.0.0.1:4999/v2.0",
        "description": "callr-mock sandbox (this server)",
    }
    assert served["servers"][1:] == spec["servers"]  # Callr production stays listed
    # no credentials needed, as for Callr's own file; the journal records nothing of it
    assert client.get("/_mock/journal").get_json() == []


def test_openapi_yaml_is_the_same_document_without_aliases() -> None:
    # a Host of its own must be allowed (guard.py); the servers URL follows it
    client = create_app(Settings(clock="frozen", allowed_hosts=["sandbox.test"])).test_client()
    response = client.get("/v2.0/openapi.yaml", base_url="http://sandbox.test:8080")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    text = response.get_data(as_text=True)
    assert strict_problems(text) == []
    as_json = client.get("/v2.0/openapi.json", base_url="http://sandbox.test:8080").get_json()
    assert yaml.safe_load(text) == as_json
    assert as_json["servers"][0]["url"] == "http://sandbox.test:8080/v2.0"


def test_the_served_yaml_of_a_spec_with_shared_nodes_has_no_aliases() -> None:
    # A user's YAML spec may use anchors, which the loader turns into shared objects: what
    # is served of it has no aliases all the same.
    document = copy.deepcopy(load_spec())
    shared: list[dict[str, list[str]]] = [{"ApiKeyAuth": []}]
    for item in document["paths"].values():
        for key, op in item.items():
            if key != "parameters":
                op["security"] = shared  # the same object everywhere: a dumper would alias it
    assert "&id" in yaml.safe_dump(document)
    text = render(published_document(document, "http://127.0.0.1:1/v2.0"), "yaml")
    assert "&id" not in text and "*id" not in text
    assert yaml.safe_load(text)["paths"]["/ping"]["get"]["security"] == shared


def test_a_users_spec_is_served_and_keeps_its_own_openapi_path(tmp_path: Path) -> None:
    document = copy.deepcopy(load_spec())
    document["info"]["title"] = "Callr official"
    document["paths"]["/openapi.json"] = {
        "get": {
            "operationId": "getOwnSpec",
            "responses": {
                "200": {
                    "description": "theirs",
                    "content": {
                        "application/json": {
                            "schema": {"type": "object"},
                            "example": {"theirs": True},
                        }
                    },
                }
            },
        }
    }
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    client = create_app(Settings(spec_path=str(path), clock="frozen")).test_client()
    assert (
        yaml.safe_load(client.get("/v2.0/openapi.yaml").data)["info"]["title"] == "Callr official"
    )
    own = client.get("/v2.0/openapi.json", headers={"x-api-key": "callr-mock-demo-key"})
    assert own.status_code == 200 and own.get_json() == {"theirs": True}


def test_only_get_is_allowed_and_unknown_assets_are_not_found(client: Any) -> None:
    response = client.post("/v2.0/openapi.json")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.get_json()["code"] == "method-not-allowed"
    for path in ("/v2.0/docs/nothing.js", "/v2.0/docs/SWAGGER-UI-LICENSE", "/v2.0/openapi.yml"):
        response = client.get(path)
        assert response.status_code == 404 and response.get_json()["code"] == "not-found", path


def test_the_docs_page_and_its_assets_are_local(client: Any) -> None:
    page = client.get("/v2.0/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "http" not in html  # nothing from a CDN
    for asset, mimetype in [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("provenance.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("provenance.css", "text/css"),
        ("favicon-32x32.png", "image/png"),
    ]:
        assert f"docs/{asset}" in html
        response = client.get(f"/v2.0/docs/{asset}")
        assert response.status_code == 200 and response.mimetype == mimetype, asset


def test_a_real_server_serves_its_own_url() -> None:
    server = MockServer(Settings(port=0, clock="frozen")).start()
    try:
        served = requests.get(server.url + "/v2.0/openapi.json", timeout=10).json()
        assert served["servers"][0]["url"] == server.url + "/v2.0"
    finally:
        server.stop()
