"""A user holding Callr's official openapi.json can serve it instead of ours."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from callr_mock import Settings, create_app, runtime_of
from callr_mock.contract.spec import load_spec

KEY = {"x-api-key": "callr-mock-demo-key"}


def official_like_spec(tmp_path: Path) -> Path:
    """Our spec as JSON, plus an operation we have no handler for (like GET /calls)."""
    document = copy.deepcopy(load_spec())
    document["paths"]["/calls"] = {
        "get": {
            "operationId": "searchCalls",
            "security": [{"ApiKeyAuth": []}],
            "parameters": [{"$ref": "#/components/parameters/Limit"}],
            "responses": {
                "200": {
                    "description": "calls",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["offset", "total", "hasMore", "hits"],
                                "properties": {
                                    "offset": {"type": "integer"},
                                    "total": {"type": "integer"},
                                    "hasMore": {"type": "boolean"},
                                    "hits": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/CallRecord"},
                                    },
                                },
                            }
                        }
                    },
                }
            },
        }
    }
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    return path


def test_an_official_json_spec_is_served_with_unknown_operations_generated(tmp_path: Path) -> None:
    app = create_app(Settings(spec_path=str(official_like_spec(tmp_path)), clock="frozen"))
    client = app.test_client()
    assert runtime_of(app).unhandled == ["searchCalls"]
    assert client.get("/_mock/health").get_json()["unhandled"] == ["searchCalls"]
    generated = client.get("/v2.0/calls?limit=5", headers=KEY)
    assert generated.status_code == 200
    assert set(generated.get_json()) == {"offset", "total", "hasMore", "hits"}
    assert client.get("/v2.0/calls?limit=500", headers=KEY).status_code == 400
    sent = client.post("/v2.0/sms?to=%2B33612345678", json={"text": "still stateful"}, headers=KEY)
    assert sent.status_code == 201
    assert client.get(f"/v2.0/sms/{sent.get_json()['sid']}", headers=KEY).status_code == 200
    assert runtime_of(app).journal.list_violations() == []
