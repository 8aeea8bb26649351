"""How each store-wide shared object (``Store.shared``) is written to a state file and read back.

A module that keeps an object in ``store.shared_resource(name, ...)`` registers its pair
here (``shared_state(name, dump, load)``); writing a state file refuses a shared object
with no pair, so a new one cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SharedDump = Callable[[Any], Any]
"""The object → JSON data."""
SharedLoad = Callable[[Any, Any, str], Any]
"""(the store, the data, where it is in the document) → the object."""

SHARED_STATE: dict[str, tuple[SharedDump, SharedLoad]] = {}


def shared_state(name: str, dump: SharedDump, load: SharedLoad) -> None:
    if name in SHARED_STATE:
        raise ValueError(f"shared object {name!r} registered twice")
    SHARED_STATE[name] = (dump, load)
