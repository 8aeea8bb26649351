"""Callr's own published samples (``tests/data/callr_samples/``, verbatim) against the spec
the sandbox serves and against what the sandbox itself sends.

A suite green here must not be red against Callr: each sample validates as it is against
``GET /v2.0/openapi.json`` of a running sandbox, and a delivery the sandbox makes for the
same event type has exactly the sample's keys, in the sample's order, down to the nested
objects. ``GET /sms/{sid}`` answers the object of the SMS webhook payload.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import requests
from callr_mock import DEMO_API_KEY, MockServer
from conftest import running
from webhook_receiver import Receiver

SAMPLES = Path(__file__).parent / "data" / "callr_samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))
WEBHOOK_SAMPLES = sorted(SAMPLES.glob("webhook-*.json"))
HEADERS = {"x-api-key": DEMO_API_KEY}


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def shape(value: Any) -> Any:
    """The keys of a value, in order, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with running(clock="real") as served:
        yield served


@pytest.fixture(scope="module")
def served_spec(server: MockServer) -> dict[str, Any]:
    answer = requests.get(f"{server.url}/v2.0/openapi.json", timeout=10)
    assert answer.status_code == 200
    spec: dict[str, Any] = answer.json()
    return spec


def webhook_errors(spec: dict[str, Any], body: dict[str, Any]) -> list[str]:
    """Every error of a delivery body against the served spec's schema for its type."""
    media = spec["webhooks"][body["type"]]["post"]["requestBody"]["content"]
    return schema_errors(spec, media["application/json"]["schema"]["$ref"], body)


def response_errors(spec: dict[str, Any], path: str, method: str, body: Any) -> list[str]:
    """Every error of a 200 answer body against the served spec's schema for it."""
    media = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return schema_errors(spec, media["schema"]["$ref"], body)


def schema_errors(spec: dict[str, Any], schema_ref: str, body: Any) -> list[str]:
    uri = "urn:served"
    registry = jsonschema_rs.Registry([(uri, spec)])
    validator = jsonschema_rs.validator_for(
        {"$ref": f"{uri}{schema_ref}"}, registry=registry, validate_formats=True
    )
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(body)
    ]


def test_the_redoc_scenario_sample_is_valid_against_the_served_spec(
    served_spec: dict[str, Any], server: MockServer
) -> None:
    """api.callr.com/v2.0/static-docs.html, "Search scenarios" response sample (W10):
    dates without milliseconds, numbers with e164/class/type/assigned/country."""
    body = sample("static-docs-search-scenarios")
    assert response_errors(served_spec, "/actions", "get", body) == []
    # The page renders the script with its indentation collapsed to one space, so as
    # published it is a script whose branches are empty: the script schema says where.
    published = body["hits"][0]["script"]
    refused = requests.post(
        f"{server.url}/v2.0/actions",
        json={"name": "Call Forwarding", "script": published},
        headers=HEADERS,
        timeout=10,
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalid-script"
    assert "script line 5, column 15 (branches/inbound-call)" in refused.json()["message"]
    # its structure, indented again (YAML's two spaces a level), is a script that runs
    script = _indented(published)
    created = requests.post(
        f"{server.url}/v2.0/actions",
        json={"name": "Call Forwarding", "script": script},
        headers=HEADERS,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    sid = created.json()["sid"]
    requests.post(f"{server.url}/v2.0/actions/{sid}/runs", json={}, headers=HEADERS, timeout=10)
    requests.post(f"{server.url}/_mock/runs/flush", json={}, timeout=10)
    runs = requests.get(f"{server.url}/_mock/runs", params={"scenario": sid}, timeout=10).json()
    assert [(r["status"], r["log"]) for r in runs] == [("done", ["Hello from API"])]
    found = requests.get(f"{server.url}/v2.0/actions", headers=HEADERS, timeout=10).json()
    hit = next(h for h in found["hits"] if h["sid"] == created.json()["sid"])
    sample_keys = [k for k, _ in shape(body["hits"][0])]
    assert sorted(k for k, _ in shape(hit)) == sorted(sample_keys)


def _indented(flattened: str) -> str:
    """The Redoc sample's script with the nesting its keys imply (spaces before each key):
    ``defaults`` and ``branches`` at the top, ``language`` and a branch name under them,
    ``actions`` under a branch, a step under ``actions``, ``params`` under a step, a param
    under ``params``."""
    indent = {"defaults:": 0, "branches:": 0, "actions:": 4, "- action:": 6, "params:": 8}
    lines = []
    for raw in flattened.splitlines():
        text = raw.strip()
        key = next((k for k in indent if text.startswith(k)), None)
        if not text:
            lines.append("")
        elif key is not None:
            lines.append(" " * indent[key] + text)
        elif text.startswith("message:"):
            lines.append(" " * 10 + text)
        else:  # language: en-US, or a branch name
            lines.append("  " + text)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", WEBHOOK_SAMPLES, ids=lambda p: p.stem)
def test_callrs_sample_is_valid_against_the_served_spec(
    served_spec: dict[str, Any], path: Path
) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    assert webhook_errors(served_spec, body) == []
    # the check bites: the old envelope's keys are refused
    old = {**body, "timestamp": body["at"], "accountSid": body["sid"], "attempts": 0}
    assert webhook_errors(served_spec, old)


def test_callrs_samples_cover_every_sample_file() -> None:
    listed = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert SAMPLE_FILES and all(f"`{path.name}`" in listed for path in SAMPLE_FILES)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def subscribe(server: MockServer, event_type: str, url: str) -> dict[str, Any]:
    answer = requests.post(
        f"{server.url}/v2.0/webhooks",
        json={"type": event_type, "endpoint": url},
        headers=HEADERS,
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    hook: dict[str, Any] = answer.json()
    return hook


def control(server: MockServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{server.url}/_mock{path}", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def delivered(receiver: Receiver, event_type: str) -> dict[str, Any]:
    assert receiver.wait_for(1, timeout=10), f"no {event_type} delivery"
    [body] = [b for b in receiver.bodies() if b["type"] == event_type]
    return body


def test_an_inbound_sms_delivery_has_the_samples_keys(
    server: MockServer, served_spec: dict[str, Any], receiver: Receiver
) -> None:
    hook = subscribe(server, "v2.sms.inbound.received", receiver.url)
    control(
        server,
        "/accounts/sandbox1/sms/inbound",
        {"from": "+33639983040", "to": "+33639980010", "text": "Hello world!"},
    )
    body = delivered(receiver, "v2.sms.inbound.received")
    expected = sample("webhook-v2-sms-inbound-received")
    assert shape(body) == shape(expected)
    assert body["sid"] == hook["sid"] and body["try"] == 0
    assert webhook_errors(served_spec, body) == []
    # the same object from the REST API
    read = requests.get(
        f"{server.url}/v2.0/sms/{body['payload']['sid']}", headers=HEADERS, timeout=10
    ).json()
    assert shape(read) == shape(expected["payload"])
    assert read == body["payload"]
    hits = requests.get(f"{server.url}/v2.0/sms", headers=HEADERS, timeout=10).json()["hits"]
    assert [shape(hit) for hit in hits[:1]] == [shape(expected["payload"])]


def test_an_inbound_call_delivery_has_the_samples_keys(
    server: MockServer, served_spec: dict[str, Any], receiver: Receiver
) -> None:
    subscribe(server, "v2.call.inbound.ended", receiver.url)
    control(
        server,
        "/accounts/sandbox1/calls",
        {
            "direction": "inbound",
            "callerNumber": "+33199001234",
            "callerName": "John Doe",
            "callee": "+33199001234",
            "started": "2024-04-24T17:42:28.876Z",
            "durationTotal": 12,
            "durationAnswered": 11,
            "hangupSource": "caller",
        },
    )
    body = delivered(receiver, "v2.call.inbound.ended")
    expected = sample("webhook-v2-call-inbound-ended")
    assert shape(body) == shape(expected)
    assert webhook_errors(served_spec, body) == []
    payload = body["payload"]
    assert (payload["hangupTech"], payload["billingDestinationLabel"]) == (
        "sip:200",
        "France - Geographic",
    )
