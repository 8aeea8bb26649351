"""JSON-RPC machinery shared by the legacy services: errors, positional parameters, the
method registry and the call context. No Flask here (only ``endpoint.py`` speaks HTTP).

Error codes (JSON-RPC 2.0 ``error.code``). No Callr legacy error code is known from the
sources, so the sandbox uses the standard codes for protocol errors and the
implementation-defined range ``-32000..-32099`` for the errors of the shared state,
``-320NN`` where ``NN`` = the REST HTTP status − 400:

======== =====================================================================
 -32700  parse error: the body is not JSON
 -32600  invalid request: not a JSON-RPC 2.0 request object, a batch (array), a
         notification (no ``id``), not a POST
 -32601  method not found
 -32602  invalid params: wrong count, type or value (also the REST input rules the
         mapped values break, e.g. an SMS text longer than 3200 characters)
 -32603  internal error (a bug of the sandbox; also recorded as a contract violation)
 -32000  a state rule refused the call (REST 400, e.g. ``sold-out``, ``task-finished``)
 -32001  authentication failed (REST 401; answered with HTTP 401)
 -32003  not permitted (REST 403, e.g. ``insufficient-credit``)
 -32004  not found (REST 404)
======== =====================================================================

A state error carries ``data: {"code": <REST machine code>, "status": <REST status>}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...base.errors import ApiError, InvalidInput
from .mapping import BadValue

if TYPE_CHECKING:
    from ...contract.compiled import Contract
    from ...state.store import AccountState, Store

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
STATE_ERROR_BASE = -32000
MESSAGE_MAX = 300


def state_error_code(status: int) -> int:
    """``-320NN`` for a REST 4xx status (``NN`` = status − 400); internal error otherwise."""
    return STATE_ERROR_BASE - (status - 400) if 400 <= status < 500 else INTERNAL_ERROR


class RpcError(Exception):
    """A JSON-RPC error object, with the HTTP status to answer it with."""

    def __init__(
        self, code: int, message: str, *, data: Any = None, http_status: int = 200
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.http_status = http_status

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error

    @classmethod
    def from_api_error(cls, error: ApiError, method: str | None = None) -> RpcError:
        prefix = f"{method}: " if method else ""
        return cls(
            state_error_code(error.status),
            prefix + error.message,
            data={"code": error.code, "status": error.status},
            http_status=401 if error.status == 401 else 200,
        )


def invalid_params(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)


# -- positional parameters ----------------------------------------------------------------------
KINDS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "number": (int, float),
    "any": (object,),
}


@dataclass(frozen=True)
class P:
    """One positional parameter: ``kind`` is a JSON type name or several joined by ``|``.

    ``optional`` parameters may be left out at the end of ``params`` (they are then
    ``None``); ``null`` is allowed when the kind includes ``null`` or the parameter is
    optional.
    """

    name: str
    kind: str = "string"
    optional: bool = False

    @property
    def kinds(self) -> list[str]:
        return self.kind.split("|")

    def check(self, method: str, index: int, value: Any) -> Any:
        if value is None and (self.optional or "null" in self.kinds):
            return None
        for kind in self.kinds:
            if kind == "null":
                continue
            types = KINDS[kind]
            if isinstance(value, bool) and kind not in ("boolean", "any"):
                continue
            if isinstance(value, types):
                return value
            if kind == "integer" and isinstance(value, str) and value.isdigit():
                return int(value)
        wanted = " or ".join(self.kinds)
        raise invalid_params(
            f"{method}: params[{index}] ({self.name}) must be {wanted}, not {_show(value)}"
        )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


Function = Callable[..., Any]


@dataclass
class LegacyMethod:
    """A legacy JSON-RPC method: its positional parameters and the function behind it."""

    name: str
    params: tuple[P, ...]
    function: Function
    doc: str = ""

    @property
    def signature(self) -> str:
        names = [p.name + ("?" if p.optional else "") for p in self.params]
        return f"{self.name}({', '.join(names)})"

    def bind(self, raw: Any) -> list[Any]:
        if raw is None:
            raw = []
        if isinstance(raw, dict):
            raise invalid_params(
                f"{self.name}: named parameters are not supported; pass params as an array "
                f"in this order: {self.signature}"
            )
        if not isinstance(raw, list):
            raise invalid_params(f"{self.name}: params must be an array, not {_show(raw)}")
        if len(raw) > len(self.params):
            raise invalid_params(
                f"{self.name}: takes at most {len(self.params)} parameter(s), {len(raw)} given: "
                f"{self.signature}"
            )
        values: list[Any] = []
        for index, param in enumerate(self.params):
            if index >= len(raw):
                if not param.optional:
                    raise invalid_params(
                        f"{self.name}: params[{index}] ({param.name}) is missing: {self.signature}"
                    )
                values.append(None)
                continue
            values.append(param.check(self.name, index, raw[index]))
        return values

    def __call__(self, ctx: Ctx, raw: Any) -> Any:
        values = self.bind(raw)
        try:
            return self.function(ctx, *values)
        except BadValue as error:
            raise invalid_params(f"{self.name}: {error}") from None
        except ApiError as error:
            raise RpcError.from_api_error(error, self.name) from None


class Registry(dict[str, LegacyMethod]):
    """``{"sms.send": LegacyMethod, ...}``; ``@registry.method(name, *params)`` adds one."""

    def method(self, name: str, *params: P) -> Callable[[Function], Function]:
        def register(function: Function) -> Function:
            if name in self:
                raise ValueError(f"legacy method {name} registered twice")
            self[name] = LegacyMethod(name, params, function, (function.__doc__ or "").strip())
            return function

        return register

    def alias(self, name: str, method: LegacyMethod, doc: str) -> None:
        """Serve ``method`` under another name too (Callr kept old names of some methods)."""
        if name in self:
            raise ValueError(f"legacy method {name} registered twice")
        self[name] = LegacyMethod(name, method.params, method.function, doc)


# -- the call context -------------------------------------------------------------------------------
@dataclass
class Ctx:
    """What a legacy method works with: the caller's account, the store, the REST contract."""

    account: AccountState
    store: Store
    method: str = ""
    contract: Contract | None = None
    validate: bool = True
    base_url: str = ""
    session: str | None = None  # the session token the call was made with, if any

    def rest_input(
        self,
        operation_id: str,
        *,
        path: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
    ) -> dict[str, Any]:
        """Check mapped values against the REST operation's input rules (the same compiled
        validators the REST pipeline uses) and return the query with the spec's defaults.

        A value REST would refuse is refused here too (JSON-RPC invalid params), so the
        legacy API never stores what REST could not render.
        """
        query = {k: v for k, v in (query or {}).items() if v is not None}
        if self.contract is None:
            return query
        op = self.contract.operations[operation_id]
        where = f"{op.method} {op.path}"
        if self.validate:
            try:
                if path:
                    self.contract.validate_params(op, "path", path)
                self.contract.validate_params(op, "query", query)
                if body is not None and op.body is not None:
                    self.contract.validate_body(op, "application/json", body)
            except InvalidInput as error:
                message = error.message
                if len(message) > MESSAGE_MAX:
                    message = message[: MESSAGE_MAX - 20] + " ... " + message[-15:]
                raise invalid_params(
                    f"{self.method}: {message} (the REST v2 rule of {where})"
                ) from None
        for param in op.parameters.get("query", []):
            if param.name not in query and "default" in param.schema:
                query[param.name] = param.schema["default"]
        return query


SEARCH_LIMIT_DEFAULT = 50
SEARCH_LIMIT_MAX = 100
ALL = 10**9  # "every item" for repository searches the legacy layer pages itself


def paging(ctx: Ctx, options: dict[str, Any] | None) -> tuple[int, int, str]:
    """``options`` of a legacy search: ``offset`` ≥ 0, ``limit`` 1..100 (default 50),
    ``order`` ``ASC``/``DESC`` (default ``DESC``)."""
    options = dict(options or {})
    unknown = sorted(set(options) - {"offset", "limit", "order"})
    if unknown:
        raise invalid_params(
            f"{ctx.method}: unknown option(s) {', '.join(unknown)} (options: offset, limit, order)"
        )
    offset, limit = options.get("offset", 0), options.get("limit", SEARCH_LIMIT_DEFAULT)
    for name, value, low, high in (
        ("offset", offset, 0, None),
        ("limit", limit, 1, SEARCH_LIMIT_MAX),
    ):
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < low
            or (high is not None and value > high)
        ):
            bound = f"{low}..{high}" if high is not None else f">= {low}"
            raise invalid_params(f"{ctx.method}: options.{name} must be an integer {bound}")
    order = options.get("order", "DESC")
    if order not in ("ASC", "DESC"):
        raise invalid_params(f"{ctx.method}: options.order must be ASC or DESC, not {order!r}")
    return offset, limit, order.lower()


def filters_of(ctx: Ctx, filters: dict[str, Any] | None, known: tuple[str, ...]) -> dict[str, Any]:
    filters = dict(filters or {})
    unknown = sorted(set(filters) - set(known))
    if unknown:
        raise invalid_params(
            f"{ctx.method}: unknown filter(s) {', '.join(unknown)} (filters: {', '.join(known)})"
        )
    return {k: v for k, v in filters.items() if v is not None}
