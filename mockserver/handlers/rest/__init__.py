"""Thin REST v2 handlers, one module per spec tag, marked by operationId.

A handler receives a :class:`Call` (validated parameters, the account, the store) and
returns a :class:`Reply` (``call.py``). Rules live in ``callr_mock.state``; handlers only
translate between the two. ``HANDLER_MODULES`` lists the modules; ``load_handlers()``
builds a fresh table for each app (``Runtime.handlers``) from their ``@handles`` marks.
"""

from __future__ import annotations

from . import (
    actions,
    audio_files,
    billing,
    calls,
    number_store,
    numbers,
    recordings,
    sms,
    system,
    tasks,
    webhooks,
)
from .call import HANDLER_MARKS, Call, Handler, Reply, handles

HANDLER_MODULES = (
    actions,
    audio_files,
    billing,
    calls,
    number_store,
    numbers,
    recordings,
    sms,
    system,
    tasks,
    webhooks,
)


def load_handlers() -> dict[str, Handler]:
    """A fresh table operationId → handler, from every module of ``HANDLER_MODULES``."""
    return HANDLER_MARKS.table(HANDLER_MODULES)


__all__ = ["HANDLER_MODULES", "Call", "Handler", "Reply", "handles", "load_handlers"]
