"""The Faker provider: ids, valid numbers, SMS texts and scripts the mock accepts."""

from __future__ import annotations

from typing import Any

import phonenumbers
import pytest
from callr_mock.contract.formats import is_e164, is_sid
from callr_mock.plugin.faker_provider import CallrProvider
from callr_mock.state.scenarios import parse_script
from callr_mock.state.sms_text import encode, is_gsm
from faker import Faker


@pytest.fixture
def fake() -> Faker:
    generator = Faker()
    generator.add_provider(CallrProvider)
    generator.seed_instance(1234)
    return generator


def test_sids(fake: Faker) -> None:
    sids = {fake.callr_sid() for _ in range(200)}
    assert all(is_sid(sid) for sid in sids)
    assert len(sids) == 200


def test_numbers_are_valid_for_libphonenumber(fake: Faker) -> None:
    for _ in range(200):
        number = fake.e164()
        assert is_e164(number)
        assert phonenumbers.is_valid_number(phonenumbers.parse(number)), number


@pytest.mark.parametrize(
    ("country", "kind", "expected"),
    [
        ("FR", "mobile", {phonenumbers.PhoneNumberType.MOBILE}),
        ("GB", "geographic", {phonenumbers.PhoneNumberType.FIXED_LINE}),
        ("US", "tollfree", {phonenumbers.PhoneNumberType.TOLL_FREE}),
        ("DE", "MOBILE", {phonenumbers.PhoneNumberType.MOBILE}),
    ],
)
def test_numbers_of_a_country_and_type(
    fake: Faker, country: str, kind: str, expected: set[int]
) -> None:
    seen = set()
    for _ in range(50):
        parsed = phonenumbers.parse(fake.e164(country=country, type=kind))
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.region_code_for_number(parsed) == country
        assert phonenumbers.number_type(parsed) in expected | {
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
        }
        seen.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    assert len(seen) > 20  # the digits vary


def test_number_arguments_are_checked(fake: Faker) -> None:
    with pytest.raises(ValueError, match="XX"):
        fake.e164(country="XX")
    with pytest.raises(ValueError, match="landline"):
        fake.e164(type="landline")


def test_sms_texts_have_the_encoding_asked_for(fake: Faker) -> None:
    for _ in range(100):
        gsm = fake.sms_text()
        assert is_gsm(gsm) and encode(gsm)[0] == "gsm"
        unicode = fake.sms_text(encoding="unicode")
        assert not is_gsm(unicode) and encode(unicode)[0] == "unicode"
        short = fake.sms_text(encoding="unicode", max_chars=5)
        assert 1 <= len(short) <= 5 and not is_gsm(short)
    with pytest.raises(ValueError):
        fake.sms_text(encoding="utf-8")
    with pytest.raises(ValueError):
        fake.sms_text(max_chars=0)


def test_scenario_scripts_are_accepted_by_the_mock(fake: Faker) -> None:
    for _ in range(20):
        script = fake.scenario_script()
        document = parse_script(script)  # the server's own check (400 invalid-script otherwise)
        assert set(document["branches"]) == {"inbound-call", "inbound-sms", "api-initiated"}
    only = parse_script(fake.scenario_script(branches=("api-initiated",)))
    assert list(only["branches"]) == ["api-initiated"]


def test_the_same_seed_gives_the_same_data() -> None:
    def sample(seed: int) -> list[str]:
        generator = Faker()
        generator.add_provider(CallrProvider)
        generator.seed_instance(seed)
        return [
            generator.callr_sid(),
            generator.e164(),
            generator.sms_text(),
            generator.scenario_script(),
        ]

    assert sample(5) == sample(5)
    assert sample(5) != sample(6)


def test_scripts_and_sids_work_against_the_server(callr_client: Any, fake: Faker) -> None:
    created = callr_client.post(
        "/actions", json={"name": "Faked", "script": fake.scenario_script()}
    )
    assert created.status_code == 201, created.text
    run = callr_client.post(f"/actions/{created.json()['sid']}/runs", json={})
    assert run.status_code == 202, run.text
    assert callr_client.get(f"/actions/{fake.callr_sid()}").status_code == 404
