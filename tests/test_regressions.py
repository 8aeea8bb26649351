"""Bugs found by schemathesis (conformance/run.sh), kept as regression tests."""

from __future__ import annotations

from typing import Any


def test_reserve_with_an_integral_float_quantity(api: Any) -> None:
    # schemathesis: {"country": "US", "quantity": 5.0} crashed reserveNumbers (TypeError)
    response = api.post(
        "/numbers/store", data='{"country": "US", "quantity": 5.0}', content_type="application/json"
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["quantity"] == 5
    assert len(response.get_json()["numbers"]) == 5


def test_options_on_a_literal_path_names_that_paths_methods(api: Any) -> None:
    # schemathesis ST205: Allow listed the methods of /numbers/{number} for /numbers/store
    response = api.request("OPTIONS", "/numbers/store")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_patch_on_webhooks_search_is_405_not_400(api: Any) -> None:
    # schemathesis ST204: 'search' was validated as a {sid}
    response = api.patch("/webhooks/search", json={"enabled": False})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


def test_an_audio_file_name_of_a_control_character_is_a_name(api: Any) -> None:
    # schemathesis ST202: {"name": "\u001d"} passed the schema but the rule said "empty"
    sid = api.post("/audio-files", json={"name": "Welcome"}).get_json()["sid"]
    renamed = api.patch(f"/audio-files/{sid}", json={"name": "\u001d"})
    assert renamed.status_code == 200, renamed.get_json()
    blank = api.patch(f"/audio-files/{sid}", json={"name": "  \t "})
    assert blank.status_code == 400
    assert "name" in blank.get_json()["message"]
