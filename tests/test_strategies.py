"""Property tests: every strategy's output passes the spec's formats and schemas."""

from __future__ import annotations

import sys
import types
import unicodedata
from datetime import UTC, datetime
from typing import Any

import phonenumbers
import pytest
from callr_mock.base.types import E164Number, Rfc3339, Sid
from callr_mock.contract.compiled import compile_schema
from callr_mock.contract.formats import FORMAT_CHECKERS, is_e164, is_sid
from callr_mock.contract.spec import inline_refs
from callr_mock.plugin import strategies as cst
from callr_mock.plugin.handle import wire_value
from callr_mock.state.sms_text import GSM_CHARACTERS, is_gsm
from callr_mock.state.sms_text import encode as sms_encode
from callr_mock.state.timefmt import iso, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

CONTRACT = cst._packaged_contract()
SCHEMAS = CONTRACT.document["components"]["schemas"]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def validator(name: str) -> Any:
    return compile_schema(inline_refs(SCHEMAS[name], CONTRACT.document))


SID_SCHEMA = validator("Sid")
E164_SCHEMA = validator("E164")
DATETIME_SCHEMA = validator("DateTime")
SMS_SEND_SCHEMA = validator("SmsSend")


# -- sids ------------------------------------------------------------------------------
@FAST
@given(cst.sids())
def test_sids_match_the_sid_schema(sid: str) -> None:
    assert is_sid(sid)
    assert SID_SCHEMA.is_valid(sid)


@FAST
@given(st.from_type(Sid), st.from_type(E164Number), st.from_type(Rfc3339))
def test_from_type_knows_our_id_types(sid: str, number: str, moment: str) -> None:
    assert SID_SCHEMA.is_valid(sid)
    assert E164_SCHEMA.is_valid(number)
    assert phonenumbers.is_valid_number(phonenumbers.parse(number))
    assert DATETIME_SCHEMA.is_valid(moment)


# -- numbers --------------------------------------------------------------------------
@FAST
@given(cst.e164_numbers())
def test_e164_numbers_are_valid_for_libphonenumber(number: str) -> None:
    assert is_e164(number)
    assert E164_SCHEMA.is_valid(number)
    assert phonenumbers.is_valid_number(phonenumbers.parse(number))


@FAST
@given(cst.e164_numbers(countries=["FR", "gb"], types=["mobile"]))
def test_e164_numbers_respect_countries_and_types(number: str) -> None:
    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.region_code_for_number(parsed) in ("FR", "GB")
    assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


@FAST
@given(cst.e164_numbers(countries=["US"], types=["TOLL_FREE", "geographic"]))
def test_e164_numbers_accept_libphonenumber_and_api_type_names(number: str) -> None:
    parsed = phonenumbers.parse(number)
    assert phonenumbers.region_code_for_number(parsed) == "US"
    assert phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def test_e164_numbers_vary_their_digits() -> None:
    seen: set[str] = set()

    @settings(max_examples=40, deadline=None)
    @given(cst.e164_numbers(countries=["FR"], types=["mobile"]))
    def collect(number: str) -> None:
        seen.add(number)

    collect()
    assert len(seen) > 10  # not just the one example number


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"countries": ["XX"]}, "XX"),
        ({"countries": []}, "at least one"),
        ({"types": ["landline"]}, "landline"),
        ({"types": [3]}, "not a type name"),
    ],
)
def test_e164_numbers_validate_their_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        cst.e164_numbers(**kwargs)


def test_e164_numbers_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        cst.e164_numbers(["FR"])  # type: ignore[call-arg]


# -- date-times -------------------------------------------------------------------------
@FAST
@given(cst.rfc3339_datetimes())
def test_rfc3339_datetimes_use_the_api_format(moment: str) -> None:
    assert DATETIME_SCHEMA.is_valid(moment)
    assert iso(parse(moment)) == moment


@FAST
@given(
    cst.rfc3339_datetimes(
        min_value=datetime(2024, 4, 24, 12, 0, 0, 500, tzinfo=UTC),
        max_value="2024-04-24T12:00:01.000+00:00",
    )
)
def test_rfc3339_datetimes_stay_within_inclusive_bounds(moment: str) -> None:
    assert DATETIME_SCHEMA.is_valid(moment)
    assert "2024-04-24T12:00:00.001Z" <= moment <= "2024-04-24T12:00:01.000Z"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_value": "2025-01-01T00:00:00Z", "max_value": "2024-01-01T00:00:00Z"}, "after"),
        ({"min_value": "yesterday"}, "not an RFC 3339"),
        ({"max_value": 12}, "datetime or an RFC 3339"),
        (
            {"min_value": "2024-01-01T00:00:00.0005Z", "max_value": "2024-01-01T00:00:00.0009Z"},
            "after",
        ),
    ],
)
def test_rfc3339_datetimes_validate_their_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        cst.rfc3339_datetimes(**kwargs)


# -- SMS texts ----------------------------------------------------------------------------
@FAST
@given(cst.sms_texts())
def test_sms_texts_fit_the_send_body(text: str) -> None:
    assert SMS_SEND_SCHEMA.is_valid({"text": text})


@FAST
@given(cst.sms_texts(encoding="gsm", max_size=200))
def test_gsm_texts_only_use_gsm_characters(text: str) -> None:
    assert 1 <= len(text) <= 200
    assert is_gsm(text)
    assert sms_encode(text)[0] == "gsm"  # the mock detects gsm
    assert SMS_SEND_SCHEMA.is_valid({"text": text})


@FAST
@given(cst.sms_texts(encoding="unicode", min_size=3, max_size=70))
def test_unicode_texts_need_unicode(text: str) -> None:
    assert 3 <= len(text) <= 70
    assert any(character not in GSM_CHARACTERS for character in text)
    assert sms_encode(text)[0] == "unicode"  # the mock detects unicode
    assert SMS_SEND_SCHEMA.is_valid({"text": text})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"encoding": "utf-8"}, "encoding"),
        ({"min_size": -1}, "min_size"),
        ({"min_size": 5, "max_size": 4}, "below"),
        ({"max_size": 3201}, "3200"),
        ({"max_size": 1.5}, "integer"),
        ({"encoding": "unicode", "min_size": 0, "max_size": 0}, "max_size >= 1"),
    ],
)
def test_sms_texts_validate_their_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        cst.sms_texts(**kwargs)


# -- formats ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(cst.FORMAT_STRATEGIES))
def test_format_strategies_pass_the_format_checkers(name: str) -> None:
    checker = compile_schema({"type": "string", "format": name})

    @settings(max_examples=30, deadline=None)
    @given(cst.FORMAT_STRATEGIES[name])
    def check(value: str) -> None:
        assert checker.is_valid(value), value
        if name in FORMAT_CHECKERS:
            assert FORMAT_CHECKERS[name](value)

    check()


def test_formats_register_with_schemathesis_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: dict[str, Any] = {}
    fake = types.ModuleType("schemathesis")
    fake.openapi = types.SimpleNamespace(  # type: ignore[attr-defined]
        format=lambda name, strategy: registered.__setitem__(name, strategy)
    )
    monkeypatch.setitem(sys.modules, "schemathesis", fake)
    assert cst.register_schemathesis_formats() is True
    assert set(registered) == {"sid", "e164"}


def test_formats_really_register_with_the_installed_schemathesis() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    assert cst.register_schemathesis_formats() is True
    import inspect

    formats = inspect.getmodule(schemathesis.openapi.format)
    assert {"sid", "e164"} <= set(formats.STRING_FORMATS)  # type: ignore[union-attr]


def test_schemathesis_registration_is_skipped_when_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "schemathesis", None)  # makes the import fail
    assert cst.register_schemathesis_formats() is False


# -- whole requests -------------------------------------------------------------------------
OPERATIONS = sorted(CONTRACT.operations)


def _check_request(op_id: str, request: dict[str, Any]) -> None:
    op = CONTRACT.operations[op_id]
    assert set(request) == {"path", "query", "body"}
    CONTRACT.validate_params(op, "path", request["path"])
    CONTRACT.validate_params(op, "query", request["query"])
    # On the wire (as callr_client sends it) and read back the way the pipeline does.
    declared = {p.name: p for p in op.parameters.get("query", [])}
    wire: dict[str, Any] = {}
    for name, value in request["query"].items():
        param = declared[name]
        if "array" in param.types:
            item = type(param)(name, "query", False, param.schema.get("items", {}))
            wire[name] = (
                [item.coerce(part) for part in wire_value(value).split(",")] if value else []
            )
        else:
            wire[name] = param.coerce(wire_value(value))
    CONTRACT.validate_params(op, "query", wire)
    path_params = {p.name: p for p in op.parameters.get("path", [])}
    CONTRACT.validate_params(
        op, "path", {n: path_params[n].coerce(wire_value(v)) for n, v in request["path"].items()}
    )
    if op.body is None:
        assert request["body"] is None
        return
    if request["body"] is None:
        assert not op.body.required
        return
    content_type = (
        "application/json" if "application/json" in op.body.schemas else next(iter(op.body.schemas))
    )
    body = request["body"]
    if content_type == "multipart/form-data":
        body = {k: "<binary>" if isinstance(v, bytes) else v for k, v in body.items()}
    CONTRACT.validate_body(op, content_type, body)


@pytest.mark.parametrize("op_id", OPERATIONS)
def test_requests_for_every_operation_are_valid(op_id: str) -> None:
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cst.requests_for(op_id))
    def check(request: dict[str, Any]) -> None:
        _check_request(op_id, request)

    check()


def test_requests_for_send_sms_use_real_numbers() -> None:
    @settings(max_examples=30, deadline=None)
    @given(cst.requests_for("sendSms"))
    def check(request: dict[str, Any]) -> None:
        assert phonenumbers.is_valid_number(phonenumbers.parse(request["query"]["to"]))
        assert 1 <= len(request["body"]["text"]) <= 3200

    check()


def test_requests_for_rejects_unknown_operations() -> None:
    with pytest.raises(InvalidArgument, match="did you mean sendSms"):
        cst.requests_for("sendSMS")
    with pytest.raises(InvalidArgument, match="must be a string"):
        cst.requests_for(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="spec must be"):
        cst.requests_for("ping", spec=3.5)


def test_requests_for_accepts_another_spec_document() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things/{id}": {
                "post": {
                    "operationId": "makeThing",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "format": "e164"},
                        },
                        {
                            "name": "n",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 3, "maximum": 5},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["when", "tags"],
                                    "properties": {
                                        "when": {"type": "string", "format": "date-time"},
                                        "tags": {
                                            "type": "array",
                                            "items": {"enum": ["a", "b"]},
                                            "minItems": 1,
                                        },
                                        "owner": {
                                            "oneOf": [
                                                {"type": "string", "format": "sid"},
                                                {"type": "null"},
                                            ]
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"204": {"description": "ok"}},
                }
            }
        },
    }

    @settings(max_examples=25, deadline=None)
    @given(cst.requests_for("makeThing", spec=document))
    def check(request: dict[str, Any]) -> None:
        assert phonenumbers.is_valid_number(phonenumbers.parse(request["path"]["id"]))
        assert request["query"].get("n", 4) in (3, 4, 5)
        assert DATETIME_SCHEMA.is_valid(request["body"]["when"])
        owner = request["body"].get("owner")
        assert owner is None or is_sid(owner)

    check()


@FAST
@given(cst.from_schema({"$ref": "#/components/schemas/ScenarioCreate"}))
def test_from_schema_honours_the_letter_rule_of_scenario_names(body: dict[str, Any]) -> None:
    assert any(unicodedata.category(character).startswith("L") for character in body["name"])
    assert validator("ScenarioCreate").is_valid(body)
