"""Documented facts the contract and the sandbox must agree with (issue 14).

Each test names its source: a file and section of ``/work/shared/callr-api/`` (the
research notes on Callr's public docs), or a line of Callr's own published samples.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from callr_mock.contract.spec import load_spec

DOCS_SCENARIO_SEARCH: dict[
    str, Any
] = {  # conventions-system-actions.md §3.2, the Redoc sample, verbatim
    "offset": 0,
    "total": 20,
    "hasMore": False,
    "hits": [
        {
            "name": "Call Forwarding",
            "script": "defaults:\n  language: en-US\nbranches:\n  api-initiated:\n    actions: []\n",
            "format": "yaml",
            "sid": "callrsid",
            "numbers": [
                {
                    "e164": "+33199001234",
                    "class": "classic",
                    "type": "geographic",
                    "assigned": "2024-04-24T17:42:28Z",
                    "country": "FR",
                }
            ],
            "version": "1.0",
            "created": "2024-04-24T17:42:28Z",
            "updated": "2024-04-24T17:42:28Z",
        }
    ],
}
MOCK_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


SPEC_URI = "urn:callr-mock:fidelity"
SAMPLES = Path(__file__).parent / "data" / "callr_samples"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec(None)


@pytest.fixture(scope="module")
def validator(spec: dict[str, Any]) -> Any:
    """Errors of a value against a component schema (formats checked, as the server does)."""
    import json

    import jsonschema_rs

    registry = jsonschema_rs.Registry([(SPEC_URI, json.loads(json.dumps(spec)))])

    def check(schema: str, value: Any) -> list[str]:
        target = {"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}
        checker = jsonschema_rs.validator_for(target, registry=registry, validate_formats=True)
        return [e.message for e in checker.iter_errors(value)]

    return check


@pytest.fixture(scope="module")
def spec_example(spec: dict[str, Any]) -> Any:
    return lambda name: spec["components"]["examples"][name]["value"]


# -- dates -------------------------------------------------------------------------------
def test_docs_scenario_search_sample_is_valid(validator: Any) -> None:
    """conventions-system-actions.md §3.2: the Redoc search sample carries dates without
    milliseconds ("2024-04-24T17:42:28Z"); it must pass our ScenarioSearchResult."""
    assert validator("ScenarioSearchResult", DOCS_SCENARIO_SEARCH) == []


@pytest.mark.parametrize(
    "value",
    [
        "2024-04-24T17:42:28Z",  # conventions §3.1 sample
        "2024-04-24T12:00:42.000Z",  # conventions §2 ping sample
        "2025-03-31T15:42:00.123Z",  # sms-tasks-calls-billing.md §2.4
        "2024-04-24T17:42:28.123456Z",
        "2024-04-24T17:42:28+00:00",
    ],
)
def test_every_rfc3339_utc_form_is_a_datetime(validator: Any, value: str) -> None:
    """migration-guide.txt FAQ: "RFC 3339 (YYYY-MM-DDTHH:MM:SSZ)"; notes: ".sssZ"."""
    assert validator("DateTime", value) == []


def test_seeding_the_docs_sample_works_and_output_keeps_milliseconds(api: Any, client: Any) -> None:
    """conventions §3.2 sample seeded as it is; the mock writes it back in its one form
    (UTC with milliseconds, spec DateTime description)."""
    scenario = dict(DOCS_SCENARIO_SEARCH["hits"][0], numbers=[])
    response = client.post(
        "/_mock/seed",
        json={"data": {"accounts": [{"scenarios": [scenario]}]}, "account": "sandbox1"},
    )
    assert response.status_code == 200, response.get_json()
    got = api.get("/actions/callrsid").get_json()
    assert got["created"] == "2024-04-24T17:42:28.000Z"
    assert MOCK_DATE.match(got["updated"])


def test_date_filters_accept_both_forms(api: Any) -> None:
    """Request parameters accept dates with and without milliseconds (issue 14, Dates)."""
    for bound in ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z"):
        response = api.get("/sms", query_string={"createdAfter": bound})
        assert response.status_code == 200, response.get_json()


# -- money -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["1.00", "0.8925", "0.0000", "12", "2.0", "5.50"])
def test_documented_money_forms_are_valid(validator: Any, value: str) -> None:
    """sms-tasks-calls-billing.md §2.4: `billingDebit: "1.00"`; §4.3: `"0.8925"`;
    webhooks-v2-samples.md: the SMS `cost` "2.0", the call `billingDebit` "5.50"."""
    assert validator("Money", value) == []


# -- CDR ---------------------------------------------------------------------------------
def test_call_record_hangup_tech_is_a_sip_status(validator: Any) -> None:
    """webhooks-v2-samples.md (Callr's v2.call.inbound.ended sample): ``"hangupTech":
    "sip:200"``; null while the call is in progress."""
    record = json.loads(
        (SAMPLES / "webhook-v2-call-inbound-ended.json").read_text(encoding="utf-8")
    )["payload"]
    valid: list[object] = ["sip:200", "sip:486", None]
    for tech in valid:
        assert validator("CallRecord", {**record, "hangupTech": tech}) == []
    invalid: list[object] = ["NORMAL_CLEARING", 16, "sip:2000"]
    for tech in invalid:
        assert validator("CallRecord", {**record, "hangupTech": tech}), tech


# -- number ordering by prefix or area alone -------------------------------------------------
@pytest.mark.parametrize(
    ("query", "country"),
    [({"prefix": "+33"}, "FR"), ({"area": "paris"}, "FR"), ({"prefix": "+44"}, "GB")],
)
def test_prefixes_by_prefix_or_area_alone(api: Any, query: dict[str, str], country: str) -> None:
    """migration-guide.txt "Simplified number ordering": "just use simple query parameters
    like prefix (e.g., +33), area (e.g., paris or lyon)"."""
    response = api.get("/numbers/store/prefixes", query_string=query)
    assert response.status_code == 200, response.get_json()
    hits = response.get_json()["hits"]
    assert hits and {h["country"] for h in hits} == {country}


def test_reserve_by_prefix_alone(api: Any) -> None:
    """migration-guide.txt "Simplified number ordering" (the issue's exact body)."""
    response = api.post(
        "/numbers/store", json={"prefix": "+331", "class": "classic", "quantity": 1}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["country"], body["type"]) == ("FR", "geographic")
    assert body["numbers"][0]["e164"].startswith("+331")


def test_reserve_by_area_alone_and_by_mobile_prefix(api: Any) -> None:
    """migration-guide.txt: area (e.g. lyon); a +336 prefix implies the mobile type."""
    lyon = api.post("/numbers/store", json={"area": "lyon"}).get_json()
    assert lyon["country"] == "FR" and lyon["numbers"][0]["e164"].startswith("+33472")
    mobile = api.post("/numbers/store", json={"prefix": "+336"})
    assert mobile.status_code == 201, mobile.get_json()
    assert mobile.get_json()["type"] == "mobile"


def test_country_required_only_when_ambiguous(api: Any) -> None:
    """Nothing says which country: 400 `country-required`, the message says what to give."""
    response = api.post("/numbers/store", json={"class": "classic"})
    assert response.status_code == 400
    assert response.get_json()["code"] == "country-required"
    nowhere = api.get("/numbers/store/prefixes", query_string={"area": "atlantis"})
    assert nowhere.status_code == 400 and nowhere.get_json()["code"] == "not-sold"
    assert "FR" in nowhere.get_json()["message"]


def test_ambiguous_area_lists_the_candidates() -> None:
    """An area slug sold in two countries lists both (state rule, no HTTP needed)."""
    from callr_mock.base.errors import InvalidInput
    from callr_mock.state.catalogue import Area, Catalogue

    def area(country: str) -> Area:
        return Area(country, "geographic", "+1", "springfield", "Springfield", 7, ("+1",))

    cat = Catalogue(
        {"US": {"name": "US", "callingCode": "+1"}, "CA": {"name": "CA", "callingCode": "+1"}},
        {},
        [area("US"), area("CA")],
        {},
    )
    with pytest.raises(InvalidInput) as caught:
        cat.resolve_country(None, None, "springfield")
    assert caught.value.code == "country-required"
    assert "CA, US" in caught.value.message


# -- provenance at the right grain -------------------------------------------------------------
def test_inferred_rules_inside_confirmed_items_are_marked() -> None:
    """conventions-system-actions.md §3.2: "[I] name match is case-insensitive substring";
    the operation is confirmed, so that rule must carry its own inferred mark, and
    spec stats must count it."""
    from callr_mock.contract.provenance import count_provenance

    spec = load_spec(None)
    op = spec["paths"]["/actions"]["get"]
    assert op["x-provenance"] == "confirmed"
    name = next(p for p in op["parameters"] if p.get("name") == "name")
    assert name["x-provenance"] == "inferred" and "case" in name["x-provenance-note"]
    counts = count_provenance(spec)
    parts = {p["name"] for p in counts["inferred_parts"]}
    assert "GET /actions (searchScenarios) > parameter name" in parts
    assert counts["parts"]["inferred"] == len(counts["inferred_parts"]) > 0


def test_seed_data_without_accounts_is_a_clear_400(client: Any) -> None:
    """Seen while seeding the docs' sample: {"data": {...}} without "accounts" was a 500."""
    data: Any
    for data in ({"scenarios": []}, ["x"], {"accounts": "x"}):
        response = client.post("/_mock/seed", json={"data": data})
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["code"] == "invalid-seed"
