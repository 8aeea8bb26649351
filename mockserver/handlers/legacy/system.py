"""``system.get_timestamp``: the server time, the first call of many legacy examples
(sdk-nodejs README, "API return value management"; sdk-dotnet ``SystemService.cs``:
"the UNIX time from our servers", an integer). The sandbox clock's time, as ``GET /ping``
gives it."""

from __future__ import annotations

from .core import Ctx, Registry

METHODS = Registry()


@METHODS.method("system.get_timestamp")
def get_timestamp(ctx: Ctx) -> int:
    """Seconds since 1970-01-01T00:00:00Z on the sandbox clock (``GET /ping`` ``time``)."""
    return int(ctx.store.clock.now().timestamp())
