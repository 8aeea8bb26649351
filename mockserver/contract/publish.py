"""The spec in use, as the sandbox publishes it: ``/v2.0/openapi.json`` and ``.yaml``.

What is served is the loaded document (ours, or the user's ``--spec``) with the sandbox's
own URL first in ``servers``, so a tool pointed at the sandbox (OpenAPI Generator,
Postman, Swagger UI) sends its requests to the sandbox. The YAML has no anchors or aliases
(some parsers refuse them); JSON has none by nature. Rendered once per base URL.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

import yaml

SANDBOX_SERVER_DESCRIPTION = "callr-mock sandbox (this server)"


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def published_document(document: dict[str, Any], api_url: str) -> dict[str, Any]:
    """A copy of ``document`` whose first server is ``api_url`` (the others follow)."""
    published = copy.deepcopy(document)
    others = [s for s in published.get("servers") or [] if s.get("url") != api_url]
    published["servers"] = [
        {"url": api_url, "description": SANDBOX_SERVER_DESCRIPTION},
        *others,
    ]
    return published


def render(document: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2)
    return yaml.dump(
        document,
        Dumper=_NoAliasDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


class Publication:
    """The rendered spec of one document, per base URL and format (a handful at most)."""

    MAX_ENTRIES = 16

    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        self._cache: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def text(self, api_url: str, fmt: str) -> str:
        key = (api_url, fmt)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            cached = render(published_document(self._document, api_url), fmt)
            with self._lock:
                if len(self._cache) >= self.MAX_ENTRIES:
                    self._cache.clear()
                self._cache[key] = cached
        return cached
