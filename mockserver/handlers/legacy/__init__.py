"""The legacy JSON-RPC API (``POST /json-rpc/v1.1/``) on the same per-account state as REST v2.

Old clients (Callr's JSON-RPC SDKs) and new ones (REST v2) can run against the same
sandbox and see the same SMS, scenarios, numbers, tasks, audio files, recordings and
webhooks, through the documented migration mapping (``mapping.py``). One module per
legacy service holds its method registry (``METHODS``); :func:`methods` merges them.

Layers: ``endpoint.py`` is the only module importing Flask; the service modules call the
state repositories and never re-implement their rules (mapped inputs are checked with the
REST contract's own validators, see ``core.Ctx.rest_input``).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import LegacyMethod

SERVICE_MODULES = (
    "sms",
    "apps",
    "actions",
    "did",
    "store",
    "jobs",
    "cdr",
    "billing",
    "lists",
    "media",
    "webhooks",
    "system",
    "voice",
    "sendr",
    "sessions",
)
ENDPOINT_PATH = "/json-rpc/v1.1/"


@lru_cache(maxsize=1)
def methods() -> dict[str, LegacyMethod]:
    """Every legacy method by name (``{"sms.send": LegacyMethod, ...}``)."""
    merged: dict[str, LegacyMethod] = {}
    for name in SERVICE_MODULES:
        module = importlib.import_module(f"callr_mock.handlers.legacy.{name}")
        for method_name, method in module.METHODS.items():
            if method_name in merged:
                raise ValueError(f"legacy method {method_name} is defined twice")
            merged[method_name] = method
    return merged
