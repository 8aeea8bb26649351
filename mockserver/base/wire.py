"""Wire constants: each defined here once, used by every layer that needs it."""

from __future__ import annotations

API_PREFIX = "/v2.0"
"""Where the Callr REST API v2 is served (and where Callr serves it)."""
CONTROL_PREFIX = "/_mock"
"""The control API (spec/control.yaml): the sandbox's own, never Callr's."""
LEGACY_ENDPOINT_PATH = "/json-rpc/v1.1/"
"""Callr's legacy JSON-RPC endpoint (served until 2027-06-30)."""
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The operations an OpenAPI path item may hold, in the order of the OpenAPI document."""
JSON = "application/json"
