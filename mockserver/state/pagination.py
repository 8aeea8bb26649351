"""The shared search envelope ``{offset, total, hasMore, hits}``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def page(
    items: Sequence[T],
    *,
    offset: int = 0,
    limit: int = 10,
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    return envelope(len(items), items[offset : offset + limit], offset=offset, render=render)


def envelope(
    total: int, window: Sequence[T], *, offset: int, render: Callable[[T], dict[str, Any]]
) -> dict[str, Any]:
    """The envelope of one page (``window``) of ``total`` matches starting at ``offset``."""
    return {
        "offset": offset,
        "total": total,
        "hasMore": offset + len(window) < total,
        "hits": [render(item) for item in window],
    }
