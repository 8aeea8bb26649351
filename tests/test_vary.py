"""Contract-valid variation (``--vary``, ``/_mock/vary``, the plugin's ``vary``): answers
stay valid and true to the state, vary what the spec leaves open, and repeat with a seed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from callr_mock import DEMO_API_KEY, Settings, create_app
from callr_mock.running.cli import main

HEADERS = {"x-api-key": DEMO_API_KEY}

# A spec that leaves things open (ours does not: its objects are strict by house decision).
OPEN_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "open", "version": "1"},
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "x-api-key"}}
    },
    "security": [{"key": []}],
    "paths": {
        "/things/{id}": {
            "get": {
                "operationId": "getThing",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "a thing",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "created"],
                                    "properties": {
                                        "id": {"type": "string"},
                                        "note": {"type": ["string", "null"]},
                                        "label": {"type": "string"},
                                        "created": {"type": "string", "format": "date-time"},
                                    },
                                },
                                "example": {
                                    "id": "t1",
                                    "note": "hello",
                                    "label": "L",
                                    "created": "2024-04-24T12:00:00.000Z",
                                },
                            }
                        },
                    }
                },
            }
        }
    },
}


@pytest.fixture
def open_spec(tmp_path: Path) -> str:
    path = tmp_path / "open.json"
    path.write_text(json.dumps(OPEN_SPEC))
    return str(path)


def _things(client: Any, count: int = 60) -> list[dict[str, Any]]:
    return [client.get("/v2.0/things/t1", headers=HEADERS).get_json() for _ in range(count)]


def test_open_parts_of_a_spec_vary_and_stay_valid(open_spec: str) -> None:
    app = create_app(Settings(clock="frozen", spec_path=open_spec, vary_seed=3))
    client = app.test_client()
    seen = _things(client)
    assert all(thing["id"] == "t1" for thing in seen)  # required: always there, unchanged
    assert any("note" not in thing for thing in seen)
    assert any(thing.get("note", "") is None for thing in seen)
    assert any("label" not in thing for thing in seen)
    assert any(set(thing) - {"id", "note", "label", "created"} for thing in seen)  # extras
    forms = {thing["created"] for thing in seen}
    assert "2024-04-24T12:00:00.000Z" in forms and len(forms) >= 3
    assert any(form.endswith("+00:00") for form in forms)
    assert client.get("/_mock/violations").get_json() == []
    untouched = create_app(Settings(clock="frozen", spec_path=open_spec)).test_client()
    assert (
        _things(untouched, 5)
        == [
            OPEN_SPEC["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"][
                "application/json"
            ]["example"]
        ]
        * 5
    )


def test_the_same_seed_gives_the_same_answers(open_spec: str) -> None:
    runs = [
        _things(
            create_app(Settings(clock="frozen", spec_path=open_spec, vary_seed=seed)).test_client()
        )
        for seed in (11, 11, 12)
    ]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def _send(client: Any, count: int) -> set[str]:
    sids = set()
    for index in range(count):
        answer = client.post(
            "/v2.0/sms",
            headers=HEADERS,
            query_string={"to": "+33612345678"},
            json={"text": f"m{index}"},
        )
        assert answer.status_code == 201
        sids.add(answer.get_json()["sid"])
    return sids


def _walk_pages(client: Any, limit: int) -> tuple[list[str], int]:
    """Page the way the contract says: on hasMore, from offset + len(hits)."""
    collected: list[str] = []
    offset, pages = 0, 0
    while True:
        page = client.get(
            "/v2.0/sms", headers=HEADERS, query_string={"limit": limit, "offset": offset}
        ).get_json()
        pages += 1
        collected += [hit["sid"] for hit in page["hits"]]
        assert len(page["hits"]) <= limit
        if not page["hasMore"]:
            return collected, pages
        assert page["hits"], "a page with hasMore is never empty"
        offset += len(page["hits"])


def test_list_pages_are_cut_short_and_ties_reordered_but_paging_on_hasmore_sees_all(
    client: Any,
) -> None:
    sids = _send(client, 6)  # a frozen clock: all six were created at the same instant
    assert client.post("/_mock/vary", json={"account": "sandbox1", "seed": 4}).status_code == 201
    page_counts, orders = set(), set()
    for _ in range(12):
        collected, pages = _walk_pages(client, limit=6)
        assert sorted(collected) == sorted(sids)  # nothing lost, nothing twice
        page_counts.add(pages)
        orders.add(tuple(collected))
    assert page_counts - {1}, "some first pages were cut short with hasMore true"
    assert len(orders) > 1, "items equal in the sort field came in different orders"
    assert client.get("/_mock/violations").get_json() == []
    assert client.get("/_mock/vary").get_json() == {"seed": None, "accounts": {"sandbox1": 4}}
    assert client.delete("/_mock/vary", query_string={"account": "sandbox1"}).status_code == 204
    fixed = {tuple(_walk_pages(client, limit=6)[0]) for _ in range(3)}
    assert len(fixed) == 1 and len(next(iter(fixed))) == 6


def test_variation_is_per_account(client: Any, other_api: Any) -> None:
    client.post("/_mock/vary", json={"account": "sandbox1", "seed": 1})
    for index in range(4):
        other_api.post("/sms", query_string={"to": "+33612345678"}, json={"text": str(index)})
    pages = [other_api.get("/sms", query_string={"limit": 4}).get_json() for _ in range(10)]
    assert all(len(page["hits"]) == 4 for page in pages)
    assert len({tuple(h["sid"] for h in page["hits"]) for page in pages}) == 1


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"seed": -1}, 400), ({"seed": "1"}, 400), ({"account": "nobody00"}, 404), ({"sed": 1}, 400)],
)
def test_bad_vary_requests(client: Any, payload: dict[str, Any], status: int) -> None:
    answer = client.post("/_mock/vary", json=payload)
    assert answer.status_code == status and answer.get_json()["message"]


def test_a_random_seed_is_returned_and_reset_forgets_account_seeds(client: Any) -> None:
    chosen = client.post("/_mock/vary", json={}).get_json()
    assert chosen["account"] is None and isinstance(chosen["seed"], int)
    client.post("/_mock/vary", json={"account": "sandbox1", "seed": 9})
    client.post("/_mock/reset")
    assert client.get("/_mock/vary").get_json() == {"seed": chosen["seed"], "accounts": {}}


def test_serve_vary_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--vary", "seven"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "'seven' is not a whole number" in err and len(err.strip().splitlines()) == 1


def test_serve_vary_prints_its_seed_and_varies_over_http() -> None:
    import urllib.request

    from served import start

    served = start("--vary", "7")
    try:
        assert any("seed 7 (repeat: --vary 7)" in line for line in served.banner)
        request = urllib.request.Request(served.url + "/_mock/vary")
        assert json.loads(urllib.request.urlopen(request, timeout=10).read()) == {
            "seed": 7,
            "accounts": {},
        }
    finally:
        assert served.stop() == 0


def test_plugin_vary_option_marker_and_seed_on_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_tolerant="""
        import pytest

        def _send(client, n):
            for i in range(n):
                client.post("/sms", params={"to": "+33612345678"}, json={"text": str(i)})

        def test_seeded_by_the_option(callr_mock):
            assert callr_mock.vary_seed is not None

        @pytest.mark.callr_mock(vary=False)
        def test_opted_out(callr_mock):
            assert callr_mock.vary_seed is None

        @pytest.mark.callr_mock(vary=1234)
        def test_fixed_seed(callr_mock):
            assert callr_mock.vary_seed == 1234

        def test_a_client_that_trusts_limit_fails(callr_mock, callr_client):
            _send(callr_client, 5)
            for _ in range(20):
                page = callr_client.get("/sms", params={"limit": 5}).json()
                assert len(page["hits"]) == 5  # wrong: the contract allows a short page
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--callr-mock-vary=77")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*vary: 77*", "*varied within the contract with seed *"])
    again = pytester.runpytest("-p", "no:randomly", "--callr-mock-vary=77")

    def seeds(run: pytest.RunResult) -> list[str]:
        return re.findall(r"with seed (\d+)", "\n".join(run.stdout.lines))

    assert seeds(result) and seeds(result) == seeds(again)  # the same test, the same seed
    plain = pytester.runpytest("-p", "no:randomly", "-k", "trusts")
    plain.assert_outcomes(passed=1)  # without --vary our habit hides the bug
