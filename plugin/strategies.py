"""Hypothesis strategies for the Callr API: ids, numbers, dates, SMS texts and whole requests.

Every strategy takes keyword-only options, checks them at once (``InvalidArgument``)
and only produces values that the contract accepts::

    from hypothesis import given
    from . import strategies as cst

    @given(to=cst.e164_numbers(countries=["FR"], types=["mobile"]), text=cst.sms_texts(encoding="gsm"))
    def test_send(callr_client, to, text): ...

``requests_for(operation_id)`` draws ``{"path", "query", "body"}`` valid against the
operation's parameters and request body; ``callr_client.call(operation_id, **request)``
sends one. ``FORMAT_STRATEGIES`` maps format names to strategies; they are registered with
schemathesis when it is installed (:func:`register_schemathesis_formats`).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callr_mock.contract.formats import CUSTOM_FORMATS, FORMATS
from callr_mock.state.ids import SID_ALPHABET, SID_LENGTH
from callr_mock.state.sms_text import GSM_CHARACTERS
from callr_mock.state.timefmt import iso, parse
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from . import _numbers

if TYPE_CHECKING:
    from callr_mock.contract.compiled import Contract

__all__ = [
    "FORMAT_STRATEGIES",
    "GSM_CHARACTERS",
    "SMS_MAX_CHARACTERS",
    "e164_numbers",
    "register_schemathesis_formats",
    "requests_for",
    "rfc3339_datetimes",
    "sids",
    "sms_texts",
]

SMS_MAX_CHARACTERS = 3200  # SmsSend.text maxLength
DEFAULT_MIN_DATETIME = datetime(2000, 1, 1, tzinfo=UTC)
DEFAULT_MAX_DATETIME = datetime(2099, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


# -- identifiers -----------------------------------------------------------------
def sids() -> SearchStrategy[str]:
    """Resource sids: 8 lowercase letters or digits (``^[a-z0-9]{8}$``)."""
    return st.text(alphabet=SID_ALPHABET, min_size=SID_LENGTH, max_size=SID_LENGTH)


def e164_numbers(
    *, countries: Iterable[str] | None = None, types: Iterable[str] | None = None
) -> SearchStrategy[str]:
    """E.164 numbers that ``phonenumbers.is_valid_number`` accepts.

    ``countries``: ISO 3166-1 alpha-2 regions (``["FR", "GB"]``), default all.
    ``types``: libphonenumber types (``MOBILE``, ``FIXED_LINE``, ``TOLL_FREE``, ``PREMIUM_RATE``,
    ``SHARED_COST``, ``VOIP``, ``PERSONAL_NUMBER``, ``PAGER``, ``UAN``, ``VOICEMAIL``, any case) or
    the API's ``geographic``, ``mobile``, ``tollfree``, ``sharedcost``, ``personal``.
    Numbers are libphonenumber's example numbers with their trailing digits varied; they
    shrink towards the example number itself.
    """
    try:
        chosen_countries = _numbers.normalise_countries(countries)
        chosen_types = _numbers.normalise_types(types)
    except ValueError as error:
        raise InvalidArgument(f"e164_numbers: {error}") from None
    if chosen_countries is not None:
        pool = _numbers.examples(chosen_countries, chosen_types)
        if not pool:
            raise InvalidArgument(
                f"e164_numbers: libphonenumber has no {', '.join(chosen_types or ())} number "
                f"for {', '.join(chosen_countries)}"
            )

    @st.composite
    def numbers(draw: st.DrawFn) -> str:
        pool = _numbers.examples(chosen_countries, chosen_types)
        example = draw(st.sampled_from(pool))
        width = draw(st.integers(0, min(_numbers.MAX_VARIED_DIGITS, len(example.nsn) - 1)))
        tail = draw(st.text("0123456789", min_size=width, max_size=width))
        candidate = _numbers.vary(example, tail)
        if _numbers.accepts(example, candidate, chosen_countries is not None, chosen_types):
            return candidate
        return example.e164

    return numbers()


# -- dates -------------------------------------------------------------------------
def _moment(value: datetime | str | None, name: str, default: datetime) -> datetime:
    if value is None:
        return default
    if isinstance(value, str):
        try:
            return parse(value)
        except ValueError:
            raise InvalidArgument(
                f"rfc3339_datetimes: {name}={value!r} is not an RFC 3339 date-time"
            ) from None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise InvalidArgument(
        f"rfc3339_datetimes: {name} must be a datetime or an RFC 3339 string, not {value!r}"
    )


def rfc3339_datetimes(
    *, min_value: datetime | str | None = None, max_value: datetime | str | None = None
) -> SearchStrategy[str]:
    """Date-times as the API writes them: UTC with milliseconds, ``2024-04-24T12:00:42.000Z``.

    Bounds are inclusive (datetimes, naive = UTC, or RFC 3339 strings); default 2000..2099.
    """
    low = _moment(min_value, "min_value", DEFAULT_MIN_DATETIME)
    high = _moment(max_value, "max_value", DEFAULT_MAX_DATETIME)
    # Round the bounds inwards to whole milliseconds, the API's precision.
    if low.microsecond % 1000:
        low = low.replace(microsecond=low.microsecond - low.microsecond % 1000) + _MILLISECOND
    high = high.replace(microsecond=high.microsecond - high.microsecond % 1000)
    if low > high:
        raise InvalidArgument(
            f"rfc3339_datetimes: min_value={iso(low)} is after max_value={iso(high)} (at millisecond precision)"
        )
    if low.year < 1 or high.year > 9999:
        raise InvalidArgument("rfc3339_datetimes: bounds must lie in years 0001..9999")
    naive = st.datetimes(min_value=low.replace(tzinfo=None), max_value=high.replace(tzinfo=None))

    def render(moment: datetime) -> str:
        truncated = moment.replace(
            microsecond=moment.microsecond - moment.microsecond % 1000, tzinfo=UTC
        )
        return iso(truncated) or ""

    return naive.map(render)


# -- SMS text ----------------------------------------------------------------------
_GSM_ALPHABET = st.sampled_from(sorted(GSM_CHARACTERS))
_ANY_TEXT_CHARACTER = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Co", "Cn", "Cc"), include_characters="\n\r"
)
_NON_GSM_CHARACTER = _ANY_TEXT_CHARACTER.filter(lambda c: c not in GSM_CHARACTERS)


def sms_texts(
    *, encoding: str | None = None, min_size: int = 1, max_size: int = SMS_MAX_CHARACTERS
) -> SearchStrategy[str]:
    """SMS bodies of ``min_size``..``max_size`` characters (the API takes 1..3200).

    ``encoding="gsm"``: only GSM 03.38 characters (basic set and extension table), so the
    mock detects ``gsm``; ``"unicode"``: at least one character outside GSM 03.38, so it
    detects ``unicode``; ``None``: either.
    """
    if encoding not in (None, "gsm", "unicode"):
        raise InvalidArgument(
            f"sms_texts: encoding must be None, 'gsm' or 'unicode', not {encoding!r}"
        )
    for name, value in (("min_size", min_size), ("max_size", max_size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidArgument(f"sms_texts: {name} must be an integer, not {value!r}")
    if min_size < 0:
        raise InvalidArgument(f"sms_texts: min_size={min_size} must be >= 0")
    if max_size < min_size:
        raise InvalidArgument(f"sms_texts: max_size={max_size} is below min_size={min_size}")
    if max_size > SMS_MAX_CHARACTERS:
        raise InvalidArgument(
            f"sms_texts: max_size={max_size} is over the API's {SMS_MAX_CHARACTERS} characters"
        )
    if encoding == "unicode" and max_size < 1:
        raise InvalidArgument("sms_texts: a unicode text needs max_size >= 1")
    if encoding == "gsm":
        return st.text(_GSM_ALPHABET, min_size=min_size, max_size=max_size)
    if encoding is None:
        return st.text(
            st.one_of(_GSM_ALPHABET, _ANY_TEXT_CHARACTER), min_size=min_size, max_size=max_size
        )

    @st.composite
    def unicode_texts(draw: st.DrawFn) -> str:
        rest = draw(
            st.text(_ANY_TEXT_CHARACTER, min_size=max(0, min_size - 1), max_size=max_size - 1)
        )
        special = draw(_NON_GSM_CHARACTER)
        position = draw(st.integers(0, len(rest)))
        return rest[:position] + special + rest[position:]

    return unicode_texts()


# -- formats and requests from the spec ---------------------------------------------------
def uris() -> SearchStrategy[str]:
    """Absolute https URLs on example.com."""
    label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
    path = st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=10), max_size=3
    )
    return st.builds(
        lambda host, parts: f"https://{host}.example.com/{'/'.join(parts)}",
        label,
        path,
    )


def dates() -> SearchStrategy[str]:
    """RFC 3339 full dates (``2024-04-24``)."""
    return st.dates().map(lambda d: d.isoformat())


def times() -> SearchStrategy[str]:
    """RFC 3339 full times in UTC (``12:00:42Z``)."""
    return st.times().map(lambda t: t.replace(microsecond=0).isoformat() + "Z")


def uuids() -> SearchStrategy[str]:
    """UUIDs as strings."""
    return st.uuids().map(str)


def emails() -> SearchStrategy[str]:
    """Email addresses on example.com."""
    return st.from_regex(r"\A[a-z0-9]{1,20}@example\.com\Z")


def hostnames() -> SearchStrategy[str]:
    """Host names under example.com."""
    return st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20).map(
        lambda label: f"{label}.example.com"
    )


def ipv4_addresses() -> SearchStrategy[str]:
    """IPv4 addresses."""
    return st.ip_addresses(v=4).map(str)


def ipv6_addresses() -> SearchStrategy[str]:
    """IPv6 addresses."""
    return st.ip_addresses(v=6).map(str)


FORMAT_STRATEGIES: dict[str, SearchStrategy[str]] = {
    name: globals()[f.strategy]() for name, f in FORMATS.items()
}
"""Strategies for the string formats of ``callr_mock.contract.formats.FORMATS`` (the custom ones
are also registered with schemathesis)."""

_PATTERN_STRATEGIES: dict[str, SearchStrategy[str]] = {
    f.pattern.pattern: FORMAT_STRATEGIES[name]
    for name, f in FORMATS.items()
    if f.pattern is not None
}


def _packaged_contract() -> Contract:
    from callr_mock.contract.compiled import contract_for

    return contract_for(None)


def _contract(spec: Any) -> Contract:
    from callr_mock.contract.compiled import Contract

    if spec is None:
        return _packaged_contract()
    if isinstance(spec, Contract):
        return spec
    if isinstance(spec, str | Path):
        from callr_mock.contract.compiled import contract_for

        return contract_for(str(spec))
    if isinstance(spec, Mapping):
        return Contract(dict(spec))
    raise InvalidArgument(
        f"requests_for: spec must be None, a path, a document or a Contract, not {spec!r}"
    )


@functools.lru_cache(maxsize=1)
def _schema_builder() -> Any:
    from ._schema import SchemaStrategies

    return SchemaStrategies(FORMAT_STRATEGIES, _PATTERN_STRATEGIES)


def from_schema(
    schema: Mapping[str, Any], *, document: Mapping[str, Any] | None = None
) -> SearchStrategy[Any]:
    """Values valid against one JSON Schema (``$ref``s resolved in ``document``, default our spec)."""
    from callr_mock.contract.spec import inline_refs

    doc = document if document is not None else _packaged_contract().document
    return _schema_builder().build(inline_refs(dict(schema), dict(doc)))


def _params_strategy(params: list[Any]) -> SearchStrategy[dict[str, Any]]:
    builder = _schema_builder()
    required = {p.name: builder.build(p.schema) for p in params if p.required}
    optional = {p.name: builder.build(p.schema) for p in params if not p.required}
    return st.fixed_dictionaries(required, optional=optional)


def requests_for(operation_id: str, *, spec: Any = None) -> SearchStrategy[dict[str, Any]]:
    """``{"path": {...}, "query": {...}, "body": ...}`` valid for one operation of the spec.

    ``spec``: ``None`` (the packaged Callr spec), a file path, a parsed document or a
    ``callr_mock.contract.compiled.Contract``. Values are typed as the schema says (booleans,
    integers, lists); ``callr_client`` puts them on the wire the way the mock reads them.
    ``body`` is ``None`` when the operation takes none; a multipart body is a dict whose
    binary fields are ``bytes``.
    """
    if not isinstance(operation_id, str):
        raise InvalidArgument(f"requests_for: operation_id must be a string, not {operation_id!r}")
    contract = _contract(spec)
    op = contract.operations.get(operation_id)
    if op is None:
        close = difflib.get_close_matches(operation_id, list(contract.operations), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InvalidArgument(
            f"requests_for: {contract.title} has no operation {operation_id!r}{hint}"
        )
    path = _params_strategy(op.parameters.get("path", []))
    query = _params_strategy(op.parameters.get("query", []))
    body: SearchStrategy[Any] = st.none()
    if op.body is not None and op.body.schemas:
        content_type = (
            "application/json"
            if "application/json" in op.body.schemas
            else next(iter(op.body.schemas))
        )
        schema = op.body.schemas[content_type]
        from callr_mock.contract.spec import inline_refs

        inlined = inline_refs(schema, contract.document)
        if content_type == "multipart/form-data":
            inlined = _binary_as_bytes(inlined)
        body = _schema_builder().build(inlined)
        if not op.body.required:
            body = st.none() | body
    return st.fixed_dictionaries({"path": path, "query": query, "body": body})


def _binary_as_bytes(schema: Any) -> Any:
    if isinstance(schema, dict):
        if schema.get("format") == "binary" or schema.get("contentMediaType", "").startswith(
            "audio/"
        ):
            return {"x-binary": True}
        return {key: _binary_as_bytes(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_binary_as_bytes(item) for item in schema]
    return schema


# -- schemathesis -------------------------------------------------------------------------
def register_schemathesis_formats() -> bool:
    """Teach schemathesis our formats (``sid``, ``e164``); False when it is not installed."""
    try:
        import schemathesis
    except ImportError:
        return False
    register = getattr(getattr(schemathesis, "openapi", None), "format", None)
    if register is None:
        register = getattr(schemathesis, "register_string_format", None)
    if register is None:
        return False
    for name in CUSTOM_FORMATS:
        register(name, FORMAT_STRATEGIES[name])
    return True
