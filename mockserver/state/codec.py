"""Objects of the store ⇄ JSON data, driven by their type hints (state files).

``dump(value)`` turns dataclasses (every field), datetimes (full precision), decimals,
bytes (base64), deques, tuples, dicts and ``random.Random`` generators (their state) into
JSON data. ``load(hint, data, where)`` reads it back as the type ``hint`` says, so a field
added to a dataclass is written and read with no other change. A value that does not fit
its hint raises ``CodecError`` naming where it is (``where``, e.g. ``accounts[0].x``). A
dataclass field missing from the data takes its default when it has one (a field added
since the document was written), else it is an error.
"""

from __future__ import annotations

import base64
import dataclasses
import random
import types
import typing
from collections import deque
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from callr_mock.state.timefmt import exact, parse


class CodecError(ValueError):
    """A value of a state document does not fit the type it is read as."""


def dump(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return exact(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, random.Random):
        version, internal, gauss = value.getstate()
        return [version, list(internal), gauss]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: dump(getattr(value, name)) for name in field_names(type(value))}
    if isinstance(value, dict):
        return {str(key): dump(item) for key, item in value.items()}
    if isinstance(value, list | tuple | deque):
        return [dump(item) for item in value]
    raise TypeError(f"cannot write a {type(value).__name__} to a state document")


@cache
def field_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def hints_of(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _kind(data: Any) -> str:
    return "null" if data is None else type(data).__name__


def load(hint: Any, data: Any, where: str) -> Any:
    """``data`` (as ``dump`` wrote it) as a value of type ``hint``."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return load(options[0], data, where)
        for option in options:  # e.g. int | float: the first that fits
            try:
                return load(option, data, where)
            except CodecError:
                continue
        raise CodecError(f"{where}: {_kind(data)} is none of {hint}")
    if origin is not None:
        return _load_generic(origin, args, data, where)
    if hint is datetime:
        try:
            return parse(data)
        except ValueError:
            raise CodecError(f"{where}: {data!r} is not a date-time") from None
    if hint is Decimal:
        try:
            return Decimal(_expect(data, str, where))
        except InvalidOperation:
            raise CodecError(f"{where}: {data!r} is not a decimal amount") from None
    if hint is bytes:
        try:
            return base64.b64decode(_expect(data, str, where), validate=True)
        except ValueError:
            raise CodecError(f"{where}: not base64 data") from None
    if hint is random.Random:
        return _load_random(data, where)
    if hint is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise CodecError(f"{where}: {_kind(data)} is not a number")
        return float(data)
    if hint in (bool, int, str):
        if not isinstance(data, hint) or (hint is int and isinstance(data, bool)):
            raise CodecError(f"{where}: {_kind(data)} is not a {hint.__name__}")
        return data
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return load_dataclass(hint, data, where)
    raise TypeError(f"cannot read a {hint} from a state document")


def load_dataclass(cls: type, data: Any, where: str) -> Any:
    _expect(data, dict, where)
    hints = hints_of(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name in data:
            values[field.name] = load(hints[field.name], data[field.name], f"{where}.{field.name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise CodecError(f"{where}: '{field.name}' is missing")
        # a field with a default, added since the document was written, takes its default
    obj = cls(
        **{f.name: values[f.name] for f in dataclasses.fields(cls) if f.init and f.name in values}
    )
    for field in dataclasses.fields(cls):
        if not field.init and field.name in values:
            object.__setattr__(obj, field.name, values[field.name])
    return obj


def _load_generic(origin: Any, args: tuple[Any, ...], data: Any, where: str) -> Any:
    if origin is dict:
        _expect(data, dict, where)
        return {key: load(args[1], item, f"{where}.{key}") for key, item in data.items()}
    _expect(data, list, where)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(load(args[0], item, f"{where}[{i}]") for i, item in enumerate(data))
        if len(data) != len(args):
            raise CodecError(f"{where}: {len(data)} items where {len(args)} are expected")
        return tuple(
            load(a, item, f"{where}[{i}]")
            for i, (a, item) in enumerate(zip(args, data, strict=True))
        )
    items = [load(args[0], item, f"{where}[{i}]") for i, item in enumerate(data)]
    if origin is deque:
        return deque(items)
    if origin is list:
        return items
    raise TypeError(f"cannot read a {origin} from a state document")


def _load_random(data: Any, where: str) -> random.Random:
    generator = random.Random()
    try:
        version, internal, gauss = _expect(data, list, where)
        generator.setstate((version, tuple(internal), gauss))
    except (TypeError, ValueError, OverflowError):
        raise CodecError(f"{where}: not the state of a random generator") from None
    return generator


def _expect(data: Any, kind: type, where: str) -> Any:
    if not isinstance(data, kind):
        names: dict[Any, str] = {dict: "an object", list: "a list", str: "a string"}
        raise CodecError(
            f"{where}: {_kind(data)} where {names.get(kind, kind.__name__)} is expected"
        )
    return data
