"""Sorted search indexes of a repository (``sortedcontainers``): search cost that stays flat.

A repository declares what its search filters and sorts on (``IndexSpec``); ``Repo[T]``
keeps an ``Index`` of its objects up to date on ``insert``, ``remove`` and ``reindex`` (the
last after an object changed in place, e.g. an SMS moving to ``delivered``). Objects added
or changed are filed when the next search needs them, not at once: writes and lifecycle
steps pay nothing for the indexes, and a search pays once for what changed since the last.

What is kept, per account and repository:

- one sorted list of ``(key, seq)`` per sort (``sorts``; the first is the *primary* sort,
  the one date ranges apply to): a page of an unfiltered search is a slice of it;
- per combination of the ``equal`` fields' values (``status``, ``direction``, ...), a
  sorted list of ``(primary key, seq)``: any mix of equality filters and a date range is a
  few of these lists, their ``total`` a few bisections, their page a merge of their ends;
- per ``prefix`` field, a sorted list of ``(value, seq)``: the numbers starting with
  ``+3361`` are one contiguous range (two bisections give the count);
- per ``contains`` field, the casefolded texts in blocks of 512, each block also joined
  into one string: a block without the substring is skipped by one C-speed scan, and the
  texts of a block with it are tested in C (``compress``/``map``), no Python loop.

A search starts from the smallest of these candidate sets, tests the other filters only
on those candidates (``examined`` counts them: tests check that a search uses the index),
and sorts only when the candidates are not already in the order asked for. Ties are
broken by the creation sequence, so pages are the ones a full sort would give.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import contains
from typing import Any, Generic, Protocol, TypeVar

from sortedcontainers import SortedList

_TOP = "\U0010ffff"  # sorts after every character a prefix can be followed by
_SEPARATOR = "\x00"
_SCAN_BELOW = 2000  # fewer candidates than this: test their text directly


class Indexed(Protocol):
    seq: int


T = TypeVar("T", bound=Indexed)


@dataclass(frozen=True)
class IndexSpec(Generic[T]):
    """What a repository's search filters and sorts on."""

    sorts: dict[str, Callable[[T], Any]]
    """Sort name → key; the first one is the primary sort (date ranges apply to it)."""
    equal: dict[str, Callable[[T], Hashable]] = field(default_factory=dict)
    prefix: dict[str, Callable[[T], str]] = field(default_factory=dict)
    contains: dict[str, Callable[[T], str]] = field(default_factory=dict)

    @property
    def primary(self) -> str:
        return next(iter(self.sorts))


@dataclass
class _Keys:
    sorts: tuple[Any, ...]
    equal: tuple[Hashable, ...]
    prefix: tuple[str, ...]
    contains: tuple[str, ...]


class _TextBlocks:
    """Casefolded texts in blocks of ``SIZE``, each joined into one string on demand."""

    SIZE = 512

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.block_of: dict[int, _Block] = {}

    def add(self, seq: int, text: str) -> None:
        if not self.blocks or len(self.blocks[-1].seqs) >= self.SIZE:
            self.blocks.append(_Block())
        block = self.blocks[-1]
        block.seqs.append(seq)
        block.texts.append(text)
        block.joined = None
        self.block_of[seq] = block

    def remove(self, seq: int) -> None:
        block = self.block_of.pop(seq)
        position = block.seqs.index(seq)
        del block.seqs[position], block.texts[position]
        block.joined = None

    def matching(self, needle: str) -> list[int]:
        """The seqs whose text contains ``needle`` (already casefolded, no separator), in
        the blocks' order.

        Per block: one C-speed scan of the joined texts skips a block without it; in a
        block with it, ``compress`` keeps the seqs whose text contains it, tested by
        ``map(contains, ...)``: all in C, ~40 ns a text, whatever the number of matches
        (finding each occurrence and mapping it back to its text cost ~0.4 µs a match:
        19 ms for a word in most of 100,000 texts)."""
        found: list[int] = []
        for block in self.blocks:
            if needle in block.view():
                found += compress(block.seqs, map(contains, block.texts, repeat(needle)))
        return found


@dataclass
class _Block:
    seqs: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    joined: str | None = None

    def view(self) -> str:
        """The texts joined by a separator (kept until the block changes). The texts are
        then made again from it (unless one holds the separator), so that they lie side by
        side in memory: testing each one is cheaper than among their objects."""
        if self.joined is None:
            joined = self.joined = _SEPARATOR.join(self.texts)
            if self.texts and joined.count(_SEPARATOR) == len(self.texts) - 1:
                self.texts = joined.split(_SEPARATOR)
        return self.joined


@dataclass
class _Source:
    """Candidates: ``lo:hi`` slices of sorted lists of ``(key, seq)`` (several when a mix of
    equality filters spans several value combinations), or a plain set of seqs."""

    slices: list[tuple[Any, int, int]]
    ordered_by: str | None  # the sort their order is, or None
    satisfies: frozenset[str]  # the filters every candidate already passes
    seqs: Collection[int] | None = None

    @property
    def count(self) -> int:
        if self.seqs is not None:
            return len(self.seqs)
        return sum(hi - lo for _, lo, hi in self.slices)

    def __iter__(self) -> Iterator[int]:
        if self.seqs is not None:
            return iter(self.seqs)
        return (seq for lst, lo, hi in self.slices for _, seq in lst.islice(lo, hi))


class Index(Generic[T]):
    def __init__(self, spec: IndexSpec[T]) -> None:
        self.spec = spec
        self.objects: dict[int, T] = {}  # seq → object
        self._keys: dict[int, _Keys] = {}  # seq → the keys it is filed under
        self._seqs: dict[int, int] = {}  # id(object) → its seq when filed (seq may change)
        self._sorted = {name: SortedList() for name in spec.sorts}
        self._groups: dict[tuple[Hashable, ...], Any] = {}
        self._prefix = {name: SortedList() for name in spec.prefix}
        self._texts = {name: _TextBlocks() for name in spec.contains}
        self.examined = 0
        """Objects whose filters a search tested one by one (a test's view of the cost)."""
        self._chronological = True
        """Whether seq order is primary-key order (objects filed in that order, none moved):
        then candidates sort by seq alone, without a key function."""
        self._last: tuple[Any, int] | None = None
        self._pending: dict[int, T] = {}
        """Objects added or changed since the last search, by ``id``: filed (their keys
        read) when a search needs them, so an SMS whose four lifecycle steps pass between
        two searches is re-filed once, and a sandbox that is never searched files nothing."""

    def __len__(self) -> int:
        self._flush()
        return len(self.objects)

    # -- upkeep -----------------------------------------------------------------------
    def _read(self, obj: T) -> _Keys:
        spec = self.spec
        return _Keys(
            tuple(key(obj) for key in spec.sorts.values()),
            tuple(key(obj) for key in spec.equal.values()),
            tuple(key(obj) for key in spec.prefix.values()),
            tuple(key(obj).casefold() for key in spec.contains.values()),
        )

    def add(self, obj: T) -> None:
        """File ``obj``, or re-read its keys when it is filed already (``update``), before
        the next search."""
        self._pending[id(obj)] = obj

    update = add

    def _flush(self) -> None:
        while self._pending:
            pending, self._pending = self._pending, {}
            for obj in pending.values():
                self._file(obj)

    def _file(self, obj: T) -> None:
        filed = self._seqs.get(id(obj))
        if filed is not None and filed != obj.seq:
            self.discard(obj)
            filed = None
        new = self._read(obj)
        seq = obj.seq
        old = self._keys.get(seq) if filed is not None else None
        self.objects[seq] = obj
        self._keys[seq] = new
        self._seqs[id(obj)] = seq
        if old is not None and old.sorts[0] != new.sorts[0]:
            self._chronological = False
        elif old is None:
            if self._last is not None and (new.sorts[0], seq) < self._last:
                self._chronological = False
            self._last = max(self._last or (new.sorts[0], seq), (new.sorts[0], seq))
        for position, lst in enumerate(self._sorted.values()):
            if old is None or old.sorts[position] != new.sorts[position]:
                if old is not None:
                    lst.remove((old.sorts[position], seq))
                lst.add((new.sorts[position], seq))
        if old is None or old.equal != new.equal or old.sorts[0] != new.sorts[0]:
            if old is not None:
                self._ungroup(old, seq)
            group = self._groups.get(new.equal)
            if group is None:
                group = self._groups[new.equal] = SortedList()
            group.add((new.sorts[0], seq))
        for position, lst in enumerate(self._prefix.values()):
            if old is None or old.prefix[position] != new.prefix[position]:
                if old is not None:
                    lst.remove((old.prefix[position], seq))
                lst.add((new.prefix[position], seq))
        for position, blocks in enumerate(self._texts.values()):
            if old is None or old.contains[position] != new.contains[position]:
                if old is not None:
                    blocks.remove(seq)
                blocks.add(seq, new.contains[position])

    def discard(self, obj: T) -> None:
        self._pending.pop(id(obj), None)
        seq = self._seqs.pop(id(obj), None)
        if seq is None:
            return
        keys = self._keys.pop(seq)
        del self.objects[seq]
        for lst, key in zip(self._sorted.values(), keys.sorts, strict=True):
            lst.remove((key, seq))
        self._ungroup(keys, seq)
        for lst, value in zip(self._prefix.values(), keys.prefix, strict=True):
            lst.remove((value, seq))
        for blocks in self._texts.values():
            blocks.remove(seq)

    def _ungroup(self, keys: _Keys, seq: int) -> None:
        group = self._groups[keys.equal]
        group.remove((keys.sorts[0], seq))
        if not group:
            del self._groups[keys.equal]

    # -- search -----------------------------------------------------------------------
    def search(
        self,
        where: dict[str, Any],
        *,
        since: Any = None,
        until: Any = None,
        sort: str | None = None,
        order: str = "desc",
        offset: int = 0,
        limit: int = 10,
        within: Iterable[T] | None = None,
    ) -> tuple[int, list[T]]:
        """``(total, page)`` of the objects matching every filter of ``where`` (field →
        wanted value; ``None`` or ``""`` is no filter) and ``since <= primary key <=
        until``, sorted by ``sort`` (default: the primary sort) then creation sequence.
        ``within`` limits the search to the given objects (e.g. the one with a given sid)."""
        self._flush()
        spec = self.spec
        sort = sort or spec.primary
        active = {name: value for name, value in where.items() if value is not None and value != ""}
        unknown = set(active) - set(spec.equal) - set(spec.prefix) - set(spec.contains)
        if unknown:
            raise KeyError(f"not an indexed filter: {', '.join(sorted(unknown))}")
        ranged = since is not None or until is not None
        if within is not None:
            chosen = {obj.seq for obj in within if self.objects.get(obj.seq) is obj}
            sources = [_Source([], None, frozenset(), seqs=chosen)]
        else:
            sources = [self._everything(sort if not ranged else spec.primary, since, until)]
            sources += self._indexed_sources(active, since, until)
        driver = min(sources, key=lambda source: source.count)
        texts = [name for name in active if name in spec.contains and name not in driver.satisfies]
        if texts and driver.count >= _SCAN_BELOW:
            for name in texts:  # C-speed substring scan beats testing many candidates
                needle = str(active[name]).casefold()
                if _SEPARATOR in needle:
                    continue  # could match across two texts: tested one by one instead
                found = self._texts[name].matching(needle)
                if len(found) < driver.count:
                    driver = _Source([], None, frozenset({name}), seqs=found)
                    break
        in_order = driver.ordered_by == sort
        tests = self._tests(active, since, until, done=driver.satisfies)
        if not tests and in_order and driver.seqs is None:
            return driver.count, self._page(driver, offset, limit, order)
        candidates = list(driver)
        if tests:
            self.examined += len(candidates)
            for test in tests:
                candidates = [seq for seq in candidates if test(seq)]
        if sort == spec.primary and self._chronological:
            candidates.sort()
        elif not in_order or len(driver.slices) > 1:
            position = list(spec.sorts).index(sort)
            keys = self._keys
            candidates.sort(key=lambda seq: (keys[seq].sorts[position], seq))
        start, stop, reverse = _window(len(candidates), offset, limit, order)
        window = candidates[start:stop]
        if reverse:
            window.reverse()
        return len(candidates), [self.objects[seq] for seq in window]

    def _everything(self, sort: str, since: Any, until: Any) -> _Source:
        lst = self._sorted[sort]
        lo, hi = _bounds(lst, since, until)
        return _Source([(lst, lo, hi)], sort, frozenset({"range"}))

    def _indexed_sources(self, active: dict[str, Any], since: Any, until: Any) -> list[_Source]:
        spec = self.spec
        sources = []
        wanted = [(i, active[name]) for i, name in enumerate(spec.equal) if name in active]
        if wanted:
            slices = []
            for values, lst in self._groups.items():
                if all(values[i] == value for i, value in wanted):
                    lo, hi = _bounds(lst, since, until)
                    if hi > lo:
                        slices.append((lst, lo, hi))
            names = frozenset(name for name in spec.equal if name in active) | {"range"}
            sources.append(_Source(slices, spec.primary, names))
        for name in spec.prefix:
            if name in active:
                lst = self._prefix[name]
                value = str(active[name])
                lo, hi = lst.bisect_left((value,)), lst.bisect_left((value + _TOP,))
                sources.append(_Source([(lst, lo, hi)], None, frozenset({name})))
        return sources

    def _page(self, source: _Source, offset: int, limit: int, order: str) -> list[T]:
        """One page of candidates already in the order asked for (merging several lists)."""
        reverse = order == "desc"
        if len(source.slices) == 1:
            lst, lo, hi = source.slices[0]
            start, stop, backwards = _window(hi - lo, offset, limit, order)
            entries: Iterable[Any] = lst.islice(lo + start, lo + stop, reverse=backwards)
        else:
            runs = [lst.islice(lo, hi, reverse=reverse) for lst, lo, hi in source.slices]
            stop = min(offset + limit, source.count)  # islice refuses > sys.maxsize
            entries = itertools.islice(heapq.merge(*runs, reverse=reverse), min(offset, stop), stop)
        return [self.objects[seq] for _, seq in entries]

    def _tests(
        self, active: dict[str, Any], since: Any, until: Any, *, done: frozenset[str]
    ) -> list[Callable[[int], bool]]:
        spec, keys = self.spec, self._keys
        tests: list[Callable[[int], bool]] = []
        for name, value in active.items():
            if name in done:
                continue
            if name in spec.equal:
                tests.append(_equal_test(keys, list(spec.equal).index(name), value))
            elif name in spec.prefix:
                tests.append(_prefix_test(keys, list(spec.prefix).index(name), str(value)))
            else:
                position = list(spec.contains).index(name)
                tests.append(_contains_test(keys, position, str(value).casefold()))
        if "range" not in done and (since is not None or until is not None):
            tests.append(_range_test(keys, since, until))
        return tests


def _equal_test(keys: dict[int, _Keys], position: int, value: Any) -> Callable[[int], bool]:
    return lambda seq: keys[seq].equal[position] == value


def _prefix_test(keys: dict[int, _Keys], position: int, prefix: str) -> Callable[[int], bool]:
    return lambda seq: keys[seq].prefix[position].startswith(prefix)


def _contains_test(keys: dict[int, _Keys], position: int, needle: str) -> Callable[[int], bool]:
    return lambda seq: needle in keys[seq].contains[position]


def _range_test(keys: dict[int, _Keys], since: Any, until: Any) -> Callable[[int], bool]:
    return lambda seq: (
        (since is None or keys[seq].sorts[0] >= since)
        and (until is None or keys[seq].sorts[0] <= until)
    )


def _bounds(lst: Any, since: Any, until: Any) -> tuple[int, int]:
    """Positions of the ``(key, seq)`` entries with ``since <= key <= until``."""
    lo = 0 if since is None else lst.bisect_left((since,))
    hi = len(lst) if until is None else lst.bisect_right((until, float("inf")))
    return lo, max(lo, hi)


def _window(total: int, offset: int, limit: int, order: str) -> tuple[int, int, bool]:
    """Ascending positions ``start:stop`` of the page, and whether to read them backwards."""
    if order == "desc":
        stop = max(0, total - offset)
        return max(0, stop - limit), stop, True
    return min(offset, total), min(offset + limit, total), False
