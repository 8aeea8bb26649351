"""Legacy methods with no REST v2 meaning: each answers a JSON-RPC error that says so and
what to use instead (``rosetta.SDK_ROWS`` of kind ``retired``, the one source of the
list and of the advice).

Callr's SDK READMEs and example programs call them (conference rooms, SENDR broadcasts,
REALTIME10 calls, text-to-speech, ...). A migrating client that still calls one gets, at
once and whatever its parameters, error ``-32010`` (REST 410 *Gone*, see ``core``) with
``data: {"code": "no-rest-v2-equivalent", "status": 410, "instead": <advice>}``.
"""

from __future__ import annotations

from typing import Any

from callr_mock.legacy.core import Ctx, LegacyMethod, Registry, RpcError, state_error_code
from callr_mock.rosetta import SDK_ROWS

GONE = 410
CODE = "no-rest-v2-equivalent"


class RetiredMethod(LegacyMethod):
    """A method that exists in the legacy API but has nothing to map to in REST v2."""

    @property
    def signature(self) -> str:
        return f"{self.name}(...)"

    def __call__(self, ctx: Ctx, raw: Any) -> Any:
        raise RpcError(
            state_error_code(GONE),
            f"{self.name} has no REST v2 equivalent, so the sandbox does not serve it: {self.doc}",
            data={"code": CODE, "status": GONE, "instead": self.doc},
        )


def _refuse(ctx: Ctx, *params: Any) -> Any:  # never called: RetiredMethod answers first
    raise AssertionError("retired method called")


METHODS = Registry()
for _row in SDK_ROWS:
    if _row.kind == "retired":
        METHODS[_row.legacy] = RetiredMethod(_row.legacy, (), _refuse, _row.note)
