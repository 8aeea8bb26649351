"""The generic repository: one resource's objects for one account.

``Repo[T]`` holds what every repository does the same way: the objects by key
(``items``), ``get`` with a 404 naming the resource, ``insert``/``remove``, sid allocation,
creation order (``seq``, per store) and ``snapshot``. A subclass declares what it is
(``seed_schema``: the spec schema its seed objects are checked against; ``not_found``:
the 404 message) and adds its rules. Always used under the store lock.

Which repositories an account has is declared once, by the typed attributes of
``AccountState`` (``state/store.py``). A repository does not import that class: it gets its
account as an ``Owner`` (the few things every repository uses: sid, credit, events, the
store's clock, scheduler and ids), and a repository that uses other repositories of the
account names them in a protocol of its own (``calls.CallOwner``, ...), so the arrows run
from the store down to the repositories and never back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from ..base.errors import NotFound
from .billing import Credit
from .clock import SandboxClock
from .events import Event
from .ids import IdGenerator
from .index import Index, IndexSpec
from .pagination import envelope
from .scheduler import Scheduler


class Sandbox(Protocol):
    """What a repository uses of the store (``store.Store`` is one)."""

    clock: SandboxClock
    scheduler: Scheduler
    ids: IdGenerator
    completions: dict[str, Any]
    """What finishing a task of each kind does (``store.COMPLETIONS``)."""
    triggers: list[Any]
    """Told when a scenario run is asked for (``runs.Trigger``)."""
    script_check: Any
    """Checks a scenario script against the Actions script schema, or None."""

    def next_seq(self) -> int: ...


class Owner(Protocol):
    """What every repository uses of its account (``store.AccountState`` is one)."""

    sid: str
    credit: Credit

    @property
    def store(self) -> Sandbox: ...

    def emit(
        self, event_type: str, payload: dict[str, Any], *, at: datetime | None = None
    ) -> Event: ...


class Record(Protocol):
    """What a repository holds: an object that renders itself as the API returns it."""

    seq: int

    def to_api(self) -> Any: ...


T = TypeVar("T", bound=Record)


class Repo(Generic[T]):
    """State of one resource for one account."""

    seed_schema: ClassVar[str]
    """``components.schemas`` name a seed object of this repository must match."""
    not_found: ClassVar[str] = "no object with sid {key!r} on this account"
    """The 404 message of ``get``; ``{key}`` is the key asked for."""
    key_attr: ClassVar[str] = "sid"
    """The attribute of an object that is its key in ``items``."""
    index_spec: ClassVar[IndexSpec[Any] | None] = None
    """What the search filters and sorts on: kept in sorted indexes (``index.py``)."""
    private_fields: ClassVar[tuple[str, ...]] = ()
    """Fields of an object that its API shape (``render``, ``load``) does not carry: a state
    file writes them beside it (``state_document.py``)."""
    private_attrs: ClassVar[tuple[str, ...]] = ()
    """Attributes of the repository beyond ``items`` that are state (typed at class level,
    e.g. ``deliveries: list[Delivery]``): a state file writes them too."""

    def __init__(self, account: Owner) -> None:
        self.account = account
        self.items: dict[str, T] = {}
        self._index: Index[T] | None = None
        self._bulk = False

    @property
    def index(self) -> Index[T] | None:
        """The sorted indexes (``index_spec``), built on first use: a test account that
        never stores an object of this kind never pays for them."""
        if self._index is None and self.index_spec is not None and not self._bulk:
            index: Index[T] = Index(self.index_spec)
            for obj in self.items.values():
                index.add(obj)
            self._index = index
        return self._index

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Insert and replace many objects with no index kept meanwhile; it is built once,
        from every object, on its next use (restoring a state file)."""
        self._bulk, self._index = True, None
        try:
            yield
        finally:
            self._bulk = False

    @property
    def store(self) -> Sandbox:
        return self.account.store

    # -- reading ----------------------------------------------------------------------
    def key(self, obj: T) -> str:
        return str(getattr(obj, self.key_attr))

    def find(self, key: str) -> T | None:
        return self.items.get(key)

    def get(self, key: str) -> T:
        """The object, or a 404 ``NotFound`` naming the resource."""
        obj = self.items.get(key)
        if obj is None:
            raise NotFound(self.not_found.format(key=key))
        return obj

    def ordered(self) -> list[T]:
        """Every object, oldest first."""
        return sorted(self.items.values(), key=lambda obj: obj.seq)

    # -- changes ----------------------------------------------------------------------
    def new_sid(self) -> str:
        """A fresh sid, never issued before and not a key of this repository."""
        return self.store.ids.sid(taken=self.items.__contains__)

    def insert(self, obj: T, *, seq: int | None = None) -> T:
        """Store ``obj`` (replacing any object with its key), last in creation order
        unless ``seq`` keeps the place of an object it replaces."""
        obj.seq = self.store.next_seq() if seq is None else seq
        key = self.key(obj)
        if self.index is not None and key in self.items:
            self.index.discard(self.items[key])
        self.items[key] = obj
        if self.index is not None:
            self.index.add(obj)
        return obj

    def remove(self, key: str) -> T:
        """Take the object out (404 when there is none)."""
        obj = self.get(key)
        del self.items[key]
        if self.index is not None:
            self.index.discard(obj)
        return obj

    def reindex(self, obj: T) -> None:
        """After ``obj`` changed in place: its search keys are read again."""
        if self.index is not None:
            self.index.update(obj)

    def search_page(
        self, where: dict[str, Any], *, offset: int = 0, limit: int = 10, **options: Any
    ) -> dict[str, Any]:
        """One page of an indexed search (``Index.search``) in the API's envelope."""
        if self.index is None:
            raise TypeError(f"{type(self).__name__} declares no index_spec")
        total, window = self.index.search(where, offset=offset, limit=limit, **options)
        return envelope(total, window, offset=offset, render=self.render)

    # -- snapshot / seed --------------------------------------------------------------
    def render(self, obj: T) -> Any:
        return obj.to_api()

    def snapshot(self) -> list[Any]:
        """Every object, as the API returns it, oldest first."""
        return [self.render(obj) for obj in self.ordered()]

    def load(self, obj: dict[str, Any]) -> T:
        """Insert one object given as the API returns it (seed data); returns it."""
        raise NotImplementedError(f"{type(self).__name__} cannot be seeded yet")
