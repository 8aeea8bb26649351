"""The format table (``callr_mock.contract.formats.FORMATS``): for each format its checker, its
sample value and its strategy agree, and every user of formats takes them from the table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from callr_mock.contract.compiled import compile_schema
from callr_mock.contract.formats import CUSTOM_FORMATS, FORMAT_CHECKERS, FORMATS
from callr_mock.contract.sample import sample
from callr_mock.plugin import strategies
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
NAMES = sorted(FORMATS)


def valid(name: str, value: object) -> bool:
    return bool(compile_schema({"type": "string", "format": name}).is_valid(value))


@pytest.mark.parametrize("name", NAMES)
def test_the_validator_refuses_what_the_format_refuses(name: str) -> None:
    assert not valid(name, "not a valid value of any format ¤")


@pytest.mark.parametrize("name", NAMES)
def test_the_sample_value_is_valid(name: str) -> None:
    value = sample({"type": "string", "format": name}, NOW)
    assert value == FORMATS[name].sample(NOW) and valid(name, value)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_strategy_draws_valid_values(name: str, data: st.DataObject) -> None:
    assert valid(name, data.draw(strategies.FORMAT_STRATEGIES[name]))


def test_custom_formats_have_checkers_patterns_and_strategies() -> None:
    assert set(CUSTOM_FORMATS) == {"sid", "e164"} <= set(FORMAT_CHECKERS)
    assert set(strategies.FORMAT_STRATEGIES) == set(FORMATS)
    for name in CUSTOM_FORMATS:
        pattern = FORMATS[name].pattern
        assert pattern is not None and pattern.match(FORMATS[name].sample(NOW))
