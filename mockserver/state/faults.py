"""Injected faults: answers the sandbox gives instead of (or after) the real one.

A fault matches the requests of one account (or of every account when ``account`` is
``None``) to one operation (an operationId, or ``jsonrpc:<method>`` for the JSON-RPC
endpoint; ``None`` = any). Each match counts against ``times`` (``None`` = until removed);
``probability`` draws from the fault's own seeded generator, so the same requests give the
same answers run after run, whatever other accounts do meanwhile.

What a matching request gets is an :class:`Injection` (see ``state/injection.py``):
an error ``status`` with a Callr error body, a ``latency_ms`` delay, a dropped connection,
or, with ``after``, the real handler's work committed and then its answer replaced.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..base.errors import InvalidInput, NotFound
from ..base.journal import LEGACY_OPERATION_PREFIX
from .book import Book
from .codec import load

DEFAULT_CODE = "injected-fault"
DEFAULT_STATUS = 503
LEGACY_PREFIX = LEGACY_OPERATION_PREFIX  # "jsonrpc:", as the journal and coverage name them
LEGACY_ALIASES = ("legacy:",)  # the 0.1 spelling, still read
MAX_LATENCY_MS = 120_000
FAULT_FIELDS = {
    "account": "the account sid whose requests it hits (default: every account)",
    "operation": "an operationId, or jsonrpc:<method> (default: every operation)",
    "status": "HTTP status to answer, 400-599 (default 503 unless only latency_ms or drop)",
    "code": f"error code of the body (default {DEFAULT_CODE})",
    "message": "error message of the body",
    "latency_ms": f"delay before the answer, 0-{MAX_LATENCY_MS} ms of real time",
    "drop": "close the connection without answering",
    "times": "how many matching requests it hits (default 1; null = until removed)",
    "probability": "chance, 0-1, that a matching request is hit (seeded; default 1)",
    "seed": "seed of the probability draws (default: derived, shown in the fault)",
    "after": "run the operation and commit it first, then replace its answer",
}


def normalise_operation(operation: str | None) -> str | None:
    """``jsonrpc:sms.send`` (the journal's spelling) and ``legacy:sms.send`` (0.1's) are one thing."""
    if operation is None:
        return None
    for alias in LEGACY_ALIASES:
        if operation.startswith(alias):
            return LEGACY_PREFIX + operation[len(alias) :]
    return operation


def _int(data: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"'{name}' must be an integer from {low} to {high}, not {value!r}")
    return value


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"'{name}' must be true or false, not {value!r}")
    return value


def _str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise InvalidInput(f"'{name}' must be a non-empty string, not {value!r}")
    return value


def check_fields(data: dict[str, Any], known: dict[str, str], what: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InvalidInput(
            f"unknown field(s) of a {what}: {', '.join(unknown)} (it takes: {', '.join(known)})",
            code="unknown-field",
        )


def target(
    data: dict[str, Any],
    *,
    account_exists: Callable[[str], bool],
    operation_known: Callable[[str], bool],
) -> tuple[str | None, str | None]:
    """The ``account`` and ``operation`` a fault or rate limit applies to, checked."""
    account = _str(data, "account")
    if account is not None and not account_exists(account):
        raise NotFound(f"no account {account!r}")
    operation = normalise_operation(_str(data, "operation"))
    if operation is not None and not operation_known(operation):
        raise InvalidInput(
            f"unknown operation {operation!r}: give an operationId of the spec "
            f"(e.g. sendSms) or {LEGACY_PREFIX}<method> (e.g. {LEGACY_PREFIX}sms.send)",
            code="unknown-operation",
        )
    return account, operation


@dataclass
class Fault:
    id: str
    account: str | None
    operation: str | None
    status: int | None
    code: str
    message: str | None
    latency_ms: int
    drop: bool
    times: int | None
    probability: float
    seed: int
    after: bool
    hits: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def spent(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def applies_to(self, account: str, operation: str) -> bool:
        return (self.account is None or self.account == account) and (
            self.operation is None or self.operation == operation
        )

    def error_message(self, method_path: str) -> str:
        if self.message:
            return self.message
        return f"fault {self.id} injected by callr-mock into {method_path}"

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "operation": self.operation,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "latency_ms": self.latency_ms,
            "drop": self.drop,
            "times": self.times,
            "probability": self.probability,
            "seed": self.seed,
            "after": self.after,
            "hits": self.hits,
            "active": not self.spent,
        }


class FaultBook(Book[Fault]):
    """The faults of one store, in the order they were added (the first match wins)."""

    noun = "fault"
    entry_type = Fault

    def __init__(self, seed: int | None = None) -> None:
        super().__init__()
        self._base_seed = seed or 0
        self._added: dict[str | None, int] = {}

    def add(
        self,
        data: dict[str, Any],
        *,
        account_exists: Callable[[str], bool],
        operation_known: Callable[[str], bool],
    ) -> Fault:
        check_fields(data, FAULT_FIELDS, "fault")
        account, operation = target(
            data, account_exists=account_exists, operation_known=operation_known
        )
        latency = _int(data, "latency_ms", 0, MAX_LATENCY_MS) or 0
        drop = _bool(data, "drop")
        after = _bool(data, "after")
        status = _int(data, "status", 400, 599)
        if status is None and not drop and not latency:
            status = DEFAULT_STATUS
        if "times" in data and data["times"] is None:
            times: int | None = None
        else:
            times = _int(data, "times", 1, 1_000_000_000) or 1
        probability = data.get("probability", 1)
        if (
            isinstance(probability, bool)
            or not isinstance(probability, int | float)
            or not 0 <= probability <= 1
        ):
            raise InvalidInput(f"'probability' must be a number from 0 to 1, not {probability!r}")
        seed = _int(data, "seed", 0, 2**63 - 1)
        if after and status is None and not drop:
            raise InvalidInput("'after' replaces the answer: give 'status' or 'drop' with it")
        with self._lock:
            # Default seed: the server's, and how many faults this account had before, so a
            # test's draws never depend on what other tests (other accounts) do.
            ordinal = self._added.get(account, 0) + 1
            self._added[account] = ordinal
            if seed is None:
                seed = self._base_seed * 1_000_003 + ordinal
            fault = Fault(
                id=self._next_id(),
                account=account,
                operation=operation,
                status=status,
                code=_str(data, "code") or DEFAULT_CODE,
                message=_str(data, "message"),
                latency_ms=latency,
                drop=drop,
                times=times,
                probability=float(probability),
                seed=seed,
                after=after,
                _random=random.Random(seed),
            )
            self._entries.append(fault)
            return fault

    def to_state(self) -> dict[str, Any]:
        state = super().to_state()
        with self._lock:
            # JSON keys are strings: the faults of every account are counted under ""
            return {**state, "added": [[a, n] for a, n in self._added.items()]}

    def load_state(self, data: dict[str, Any], where: str) -> None:
        super().load_state(data, where)
        added = load(list[tuple[str | None, int]], data["added"], f"{where}.added")
        with self._lock:
            self._added = dict(added)

    def _forget(self, account: str | None) -> None:
        if account is None:
            self._added.clear()
        else:
            self._added.pop(account, None)

    def match(self, account: str, operation: str) -> Fault | None:
        """The first live fault that hits this request (counted), if any."""
        with self._lock:
            for fault in self._entries:
                if fault.spent or not fault.applies_to(account, operation):
                    continue
                if fault.probability < 1 and fault._random.random() >= fault.probability:
                    continue
                fault.hits += 1
                return fault
        return None
