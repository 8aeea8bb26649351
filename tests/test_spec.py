"""Checks of the Callr REST API v2 contract, ``spec/callr-v2.yaml``.

These tests read the YAML file from the repository; they need neither the server nor an
installed package (the provenance module is imported from the package when installed, else
loaded from ``mockserver/contract/provenance.py``).
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import jsonschema_rs
import openapi_spec_validator
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO / "spec" / "callr-v2.yaml"
SPEC_URI = "urn:callr-mock:spec"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

TAGS = {
    "System",
    "Actions",
    "Numbers",
    "Numbers Store",
    "SMS",
    "Tasks",
    "Calls",
    "Billing",
    "Audio Files",
    "Recordings",
    "Webhooks",
}

# The 41 rows of the migration table (shared/callr-api/README.md), with their operationIds.
MIGRATION_OPERATIONS: dict[tuple[str, str], str] = {
    ("GET", "/actions"): "searchScenarios",
    ("POST", "/actions"): "createScenario",
    ("PATCH", "/actions/{sid}"): "updateScenario",
    ("DELETE", "/actions/{sid}"): "deleteScenario",
    ("POST", "/actions/{sid}/runs"): "runScenario",
    ("PUT", "/actions/{sid}/numbers/{number}"): "assignScenarioNumber",
    ("DELETE", "/actions/{sid}/numbers/{number}"): "unassignScenarioNumber",
    ("GET", "/numbers"): "searchNumbers",
    ("PATCH", "/numbers/{number}"): "updateNumber",
    ("DELETE", "/numbers/{number}"): "releaseNumber",
    ("PUT", "/numbers/{number}/scenario/{sid}"): "assignNumberScenario",
    ("DELETE", "/numbers/{number}/scenario/{sid}"): "unassignNumberScenario",
    ("GET", "/numbers/store/countries"): "listStoreCountries",
    ("GET", "/numbers/store/types"): "listStoreTypes",
    ("GET", "/numbers/store/prefixes"): "listStorePrefixes",
    ("POST", "/numbers/store"): "reserveNumbers",
    ("POST", "/numbers/store/{token}"): "buyReservation",
    ("DELETE", "/numbers/store/{token}"): "cancelReservation",
    ("POST", "/sms"): "sendSms",
    ("GET", "/sms"): "searchSms",
    ("GET", "/sms/{sid}"): "getSms",
    ("POST", "/tasks/{taskid}"): "getTaskPost",
    ("DELETE", "/tasks/{taskid}"): "cancelTask",
    ("POST", "/calls/export"): "exportCalls",
    ("GET", "/billing/credit"): "getCredit",
    ("GET", "/billing/destinations"): "listDestinations",
    ("GET", "/audio-files"): "searchAudioFiles",
    ("POST", "/audio-files"): "createAudioFile",
    ("GET", "/audio-files/{sid}"): "getAudioFile",
    ("PATCH", "/audio-files/{sid}"): "updateAudioFile",
    ("DELETE", "/audio-files/{sid}"): "deleteAudioFile",
    ("PUT", "/audio-files/{sid}/file"): "setAudioFileContent",
    ("PUT", "/audio-files/{sid}/phone-id"): "getAudioFilePhoneId",
    ("GET", "/recordings"): "searchRecordings",
    ("DELETE", "/recordings"): "deleteRecordings",
    ("PATCH", "/recordings/{sid}"): "updateRecording",
    ("DELETE", "/recordings/{sid}"): "deleteRecording",
    ("GET", "/webhooks/search"): "searchWebhooks",
    ("POST", "/webhooks"): "createWebhook",
    ("PATCH", "/webhooks/{sid}"): "updateWebhook",
    ("DELETE", "/webhooks/{sid}"): "deleteWebhook",
}
PING = {("GET", "/ping"): "ping"}
EXPECTED_READS: dict[tuple[str, str], str] = {
    ("GET", "/actions/{sid}"): "getScenario",
    ("GET", "/numbers/{number}"): "getNumber",
    ("GET", "/tasks/{taskid}"): "getTask",
    ("GET", "/tasks"): "searchTasks",
    ("GET", "/recordings/{sid}"): "getRecording",
    ("GET", "/webhooks/{sid}"): "getWebhook",
}
# Callr's upload reference page gives POST where the migration table prints PUT (W6)
UPLOAD_POST = {("POST", "/audio-files/{sid}/file"): "uploadAudioFileContent"}
ALL_OPERATIONS = {**MIGRATION_OPERATIONS, **PING, **EXPECTED_READS, **UPLOAD_POST}

# Success status per operation, from the house decisions.
SUCCESS: dict[str, str] = {
    "ping": "200",
    "searchScenarios": "200",
    "createScenario": "201",
    "getScenario": "200",
    "updateScenario": "200",
    "deleteScenario": "204",
    "runScenario": "202",
    "assignScenarioNumber": "200",
    "unassignScenarioNumber": "204",
    "searchNumbers": "200",
    "getNumber": "200",
    "updateNumber": "200",
    "releaseNumber": "204",
    "assignNumberScenario": "200",
    "unassignNumberScenario": "204",
    "listStoreCountries": "200",
    "listStoreTypes": "200",
    "listStorePrefixes": "200",
    "reserveNumbers": "201",
    "buyReservation": "200",
    "cancelReservation": "204",
    "sendSms": "201",
    "searchSms": "200",
    "getSms": "200",
    "getTask": "200",
    "getTaskPost": "200",
    "searchTasks": "200",
    "cancelTask": "204",
    "exportCalls": "202",
    "getCredit": "200",
    "listDestinations": "200",
    "searchAudioFiles": "200",
    "createAudioFile": "201",
    "getAudioFile": "200",
    "updateAudioFile": "200",
    "deleteAudioFile": "204",
    "setAudioFileContent": "200",
    "uploadAudioFileContent": "200",
    "getAudioFilePhoneId": "200",
    "searchRecordings": "200",
    "deleteRecordings": "202",
    "getRecording": "200",
    "updateRecording": "200",
    "deleteRecording": "204",
    "searchWebhooks": "200",
    "createWebhook": "201",
    "getWebhook": "200",
    "updateWebhook": "200",
    "deleteWebhook": "204",
}
# The schema each success answer carries (None = no body).
SUCCESS_SCHEMA: dict[str, str | None] = {
    "ping": "Ping",
    "searchScenarios": "ScenarioSearchResult",
    "createScenario": "Scenario",
    "getScenario": "Scenario",
    "updateScenario": "Scenario",
    "runScenario": "Task",
    "assignScenarioNumber": "Scenario",
    "searchNumbers": "NumberSearchResult",
    "getNumber": "Number",
    "updateNumber": "Number",
    "assignNumberScenario": "Number",
    "listStoreCountries": "StoreCountryList",
    "listStoreTypes": "StoreTypeList",
    "listStorePrefixes": "StorePrefixList",
    "reserveNumbers": "Reservation",
    "buyReservation": "Order",
    "sendSms": "Sms",
    "searchSms": "SmsSearchResult",
    "getSms": "Sms",
    "getTask": "Task",
    "getTaskPost": "Task",
    "searchTasks": "TaskSearchResult",
    "exportCalls": "Task",
    "getCredit": "Credit",
    "listDestinations": "DestinationList",
    "searchAudioFiles": "AudioFileSearchResult",
    "createAudioFile": "AudioFile",
    "getAudioFile": "AudioFile",
    "updateAudioFile": "AudioFile",
    "setAudioFileContent": "AudioFile",
    "uploadAudioFileContent": "AudioFile",
    "getAudioFilePhoneId": "PhoneId",
    "searchRecordings": "RecordingSearchResult",
    "deleteRecordings": "Task",
    "getRecording": "Recording",
    "updateRecording": "Recording",
    "searchWebhooks": "WebhookSearchResult",
    "createWebhook": "Webhook",
    "getWebhook": "Webhook",
    "updateWebhook": "Webhook",
}
FORBIDDEN_OPS = {"sendSms", "buyReservation", "reserveNumbers"}
LIST_OPS = {
    "searchScenarios",
    "searchNumbers",
    "listStoreCountries",
    "listStoreTypes",
    "listStorePrefixes",
    "searchSms",
    "searchTasks",
    "listDestinations",
    "searchAudioFiles",
    "searchRecordings",
    "searchWebhooks",
}
ERROR_RESPONSES = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "NotFound",
    "413": "PayloadTooLarge",
    "415": "UnsupportedMediaType",
}

WEBHOOK_EVENTS: dict[str, tuple[str, str]] = {
    "v2.billing.credit.topup": ("BillingCreditTopupEvent", "Credit"),
    "v2.billing.credit.warning": ("BillingCreditWarningEvent", "Credit"),
    "v2.billing.credit.shutdown": ("BillingCreditShutdownEvent", "Credit"),
    "v2.call.inbound.started": ("CallInboundStartedEvent", "CallRecord"),
    "v2.call.inbound.ended": ("CallInboundEndedEvent", "CallRecord"),
    "v2.call.outbound.started": ("CallOutboundStartedEvent", "CallRecord"),
    "v2.call.outbound.ended": ("CallOutboundEndedEvent", "CallRecord"),
    "v2.number.assigned": ("NumberAssignedEvent", "Number"),
    "v2.number.unassigned": ("NumberUnassignedEvent", "Number"),
    "v2.task.updated": ("TaskUpdatedEvent", "Task"),
    "v2.audio-file.updated": ("AudioFileUpdatedEvent", "AudioFile"),
    "v2.recording.updated": ("RecordingUpdatedEvent", "Recording"),
    "v2.sms.inbound.received": ("SmsInboundReceivedEvent", "Sms"),
    "v2.sms.outbound.updated": ("SmsOutboundUpdatedEvent", "Sms"),
}

# Schema keywords whose values are subschemas (dict) or lists / maps of subschemas.
_SUBSCHEMA = (
    "items",
    "additionalProperties",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


# ----------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    # A fresh deep copy per module: YAML aliases share objects, and no test may mutate them.
    return copy.deepcopy(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(METHOD, path, operation, path item) for every operation under ``paths``."""
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield method.upper(), path, item[method], item


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow local ``$ref``s (repeatedly) to the target node."""
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"non-local $ref {ref}"
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def params_of(
    spec: dict[str, Any], op: dict[str, Any], item: dict[str, Any]
) -> dict[tuple[str, str], dict]:
    out = {}
    for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
        p = resolve(spec, raw)
        out[(p["in"], p["name"])] = p
    return out


def ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref.rsplit("/", 1)[-1] if ref else None


def pointer(parts: tuple[Any, ...]) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def walk_schema(
    node: Any, path: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every (path, schema) inside a schema, the schema itself included."""
    if not isinstance(node, dict):
        return
    yield path, node
    for key in _SUBSCHEMA:
        if isinstance(node.get(key), dict):
            yield from walk_schema(node[key], (*path, key))
    for key in _SUBSCHEMA_LISTS:
        for i, sub in enumerate(node.get(key) or []):
            yield from walk_schema(sub, (*path, key, i))
    for key in _SUBSCHEMA_MAPS:
        for name, sub in (node.get(key) or {}).items():
            yield from walk_schema(sub, (*path, key, name))


def schema_sites(spec: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every schema of the document: component schemas and every ``schema`` of a parameter,
    header or media type (found anywhere in the document)."""
    for name, schema in spec["components"]["schemas"].items():
        yield from walk_schema(schema, ("components", "schemas", name))

    def find(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, dict):
                    yield from walk_schema(value, (*path, key))
                elif not (path == ("components",) and key == "schemas"):
                    yield from find(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from find(value, (*path, i))

    yield from find(spec, ())


def example_sites(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, schema pointer, example value) for every example in the document."""
    for path, schema in schema_sites(spec):
        if "example" in schema:
            yield pointer(path) + "/example", pointer(path), schema["example"]
        for i, value in enumerate(schema.get("examples") or []):
            yield f"{pointer(path)}/examples/{i}", pointer(path), value

    def find(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, str, Any]]:
        if isinstance(node, dict):
            # A parameter, header or media type: an object with a schema and examples next to it.
            if isinstance(node.get("schema"), dict) and ("example" in node or "examples" in node):
                target = pointer((*path, "schema"))
                if "example" in node:
                    yield pointer(path) + "/example", target, node["example"]
                for name, ex in (node.get("examples") or {}).items():
                    ex = resolve(spec, ex)
                    assert "value" in ex, f"{pointer(path)}/examples/{name} has no value"
                    yield f"{pointer(path)}/examples/{name}", target, ex["value"]
            for key, value in node.items():
                if key != "schema" and not (path == ("components",) and key == "schemas"):
                    yield from find(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from find(value, (*path, i))

    yield from find(spec, ())


def media_types(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every request-body and response media type (paths, webhooks, components)."""

    def of_response(where: str, response: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for ctype, media in (resolve(spec, response).get("content") or {}).items():
            yield f"{where} {ctype}", media

    for section in ("paths", "webhooks"):
        for key, item in spec.get(section, {}).items():
            for method in HTTP_METHODS:
                op = item.get(method)
                if not op:
                    continue
                where = f"{method.upper()} {key}"
                if "requestBody" in op:
                    body = resolve(spec, op["requestBody"])
                    for ctype, media in body["content"].items():
                        yield f"{where} request {ctype}", media
                for status, response in op["responses"].items():
                    yield from of_response(f"{where} {status}", response)
    for name, response in spec["components"].get("responses", {}).items():
        yield from of_response(f"components/responses/{name}", response)


@pytest.fixture(scope="module")
def registry(spec: dict[str, Any]) -> Any:
    return jsonschema_rs.Registry([(SPEC_URI, json.loads(json.dumps(spec)))])


@pytest.fixture(scope="module")
def py_registry(spec: dict[str, Any]) -> Registry:
    resource = Resource.from_contents(
        json.loads(json.dumps(spec)), default_specification=DRAFT202012
    )
    return Registry().with_resource(SPEC_URI, resource)


def spec_ref(schema_pointer: str) -> str:
    """An absolute URI for a JSON pointer into the spec (``{`` and ``}`` percent-encoded)."""
    return f"{SPEC_URI}#{quote(schema_pointer.removeprefix('#'), safe='/~')}"


def rs_validator(registry: Any, schema_pointer: str) -> Any:
    return jsonschema_rs.validator_for(
        {"$ref": spec_ref(schema_pointer)}, registry=registry, validate_formats=True
    )


def py_validator(py_registry: Registry, schema_pointer: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {"$ref": spec_ref(schema_pointer)},
        registry=py_registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


# ------------------------------------------------------------------------ (a) validity
def test_spec_is_a_valid_openapi_3_1_document(spec: dict[str, Any]) -> None:
    openapi_spec_validator.validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] == "Callr REST API v2.0"
    assert spec["info"]["version"] == "2.0.0-preview.26+callr-mock.1"
    assert [s["url"] for s in spec["servers"]] == ["https://api.callr.com/v2.0"]


def test_spec_is_plain_json_data(spec: dict[str, Any]) -> None:
    """The YAML holds only JSON types (no dates, no int keys), so a JSON export is identical."""
    assert json.loads(json.dumps(spec)) == spec


def test_every_ref_resolves(spec: dict[str, Any]) -> None:
    refs: list[str] = []

    def find(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                find(value)
        elif isinstance(node, list):
            for value in node:
                find(value)

    find(spec)
    assert len(refs) > 300
    for ref in set(refs):
        resolve(spec, {"$ref": ref})  # raises KeyError when dangling


def test_every_pattern_compiles_for_python_and_rust(spec: dict[str, Any]) -> None:
    """Patterns must work in jsonschema-rs (the server) and Python ``re`` (jsonschema, openapi-core)."""
    patterns = [(pointer(p), s["pattern"]) for p, s in schema_sites(spec) if "pattern" in s]
    assert len(patterns) > 20
    for where, pattern in patterns:
        re.compile(pattern)
        jsonschema_rs.validator_for({"pattern": pattern})
        assert "\\p" not in pattern, f"{where}: Unicode classes break Python re; use x-pattern"


# ------------------------------------------------------------------------- (b) examples
def test_every_media_type_has_an_example(spec: dict[str, Any]) -> None:
    missing = [
        where
        for where, media in media_types(spec)
        if "example" not in media and "examples" not in media
    ]
    assert not missing, f"media types without example: {missing}"


def test_every_object_component_schema_has_examples(spec: dict[str, Any]) -> None:
    missing = [
        name
        for name, s in spec["components"]["schemas"].items()
        if s.get("type") == "object" and not s.get("examples")
    ]
    assert not missing


def test_every_example_validates_against_its_schema(spec, registry, py_registry) -> None:
    sites = list(example_sites(spec))
    assert len(sites) > 150, len(sites)
    failures = []
    for where, schema_pointer, value in sites:
        validator = rs_validator(registry, schema_pointer)
        for error in validator.iter_errors(value):
            failures.append(
                f"{where} [jsonschema-rs]: {error.message} at {list(error.instance_path)}"
            )
        for error in py_validator(py_registry, schema_pointer).iter_errors(value):
            failures.append(f"{where} [jsonschema]: {error.message}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ("Sid", "CALLRSID"),
        ("Sid", "callrsid1"),
        ("E164", "0033199001234"),
        ("DateTime", "2024-04-24 12:00:42Z"),
        ("DateTime", "2024-04-24T12:00Z"),
        ("DateTime", "2024-04-24T12:00:42.000+02:00"),
        ("DateTime", "2024-13-24T12:00:42.000Z"),
        ("Money", "0.06500"),
        ("Money", "1,00"),
        ("Currency", "USD"),
        ("Token", "short"),
        ("Error", {"code": "Not Found", "message": "x"}),
        ("Error", {"code": "not-found", "message": "x", "status": 404}),
        ("Error", {"code": "not-found"}),
        ("Ping", {"pong": "ping", "time": "2024-04-24T12:00:42.000Z"}),
        ("ScenarioCreate", {"name": "x", "script": ""}),
        ("ScenarioCreate", {"name": "x", "script": "a", "format": "json"}),
        ("ScenarioCreate", {"name": "x", "script": "a", "extra": 1}),
        ("ScenarioUpdate", {}),
        ("ScenarioRun", {"variables": {"1bad": "x"}}),
        ("ScenarioRun", {"variables": {"$ok": {"nested": True}}}),
        ("NumberUpdate", {}),
        ("ReservationRequest", {"country": "FR", "quantity": 11}),
        ("SmsSend", {"text": ""}),
        ("SmsSend", {"text": "x" * 3201}),
        ("Task", {"sid": "tsk0a1b2"}),
        ("WebhookCreate", {"type": "v2.sms.outbound.updated", "endpoint": "ftp://x.example"}),
        ("WebhookCreate", {"type": "sms.mo", "endpoint": "https://x.example"}),
        ("WebhookUpdate", {"secret": "short"}),
        ("RecordingUpdate", {}),
        (
            "PhoneId",
            {"number": "+33199001999", "code": "12345", "expires": "2025-03-31T16:42:00.000Z"},
        ),
    ],
)
def test_schemas_reject_bad_values(registry, py_registry, schema: str, value: Any) -> None:
    """The validators used for examples really reject wrong values (no tautology)."""
    target = f"#/components/schemas/{schema}"
    assert not rs_validator(registry, target).is_valid(value)
    assert not py_validator(py_registry, target).is_valid(value)


def test_event_examples_are_typed(spec, registry) -> None:
    """A payload of the wrong type, or a wrong event type, is rejected by each event schema."""
    schemas = spec["components"]["schemas"]
    for schema_name, _payload in WEBHOOK_EVENTS.values():
        example = copy.deepcopy(schemas[schema_name]["examples"][0])
        validator = rs_validator(registry, f"#/components/schemas/{schema_name}")
        assert validator.is_valid(example)
        assert not validator.is_valid({**example, "type": "v2.other"})
        assert not validator.is_valid({**example, "extra": 1})
        wrong = schemas["Ping"]["examples"][0]
        assert not validator.is_valid({**example, "payload": wrong}), schema_name


# ------------------------------------------------------------------------ (c) inventory
def test_operation_inventory(spec: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    present = {(m, p): op.get("operationId") for m, p, op, _ in operations(spec)}
    migration = [key for key in MIGRATION_OPERATIONS if key in present]
    reads = [key for key in EXPECTED_READS if key in present]
    ping = ("GET", "/ping") in present
    with capsys.disabled():
        print(
            f"\n{len(migration)}/{len(MIGRATION_OPERATIONS)} migration operations, "
            f"{'ping' if ping else 'NO ping'}, "
            f"{len(reads)}/{len(EXPECTED_READS)} expected reads"
        )
    assert len(MIGRATION_OPERATIONS) == 41 and len(EXPECTED_READS) == 6
    assert set(MIGRATION_OPERATIONS) - set(present) == set()
    assert set(EXPECTED_READS) - set(present) == set()
    assert ping
    extra = set(present) - set(ALL_OPERATIONS)
    assert not extra, f"operations outside the inventory: {sorted(extra)}"
    wrong_ids = {k: (present[k], v) for k, v in ALL_OPERATIONS.items() if present[k] != v}
    assert not wrong_ids, wrong_ids


def test_operation_ids_are_unique_camel_case(spec: dict[str, Any]) -> None:
    ids = [str(op.get("operationId")) for _, _, op, _ in operations(spec)]
    ids += [item["post"]["operationId"] for item in spec["webhooks"].values()]
    assert len(ids) == len(set(ids)) == len(list(operations(spec))) + len(spec["webhooks"])
    for op_id in ids:
        assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", op_id), op_id


# ----------------------------------------------------------------------- (d) provenance
def _provenance_failures(items: list[tuple[str, dict[str, Any]]]) -> list[str]:
    failures = []
    for name, obj in items:
        value = obj.get("x-provenance")
        if value not in ("confirmed", "inferred"):
            failures.append(f"{name}: x-provenance={value!r}")
        note = obj.get("x-provenance-note")
        if value == "inferred":
            if not isinstance(note, str) or not note.strip() or "\n" in note.strip():
                failures.append(f"{name}: inferred without a one-line x-provenance-note")
        elif note is not None:
            failures.append(f"{name}: confirmed items carry no x-provenance-note")
    return failures


def test_every_operation_and_schema_has_provenance(spec: dict[str, Any]) -> None:
    items = [(f"{m} {p}", op) for m, p, op, _ in operations(spec)]
    items += [(f"webhook {k}", v["post"]) for k, v in spec["webhooks"].items()]
    items += [(f"schema {k}", v) for k, v in spec["components"]["schemas"].items()]
    assert {(m, p) for m, p, _, _ in operations(spec)} == set(ALL_OPERATIONS)
    failures = _provenance_failures(items)
    # Property-level provenance (a guessed detail inside a confirmed schema) follows the same rule.
    nested = [
        (pointer(path), s)
        for path, s in schema_sites(spec)
        if len(path) > 3 and ("x-provenance" in s or "x-provenance-note" in s)
    ]
    assert nested, "expected property-level provenance inside confirmed schemas"
    failures += _provenance_failures(nested)
    assert not failures, "\n".join(failures)


def test_confirmed_operations_are_the_fully_documented_ones(spec: dict[str, Any]) -> None:
    confirmed = {
        op["operationId"] for _, _, op, _ in operations(spec) if op["x-provenance"] == "confirmed"
    }
    assert confirmed == {"ping", "searchScenarios"}


def _load_provenance_module() -> Any:
    try:
        return importlib.import_module("callr_mock.contract.provenance")
    except ImportError:
        spec = importlib.util.spec_from_file_location(
            "_callr_provenance", REPO / "mockserver" / "provenance.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def test_provenance_module_counts(spec: dict[str, Any]) -> None:
    provenance = _load_provenance_module()
    report = provenance.count_provenance(spec)
    ops = [op for _, _, op, _ in operations(spec)]
    schemas = spec["components"]["schemas"]
    assert report["operations"] == {
        "confirmed": sum(op["x-provenance"] == "confirmed" for op in ops),
        "inferred": sum(op["x-provenance"] == "inferred" for op in ops),
        "missing": 0,
        "total": len(ops),
    }
    assert report["operations"]["confirmed"] == 2
    assert report["schemas"]["total"] == len(schemas)
    assert report["schemas"]["confirmed"] == sum(
        s["x-provenance"] == "confirmed" for s in schemas.values()
    )
    assert report["schemas"]["inferred"] == sum(
        s["x-provenance"] == "inferred" for s in schemas.values()
    )
    hooks = len(spec["webhooks"])
    assert report["webhooks"] == {"confirmed": 0, "inferred": hooks, "missing": 0, "total": hooks}
    assert report["missing"] == []
    names = {item["name"] for item in report["inferred_schemas"]}
    assert "Sid" in names and "Scenario" not in names
    assert all(item["note"] for item in report["inferred_operations"] + report["inferred_schemas"])
    assert "POST /actions (createScenario)" in {i["name"] for i in report["inferred_operations"]}

    # An item without provenance (e.g. Callr's official document) is reported as missing.
    bare = copy.deepcopy(spec)
    del bare["paths"]["/ping"]["get"]["x-provenance"]
    bare["components"]["schemas"]["Sid"]["x-provenance"] = "maybe"
    report = provenance.count_provenance(bare)
    assert report["operations"]["missing"] == 1 and report["schemas"]["missing"] == 1
    assert "operation GET /ping (ping)" in report["missing"] and "schema Sid" in report["missing"]


def test_provenance_main_prints_counts(
    spec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provenance = _load_provenance_module()
    report = provenance.count_provenance(spec)
    assert provenance.main([str(SPEC_PATH)]) == 0
    out = capsys.readouterr().out
    ops, schemas = report["operations"], report["schemas"]
    total = ops["confirmed"] + ops["inferred"]
    assert (
        f"operations: {ops['confirmed']} confirmed, {ops['inferred']} inferred ({total} total)"
        in out
    )
    assert total == len(list(operations(spec)))
    assert f"schemas: {schemas['confirmed']} confirmed, {schemas['inferred']} inferred" in out
    assert "inferred operations:" in out and "createScenario" in out
    assert "path confirmed by the migration table" in out.lower()

    # Default path: the packaged spec (or, when the package is not installed, the repository copy).
    default = provenance.default_spec_path()
    assert default.name == "callr-v2.yaml" and default.is_file()
    assert provenance.main([]) == 0
    assert "operations: " in capsys.readouterr().out

    # JSON output, and --strict on a document without provenance (like the official openapi.json).
    assert provenance.main([str(SPEC_PATH), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["operations"]["total"] == len(list(operations(spec)))
    official = tmp_path / "openapi.json"
    official.write_text(
        json.dumps(
            {
                "openapi": "3.1.0",
                "info": {"title": "t", "version": "1"},
                "paths": {"/ping": {"get": {"responses": {}}}},
            }
        )
    )
    assert provenance.main([str(official)]) == 0
    assert provenance.main([str(official), "--strict"]) == 1
    assert "without x-provenance" in capsys.readouterr().out
    assert provenance.main([str(tmp_path / "nope.yaml")]) == 2


# -------------------------------------------------------------- (e) operation hygiene
def test_top_level_tags_and_security(spec: dict[str, Any]) -> None:
    assert {t["name"] for t in spec["tags"]} == TAGS
    assert all(t.get("description") for t in spec["tags"])
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {
        **schemes["ApiKeyAuth"],
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
    }
    assert schemes["BasicAuth"]["type"] == "http" and schemes["BasicAuth"]["scheme"] == "basic"
    assert spec["security"] == [{"ApiKeyAuth": []}, {"BasicAuth": []}]


def test_every_operation_is_complete(spec: dict[str, Any]) -> None:
    failures: list[str] = []
    for method, path, op, item in operations(spec):
        name = f"{method} {path}"
        op_id = str(op.get("operationId"))
        responses = op["responses"]
        if not (op.get("summary") and op.get("description")):
            failures.append(f"{name}: summary and description required")
        tags = op.get("tags") or []
        if len(tags) != 1 or tags[0] not in TAGS:
            failures.append(f"{name}: needs exactly one known tag, has {tags}")
        if op.get("security") != [{"ApiKeyAuth": []}, {"BasicAuth": []}]:
            failures.append(f"{name}: security must list ApiKeyAuth and BasicAuth")
        params = params_of(spec, op, item)
        has_body = "requestBody" in op
        expected_errors = {"401"}
        if params or has_body:
            expected_errors.add("400")
        if "{" in path:
            expected_errors.add("404")
            declared = {n for (loc, n) in params if loc == "path"}
            if declared != set(re.findall(r"{([^}]+)}", path)):
                failures.append(f"{name}: path parameters {declared} do not match the template")
        if has_body:
            expected_errors |= {"413", "415"}
        if op_id in FORBIDDEN_OPS:
            expected_errors.add("403")
        errors = {code for code in responses if code[0] in "45"}
        if errors != expected_errors:
            failures.append(
                f"{name}: error responses {sorted(errors)}, expected {sorted(expected_errors)}"
            )
        for code in errors & set(ERROR_RESPONSES):
            if responses[code] != {"$ref": f"#/components/responses/{ERROR_RESPONSES[code]}"}:
                failures.append(
                    f"{name}: {code} must use components/responses/{ERROR_RESPONSES[code]}"
                )
        successes = [code for code in responses if code[0] == "2"]
        if successes != [SUCCESS[op_id]]:
            failures.append(f"{name}: success {successes}, expected {SUCCESS[op_id]}")
            continue
        success = resolve(spec, responses[successes[0]])
        expected_schema = SUCCESS_SCHEMA.get(op_id)
        if expected_schema is None:
            if "content" in success:
                failures.append(f"{name}: {successes[0]} must have no body")
        else:
            content = success.get("content") or {}
            if (
                list(content) != ["application/json"]
                or ref_name(content["application/json"]["schema"]) != expected_schema
            ):
                failures.append(f"{name}: success must be application/json {expected_schema}")
        if op_id in LIST_OPS:
            names = {n for (loc, n) in params if loc == "query"}
            if not {"offset", "limit"} <= names:
                failures.append(f"{name}: list operations take offset and limit")
    assert not failures, "\n".join(failures)


def test_request_bodies(spec: dict[str, Any]) -> None:
    bodies = {
        op["operationId"]: op["requestBody"]
        for _, _, op, _ in operations(spec)
        if "requestBody" in op
    }
    assert set(bodies) == {
        "createScenario",
        "updateScenario",
        "runScenario",
        "updateNumber",
        "reserveNumbers",
        "sendSms",
        "createAudioFile",
        "updateAudioFile",
        "setAudioFileContent",
        "uploadAudioFileContent",
        "updateRecording",
        "createWebhook",
        "updateWebhook",
    }
    for op_id, body in bodies.items():
        assert body["required"] is (op_id != "runScenario"), op_id
        expected = {
            "createAudioFile": {"application/json", "multipart/form-data"},
            "setAudioFileContent": {"multipart/form-data"},
            "uploadAudioFileContent": {"multipart/form-data"},
        }.get(op_id, {"application/json"})
        assert set(body["content"]) == expected, op_id
        for media in body["content"].values():
            schema = resolve(spec, media["schema"])
            assert schema["type"] == "object" and schema["additionalProperties"] is False, op_id
    upload = resolve(spec, bodies["createAudioFile"]["content"]["multipart/form-data"]["schema"])
    assert upload["required"] == ["file"]
    assert upload["properties"]["file"]["contentMediaType"] == "application/octet-stream"


def test_object_schemas_are_strict_and_responses_complete(spec: dict[str, Any]) -> None:
    """additionalProperties: false everywhere (maps excepted); response objects list every
    property as required."""
    schemas = spec["components"]["schemas"]
    request_schemas = {
        ref_name(media["schema"])
        for _, _, op, _ in operations(spec)
        if "requestBody" in op
        for media in op["requestBody"]["content"].values()
    }
    open_by_design = {("ScenarioVariables",), ("WebhookEvent", "properties", "payload")}
    optional_by_design = {"TaskResult"} | request_schemas
    failures = []
    for path, s in schema_sites(spec):
        if s.get("type") != "object" or path[:2] != ("components", "schemas"):
            continue
        key = path[2:]
        if key in open_by_design:
            continue
        if s.get("additionalProperties") is not False:
            failures.append(f"{pointer(path)}: additionalProperties must be false")
        if (
            key[0] not in optional_by_design
            and len(key) == 1
            and set(s.get("required", [])) != set(s.get("properties", {}))
        ):
            failures.append(f"{pointer(path)}: response object must require every property")
    assert not failures, "\n".join(failures)
    assert {"ScenarioCreate", "SmsSend", "WebhookCreate"} <= request_schemas
    assert schemas["ScenarioVariables"]["maxProperties"] == 50


def test_search_results_use_the_envelope(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    envelope = schemas["SearchEnvelope"]
    assert (
        set(envelope["properties"])
        == set(envelope["required"])
        == {"offset", "total", "hasMore", "hits"}
    )
    results = {
        "ScenarioSearchResult": "Scenario",
        "NumberSearchResult": "Number",
        "StoreCountryList": "StoreCountry",
        "StoreTypeList": "StoreType",
        "StorePrefixList": "StorePrefix",
        "SmsSearchResult": "Sms",
        "TaskSearchResult": "Task",
        "DestinationList": "Destination",
        "AudioFileSearchResult": "AudioFile",
        "RecordingSearchResult": "Recording",
        "WebhookSearchResult": "Webhook",
    }
    for name, item in results.items():
        s = schemas[name]
        assert (
            set(s["required"]) == set(s["properties"]) == {"offset", "total", "hasMore", "hits"}
        ), name
        assert s["properties"]["offset"] == {"type": "integer", "minimum": 0}, name
        assert s["properties"]["total"] == {"type": "integer", "minimum": 0}, name
        assert s["properties"]["hasMore"] == {"type": "boolean"}, name
        assert ref_name(s["properties"]["hits"]["items"]) == item, name


def test_shared_parameters(spec: dict[str, Any]) -> None:
    p = spec["components"]["parameters"]
    assert p["Offset"]["schema"] == {"type": "integer", "minimum": 0, "default": 0}
    assert p["Limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
    assert p["Order"]["schema"] == {"type": "string", "enum": ["asc", "desc"], "default": "desc"}
    assert (p["SidPath"]["name"], p["SidPath"]["in"], ref_name(p["SidPath"]["schema"])) == (
        "sid",
        "path",
        "Sid",
    )
    assert (p["NumberPath"]["name"], ref_name(p["NumberPath"]["schema"])) == ("number", "E164")
    assert "%2B" in p["NumberPath"]["description"]
    assert (p["TaskIdPath"]["name"], ref_name(p["TaskIdPath"]["schema"])) == ("taskid", "Sid")
    assert (p["TokenPath"]["name"], ref_name(p["TokenPath"]["schema"])) == ("token", "Token")
    for name in ("SidPath", "NumberPath", "TaskIdPath", "TokenPath"):
        assert p[name]["required"] is True


def test_error_responses_and_schema(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"] and set(error["properties"]) == {
        "code",
        "message",
    }
    assert error["additionalProperties"] is False
    for name in ERROR_RESPONSES.values():
        media = spec["components"]["responses"][name]["content"]["application/json"]
        assert ref_name(media["schema"]) == "Error"
        assert "example" in media or "examples" in media
    assert (
        spec["components"]["responses"]["NotFound"]["content"]["application/json"]["example"][
            "code"
        ]
        == "not-found"
    )


def test_primitive_formats(spec: dict[str, Any]) -> None:
    s = spec["components"]["schemas"]
    assert s["Sid"]["pattern"] == "^[a-z0-9]{8}$" and s["Sid"]["examples"] == ["callrsid"]
    assert s["E164"]["pattern"] == r"^\+[1-9][0-9]{1,14}$"
    assert s["DateTime"]["format"] == "date-time"
    # issue 14: the docs' samples carry dates without milliseconds and money with 2 decimals
    assert s["DateTime"]["pattern"] == (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-]00:00)$"
    )
    assert s["Money"]["pattern"] == r"^-?[0-9]+(\.[0-9]{1,4})?$"
    assert s["Currency"]["const"] == "EUR"
    assert s["Token"]["pattern"] == "^[A-Za-z0-9]{40}$"
    assert s["NumberType"]["enum"] == [
        "geographic",
        "mobile",
        "tollfree",
        "national",
        "personal",
        "sharedcost",
        "sharedrevenue",
        "special",
    ]
    assert s["NumberClass"]["enum"] == ["classic", "gold"]


# ------------------------------------------------------------------------- (f) webhooks
def test_webhooks_cover_the_14_event_types(spec: dict[str, Any]) -> None:
    hooks = spec["webhooks"]
    assert set(hooks) == set(WEBHOOK_EVENTS)
    assert spec["components"]["schemas"]["WebhookEventType"]["enum"] == list(WEBHOOK_EVENTS)
    for event, (schema_name, payload) in WEBHOOK_EVENTS.items():
        post = hooks[event]["post"]
        assert set(hooks[event]) == {"post"}
        media = post["requestBody"]["content"]["application/json"]
        assert ref_name(media["schema"]) == schema_name
        schema = spec["components"]["schemas"][schema_name]
        assert schema["properties"]["type"]["const"] == event
        assert ref_name(schema["properties"]["payload"]) == payload
        assert schema["additionalProperties"] is False
        assert (
            set(schema["required"])
            == set(schema["properties"])
            == {"id", "at", "sid", "type", "try", "payload"}
        )
        assert "2XX" in post["responses"] and post["tags"] == ["Webhooks"]
        headers = {resolve(spec, p)["name"]: resolve(spec, p) for p in post["parameters"]}
        assert set(headers) == {"X-CALLR-EventId", "X-CALLR-HmacSignature"}
        assert all(h["in"] == "header" for h in headers.values())
        assert headers["X-CALLR-EventId"]["required"] is True
        assert headers["X-CALLR-HmacSignature"].get("required", False) is False
        assert "HMAC-SHA256" in headers["X-CALLR-HmacSignature"]["description"]
    envelope = spec["components"]["schemas"]["WebhookEvent"]
    assert list(envelope["properties"]) == ["id", "at", "sid", "type", "try", "payload"]
    assert envelope["x-provenance"] == "confirmed"  # the keys, from Callr's samples
    assert resolve(spec, envelope["properties"]["sid"])["x-provenance"] == "inferred"
    assert resolve(spec, envelope["properties"]["id"])["pattern"] == "^[A-Za-z0-9]{32}$"
    attempts = resolve(spec, envelope["properties"]["try"])
    assert (attempts["minimum"], attempts["maximum"]) == (0, 10)


# -------------------------------------------------------------- (g) confirmed facts hold
def _op(
    spec: dict[str, Any], method: str, path: str
) -> tuple[dict[str, Any], dict[tuple[str, str], dict]]:
    item = spec["paths"][path]
    op = item[method.lower()]
    return op, params_of(spec, op, item)


def _schema(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    return resolve(spec, node)


def test_confirmed_send_sms(spec: dict[str, Any]) -> None:
    op, params = _op(spec, "POST", "/sms")
    assert {n for (loc, n) in params} == {"to", "from", "encoding", "trafficType"}
    assert all(loc == "query" for (loc, _) in params)
    to = params[("query", "to")]
    assert to["required"] is True and ref_name(to["schema"]) == "E164"
    frm = params[("query", "from")]["schema"]
    assert not params[("query", "from")].get("required", False)
    assert (frm.get("minLength", 0), frm["maxLength"]) == (0, 11)
    encoding = _schema(spec, params[("query", "encoding")]["schema"])
    assert (
        encoding["enum"] == ["gsm", "unicode"]
        and "default" not in params[("query", "encoding")]["schema"]
    )
    traffic = params[("query", "trafficType")]["schema"]
    assert traffic["enum"] == ["marketing", "alerting"] and traffic["default"] == "marketing"
    body = _schema(spec, op["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["text"] and set(body["properties"]) == {"text"}
    assert (body["properties"]["text"]["minLength"], body["properties"]["text"]["maxLength"]) == (
        1,
        3200,
    )
    assert body["x-provenance"] == "confirmed"


def test_confirmed_create_scenario(spec: dict[str, Any]) -> None:
    op, params = _op(spec, "POST", "/actions")
    assert not params
    body = _schema(spec, op["requestBody"]["content"]["application/json"]["schema"])
    assert body["x-provenance"] == "confirmed"
    assert body["required"] == ["name", "script"]
    props = body["properties"]
    assert set(props) == {"name", "script", "format"}
    assert (props["name"]["minLength"], props["name"]["maxLength"]) == (1, 64)
    assert props["name"]["x-pattern"] == r"\pL" and "pattern" not in props["name"]
    assert "letter" in props["name"]["description"]
    assert (props["script"]["minLength"], props["script"]["maxLength"]) == (1, 32768)
    assert props["format"]["pattern"] == "^yaml$" and props["format"]["enum"] == ["yaml"]
    assert props["format"]["x-provenance"] == "inferred"  # the default is ours


def test_confirmed_search_scenarios(spec: dict[str, Any]) -> None:
    op, params = _op(spec, "GET", "/actions")
    assert op["x-provenance"] == "confirmed"
    assert {n for (loc, n) in params if loc == "query"} == {
        "name",
        "sort",
        "order",
        "offset",
        "limit",
    }
    assert params[("query", "name")]["schema"]["maxLength"] == 64
    assert params[("query", "sort")]["schema"] == {
        "type": "string",
        "enum": ["name", "created", "updated"],
        "default": "updated",
    }
    assert params[("query", "order")]["schema"] == {
        "type": "string",
        "enum": ["asc", "desc"],
        "default": "desc",
    }
    assert params[("query", "offset")]["schema"] == {"type": "integer", "minimum": 0, "default": 0}
    assert params[("query", "limit")]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 10,
    }
    result = _schema(spec, op["responses"]["200"]["content"]["application/json"]["schema"])
    assert ref_name(result["properties"]["hits"]["items"]) == "Scenario"


def test_confirmed_scenario_and_ping_objects(spec: dict[str, Any]) -> None:
    s = spec["components"]["schemas"]
    assert set(s["Scenario"]["required"]) == {
        "sid",
        "name",
        "script",
        "format",
        "numbers",
        "version",
        "created",
        "updated",
    }
    assert ref_name(s["Scenario"]["properties"]["numbers"]["items"]) == "AssignedNumber"
    assert set(s["AssignedNumber"]["required"]) == {"e164", "class", "type", "assigned", "country"}
    assert s["Ping"]["properties"]["pong"]["const"] == "pong"
    assert s["SmsStatus"]["enum"] == [
        "created",
        "pending",
        "sent",
        "remote-queued",
        "delivered",
        "error",
        "failed",
        "expired",
    ]
    assert s["AudioFileStatus"]["enum"] == [
        "pending-content",
        "pending-conversion",
        "processing",
        "ready",
        "error",
    ]


def test_confirmed_search_sms_bounds(spec: dict[str, Any]) -> None:
    _, params = _op(spec, "GET", "/sms")
    q = {n: p for (loc, n), p in params.items() if loc == "query"}
    assert set(q) == {
        "direction",
        "sid",
        "from",
        "to",
        "text",
        "trafficType",
        "status",
        "createdAfter",
        "createdBefore",
        "sort",
        "order",
        "offset",
        "limit",
    }
    assert ref_name(q["sid"]["schema"]) == "Sid"
    assert q["from"]["schema"]["maxLength"] == 11 and q["text"]["schema"]["maxLength"] == 64
    assert q["sort"]["schema"]["default"] == "created"
    for bound in ("createdAfter", "createdBefore"):
        schema = q[bound]["schema"]
        assert schema == {"type": "string", "format": "date-time"}, (
            "date filters accept any RFC 3339 offset"
        )


# Path parameters no answer of the API gives: a Callr Actions scenario's numbers are the
# account's, whose e164 comes from buyReservation/searchNumbers (linked), and a sid that
# POST /actions gives; store tokens, task ids and sids all come from answers.
def test_every_path_parameter_is_fed_by_an_openapi_link(spec: dict[str, Any]) -> None:
    """Issue 28: a stateful conformance run (schemathesis) follows OpenAPI links; every
    operation whose path parameter comes from another's answer has one, marked ours."""
    operations: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, item in spec["paths"].items():
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                operations[op["operationId"]] = (path, op)
    fed: dict[str, set[str]] = {}
    for source_path, op in operations.values():
        for status, response in op["responses"].items():
            for name, link in (response.get("links") or {}).items():
                assert status.startswith("2"), (op["operationId"], status)
                target = link["operationId"]
                assert target in operations, (name, target)
                target_path = operations[target][0]
                for param, expression in link["parameters"].items():
                    assert "{" + param + "}" in target_path, (name, param, target_path)
                    if expression.startswith("$request.path."):  # passed on from the source's path
                        source_param = expression.removeprefix("$request.path.")
                        assert "{" + source_param + "}" in source_path, (name, expression)
                    else:
                        assert expression.startswith("$response.body#/"), expression
                    fed.setdefault(target, set()).add(param)
                assert (
                    link["x-provenance"] == "inferred"
                    and "declares no links" in link["description"]
                )
    for op_id, (path, _) in operations.items():
        for param in re.findall(r"\{(\w+)\}", path):
            assert param in fed.get(op_id, set()), f"{op_id}: no link gives {{{param}}}"
