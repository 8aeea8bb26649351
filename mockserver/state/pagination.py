"""The shared search envelope ``{offset, total, hasMore, hits}`` and sorting."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


def sort_items(
    items: Iterable[T],
    *,
    key: Callable[[T], Any],
    order: str = "desc",
    tiebreak: Callable[[T], Any],
) -> list[T]:
    """Sort by ``key`` then ``tiebreak`` (creation sequence), so pages stay stable."""
    reverse = order == "desc"
    return sorted(items, key=lambda item: (key(item), tiebreak(item)), reverse=reverse)
