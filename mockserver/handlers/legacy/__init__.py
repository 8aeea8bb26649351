"""The legacy JSON-RPC API (``POST /json-rpc/v1.1/``) on the same per-account state as REST v2.

Old clients (Callr's JSON-RPC SDKs) and new ones (REST v2) can run against the same
sandbox and see the same SMS, scenarios, numbers, tasks, audio files, recordings and
webhooks, through the documented migration mapping (``mapping.py``). One module per
legacy service holds its method registry (``METHODS``); :func:`methods` merges them.

The door is ``web/surfaces/legacy.py``; the service modules call the
state repositories and never re-implement their rules (mapped inputs are checked with the
REST contract's own validators, see ``core.Ctx.rest_input``).
"""

from __future__ import annotations

from functools import lru_cache

from . import (
    actions,
    apps,
    billing,
    cdr,
    did,
    jobs,
    lists,
    media,
    sendr,
    sessions,
    sms,
    store,
    system,
    voice,
    webhooks,
)
from .core import LegacyMethod

SERVICE_MODULES = (
    sms,
    apps,
    actions,
    did,
    store,
    jobs,
    cdr,
    billing,
    lists,
    media,
    webhooks,
    system,
    voice,
    sendr,
    sessions,
)
"""Every legacy service module; each holds its methods in ``METHODS`` (``core.Registry``)."""


@lru_cache(maxsize=1)
def methods() -> dict[str, LegacyMethod]:
    """Every legacy method by name (``{"sms.send": LegacyMethod, ...}``)."""
    merged: dict[str, LegacyMethod] = {}
    for module in SERVICE_MODULES:
        for method_name, method in module.METHODS.items():
            if method_name in merged:
                raise ValueError(f"legacy method {method_name} is defined twice")
            merged[method_name] = method
    return merged
