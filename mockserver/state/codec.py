"""Objects of the store ⇄ JSON data, driven by their type hints (state files).

``dump(value)`` turns dataclasses (every field), datetimes (full precision), decimals,
bytes (base64), deques, tuples, dicts and ``random.Random`` generators (their state) into
JSON data. ``load(hint, data, where)`` reads it back as the type ``hint`` says, so a field
added to a dataclass is written and read with no other change. A value that does not fit
its hint raises ``CodecError`` naming where it is (``where``, e.g. ``accounts[0].x``). A
dataclass field missing from the data takes its default when it has one (a field added
since the document was written), else it is an error.

Values typed ``Any`` (and dicts and lists of them) are JSON data already (an event's
payload, a task's result): they are written and read as they are, not walked, and must
never be changed in place once stored (they are replaced instead).

Writing and reading are compiled once per class and per type hint: a large store is
written in one pass with no type inspection per value.
"""

from __future__ import annotations

import base64
import dataclasses
import random
import types
import typing
from collections import deque
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from .timefmt import exact, parse


class CodecError(ValueError):
    """A value of a state document does not fit the type it is read as."""

    def __init__(self, message: str, path: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path or []

    def __str__(self) -> str:
        return f"{''.join(self.path)}: {self.message}" if self.path else self.message


# -- writing ---------------------------------------------------------------------------------


def dump(value: Any) -> Any:
    """``value`` as JSON data."""
    writer = _WRITERS.get(type(value))
    if writer is not None:
        return writer(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_writer(type(value))(value)
    if isinstance(value, datetime | Decimal | bytes | random.Random | dict | list | tuple | deque):
        for kind, writer in _WRITERS.items():
            if isinstance(value, kind):
                return writer(value)
    raise TypeError(f"cannot write a {type(value).__name__} to a state document")


def _as_is(value: Any) -> Any:
    return value


def _write_random(value: random.Random) -> list[Any]:
    version, internal, gauss = value.getstate()
    return [version, list(internal), gauss]


_WRITERS: dict[type, Callable[[Any], Any]] = {
    type(None): _as_is,
    bool: _as_is,
    int: _as_is,
    float: _as_is,
    str: _as_is,
    datetime: exact,
    Decimal: str,
    bytes: lambda value: base64.b64encode(value).decode("ascii"),
    random.Random: _write_random,
    dict: lambda value: {str(key): dump(item) for key, item in value.items()},
    list: lambda value: [dump(item) for item in value],
    tuple: lambda value: [dump(item) for item in value],
    deque: lambda value: [dump(item) for item in value],
}

_NATIVE = (bool, int, float, str, type(None))


def is_json(hint: Any) -> bool:
    """Whether values of type ``hint`` are JSON data already (written and read as they are)."""
    if hint is Any or hint in _NATIVE:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return all(is_json(arg) for arg in args)
    if origin is dict:
        return args[0] is str and is_json(args[1])
    if origin is list:
        return is_json(args[0])
    return False


@cache
def _dataclass_writer(cls: Any) -> Callable[[Any], dict[str, Any]]:
    hints = hints_of(cls)
    plain = tuple(name for name in field_names(cls) if is_json(hints[name]))
    walked = tuple(name for name in field_names(cls) if not is_json(hints[name]))
    order = field_names(cls)

    def write(value: Any) -> dict[str, Any]:
        out = {name: getattr(value, name) for name in plain}
        for name in walked:
            out[name] = dump(getattr(value, name))
        return {name: out[name] for name in order}

    return write


@cache
def field_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def hints_of(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


# -- reading ---------------------------------------------------------------------------------

Reader = Callable[[Any], Any]


def _kind(data: Any) -> str:
    return "null" if data is None else type(data).__name__


def load(hint: Any, data: Any, where: str) -> Any:
    """``data`` (as ``dump`` wrote it) as a value of type ``hint``; ``where`` names it in errors."""
    try:
        return reader(hint)(data)
    except CodecError as error:
        raise CodecError(error.message, [where, *error.path]) from None


def _inside(step: str, read: Reader, data: Any) -> Any:
    try:
        return read(data)
    except CodecError as error:
        error.path.insert(0, step)
        raise


_NAMES: dict[Any, str] = {dict: "an object", list: "a list", str: "a string"}


def _expect(data: Any, kind: type) -> Any:
    if not isinstance(data, kind):
        raise CodecError(f"{_kind(data)} where {_NAMES.get(kind, kind.__name__)} is expected")
    return data


@cache
def reader(hint: Any) -> Reader:
    """The function that reads JSON data as a value of type ``hint`` (built once per hint)."""
    if hint is Any:
        return _as_is
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_reader(hint, args)
    if origin is dict:
        return _dict_reader(args)
    if origin in (list, deque):
        return _list_reader(origin, args[0])
    if origin is tuple:
        return _tuple_reader(args)
    if origin is not None:
        raise TypeError(f"cannot read a {hint} from a state document")
    if hint in _SCALARS:
        return _SCALARS[hint]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_reader(hint)
    raise TypeError(f"cannot read a {hint} from a state document")


def _union_reader(hint: Any, args: tuple[Any, ...]) -> Reader:
    optional = type(None) in args
    readers = [reader(arg) for arg in args if arg is not type(None)]

    def read(data: Any) -> Any:
        if data is None and optional:
            return None
        for one in readers:  # e.g. int | float: the first that fits
            try:
                return one(data)
            except CodecError:
                if len(readers) == 1:
                    raise
        raise CodecError(f"{_kind(data)} is none of {hint}")

    return read


def _dict_reader(args: tuple[Any, ...]) -> Reader:
    if args[1] is Any:
        return lambda data: _expect(data, dict)
    item = reader(args[1])

    def read(data: Any) -> dict[str, Any]:
        return {key: _inside(f".{key}", item, value) for key, value in _expect(data, dict).items()}

    return read


def _list_reader(origin: Any, arg: Any) -> Reader:
    if arg is Any:
        return lambda data: _expect(data, list)
    item = reader(arg)

    def read(data: Any) -> Any:
        items = [_inside(f"[{i}]", item, value) for i, value in enumerate(_expect(data, list))]
        return deque(items) if origin is deque else items

    return read


def _tuple_reader(args: tuple[Any, ...]) -> Reader:
    if len(args) == 2 and args[1] is Ellipsis:
        item = reader(args[0])
        return lambda data: tuple(
            _inside(f"[{i}]", item, value) for i, value in enumerate(_expect(data, list))
        )
    items = [reader(arg) for arg in args]

    def read(data: Any) -> tuple[Any, ...]:
        if len(_expect(data, list)) != len(items):
            raise CodecError(f"{len(data)} items where {len(items)} are expected")
        return tuple(
            _inside(f"[{i}]", one, value)
            for i, (one, value) in enumerate(zip(items, data, strict=True))
        )

    return read


def _dataclass_reader(cls: Any) -> Reader:
    hints = hints_of(cls)
    fields = [
        (
            f.name,
            reader(hints[f.name]),
            f.init,
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    ]

    def read(data: Any) -> Any:
        _expect(data, dict)
        values: dict[str, Any] = {}
        late: dict[str, Any] = {}
        for name, read_field, init, required in fields:
            if name in data:
                value = _inside(f".{name}", read_field, data[name])
                (values if init else late)[name] = value
            elif required:
                raise CodecError(f"'{name}' is missing")
            # a field with a default, added since the document was written, takes its default
        obj = cls(**values)
        for name, value in late.items():
            object.__setattr__(obj, name, value)
        return obj

    return read


def _read_datetime(data: Any) -> datetime:
    try:
        return parse(data)
    except ValueError:
        raise CodecError(f"{data!r} is not a date-time") from None


def _read_decimal(data: Any) -> Decimal:
    try:
        return Decimal(_expect(data, str))
    except InvalidOperation:
        raise CodecError(f"{data!r} is not a decimal amount") from None


def _read_bytes(data: Any) -> bytes:
    try:
        return base64.b64decode(_expect(data, str), validate=True)
    except ValueError:
        raise CodecError("not base64 data") from None


def _read_random(data: Any) -> random.Random:
    generator = random.Random()
    try:
        version, internal, gauss = _expect(data, list)
        generator.setstate((version, tuple(internal), gauss))
    except (TypeError, ValueError, OverflowError):
        raise CodecError("not the state of a random generator") from None
    return generator


def _read_float(data: Any) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise CodecError(f"{_kind(data)} is not a number")
    return float(data)


def _exactly(kind: type) -> Reader:
    def read(data: Any) -> Any:
        if type(data) is not kind:
            raise CodecError(f"{_kind(data)} is not a {kind.__name__}")
        return data

    return read


_SCALARS: dict[Any, Reader] = {
    datetime: _read_datetime,
    Decimal: _read_decimal,
    bytes: _read_bytes,
    random.Random: _read_random,
    float: _read_float,
    bool: _exactly(bool),
    int: _exactly(int),
    str: _exactly(str),
    type(None): _exactly(type(None)),
}
