"""Answers built for operations without a handler (a user's official spec) are valid for every
format and keyword the validator checks: each operation below uses one, and none is a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from callr_mock import DEMO_API_KEY, Settings, create_app
from callr_mock.contract.formats import FORMATS

SCHEMAS: dict[str, dict[str, Any]] = {
    **{f"format-{name}": {"type": "string", "format": name} for name in FORMATS},
    "exclusive-minimum": {"type": "integer", "exclusiveMinimum": 0},
    "exclusive-bounds": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "exclusive-maximum": {"type": "number", "exclusiveMaximum": -2},
    "multiple-of": {"type": "integer", "minimum": 3, "multipleOf": 5},
    "unique-items": {
        "type": "array",
        "minItems": 3,
        "uniqueItems": True,
        "items": {"type": "integer", "exclusiveMinimum": 1},
    },
    "unique-strings": {
        "type": "array",
        "minItems": 2,
        "uniqueItems": True,
        "items": {"type": "string", "format": "uuid"},
    },
}


def _spec() -> dict[str, Any]:
    paths = {
        f"/{name}": {
            "get": {
                "operationId": f"get-{name}",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["value"],
                                    "properties": {"value": schema},
                                }
                            }
                        },
                    }
                },
            }
        }
        for name, schema in SCHEMAS.items()
    }
    return {"openapi": "3.1.0", "info": {"title": "every keyword", "version": "1"}, "paths": paths}


@pytest.fixture(scope="module")
def client(tmp_path_factory: Any) -> Any:
    spec = tmp_path_factory.mktemp("spec") / "every-keyword.json"
    spec.write_text(json.dumps(_spec()))
    return create_app(Settings(clock="frozen", spec_path=str(spec))).test_client()


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_generated_answer_keeps_its_own_contract(client: Any, name: str) -> None:
    response = client.get(f"/v2.0/{name}", headers={"x-api-key": DEMO_API_KEY})
    assert response.status_code == 200, response.get_json()
    assert client.get("/_mock/violations").get_json() == []
