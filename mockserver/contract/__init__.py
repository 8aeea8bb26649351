"""The contract layer: everything derived from an OpenAPI document.

The compiled spec and its validators (``compiled``), the spec reader (``spec``), formats,
messages, provenance, generated answers, seeds, the published document, the spec diff,
``--vary`` and the coverage report. jsonschema-rs and yaml; never Flask.

The names below were ``callr_mock.contract``'s before it became this package; they stay.
"""

from __future__ import annotations

from .compiled import (
    MAX_NUMBER_DIGITS,
    BodySpec,
    Contract,
    Operation,
    Parameter,
    ResponseSpec,
    ValidatedAnswers,
    compile_schema,
    contract_for,
    describe_error,
    first_error,
    house_query_defaults,
)

__all__ = [
    "MAX_NUMBER_DIGITS",
    "BodySpec",
    "Contract",
    "Operation",
    "Parameter",
    "ResponseSpec",
    "ValidatedAnswers",
    "compile_schema",
    "contract_for",
    "describe_error",
    "first_error",
    "house_query_defaults",
]
