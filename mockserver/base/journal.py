"""The request journal and the log of contract violations (thread-safe, bounded).

``Journal.record`` is the one writer: the REST pipeline, the legacy endpoint and the
control API's own violations (through ``pipeline.record_exchange``) and webhook delivery
record an exchange together with the violations it committed.

Each entry also keeps its request and response (``Message``: headers, content type and
body) for ``GET /_mock/journal/{seq}``; ``list_entries`` leaves them out. Bounds:

- count: the last ``limit`` entries (``Settings.journal_limit``, 10 000 by default);
- size: each body is kept up to ``BODY_LIMIT`` (16 KiB), the rest only counted
  (shown cut, with ``…[truncated N bytes]``);
- memory: the kept bodies and headers of all entries together weigh at most
  ``BODY_BUDGET`` (32 MiB); past it the oldest entries lose theirs (shown ``dropped``) but
  stay listed. So 10 000 entries with 1 MiB bodies hold ~32 MiB of bodies, not 20 GiB.

Recording keeps references to bytes the request and the answer already have; decoding,
pretty-printing and redaction happen when an entry is read (``redaction.py``), before
anything leaves the process. Shown: JSON as its value, other UTF-8 as text (a cut body
ends with ``…[truncated N bytes]``), other bytes as ``N bytes binary``.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from itertools import chain
from typing import Any

from . import redaction

BODY_LIMIT = 16 * 1024
"""Bytes kept of each request and response body (the rest is counted, not kept)."""

BODY_BUDGET = 32 * 1024 * 1024
"""Bytes of bodies and headers kept across the whole journal (see the module doc)."""

# The journal's ``operation`` of a legacy JSON-RPC call: this prefix and the method name.
LEGACY_OPERATION_PREFIX = "jsonrpc:"


@dataclass(slots=True)
class Message:
    """What the journal keeps of a request or an answer; ``redaction`` shows it."""

    headers: list[tuple[str, str]]  # as sent; WSGI environ keys (HTTP_X_API_KEY) are fine
    content_type: str | None
    data: bytes | None  # at most BODY_LIMIT bytes; None once dropped for the memory budget
    size: int  # of the whole body

    @classmethod
    def of(
        cls, headers: list[tuple[str, str]], content_type: str | None, data: bytes, size: int = -1
    ) -> Message:
        """``data`` cut at ``BODY_LIMIT`` (``size``: of a body not read whole)."""
        kept = data[:BODY_LIMIT] if len(data) > BODY_LIMIT else data
        return cls(headers, content_type, kept, max(size, len(data)))

    def weight(self) -> int:
        return len(self.data or b"") + sum(map(len, chain.from_iterable(self.headers)))

    def drop(self) -> None:
        self.headers = []
        self.data = None

    def copy(self) -> Message:
        return Message(list(self.headers), self.content_type, self.data, self.size)

    def view(self) -> dict[str, Any]:
        shown = body_view(self.data, self.size, self.content_type)
        return {"headers": redaction.headers(self.headers), **shown}


@dataclass(kw_only=True)
class JournalEntry:
    seq: int = 0  # given by the journal when the entry is recorded
    time: str | None
    method: str
    path: str
    query: str
    status: int | None  # None: no answer (an injected fault dropped the connection)
    account: str | None
    operation: str | None
    duration_ms: float
    violations: list[str] = field(default_factory=list)
    injected: dict[str, Any] | None = None  # the fault or rate limit that made this answer
    # a refused request (4xx/5xx): the Callr error body it got (code, message: the rule broken)
    error: dict[str, Any] | None = None
    request: Message | None = field(default=None, repr=False)  # GET /_mock/journal/{seq}
    response: Message | None = field(default=None, repr=False)
    weight: int = field(default=0, repr=False)

    def summary(self) -> dict[str, Any]:
        """The entry as ``GET /_mock/journal`` lists it (no headers, no bodies)."""
        summary = {name: getattr(self, name) for name in SUMMARY_FIELDS}
        summary["violations"] = list(self.violations)
        summary["query"] = redaction.redact_query(self.query)
        if "?" in self.path:  # a webhook attempt's target URL
            base, _, query = self.path.partition("?")
            summary["path"] = base + "?" + redaction.redact_query(query)
        return summary

    def detail(self) -> dict[str, Any]:
        """The summary, the request and the answer (shown by ``redaction``)."""
        return {
            **self.summary(),
            "request": self.request.view() if self.request else None,
            "response": self.response.view() if self.response else None,
        }


SUMMARY_FIELDS = (
    "seq",
    "time",
    "method",
    "path",
    "query",
    "status",
    "account",
    "operation",
    "duration_ms",
    "violations",
    "injected",
    "error",
)


@dataclass(kw_only=True)
class Violation:
    seq: int = 0  # given by the journal when the violation is recorded
    request_seq: int | None = None
    account: str | None
    operation: str | None
    method: str
    path: str
    status: int | None
    message: str


class Journal:
    def __init__(self, limit: int = 10_000, body_budget: int = BODY_BUDGET) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.entries: deque[JournalEntry] = deque(maxlen=limit)
        self.violations: deque[Violation] = deque(maxlen=limit)
        self.body_budget = body_budget
        self._kept: deque[JournalEntry] = deque()  # entries holding messages, oldest first
        self._kept_bytes = 0

    def record(self, entry: JournalEntry, violations: list[Violation] | None = None) -> None:
        """Append an entry and the violations it committed, numbered as they land.

        Numbers are given here, under the lock, never before the work is done: an entry
        numbered at the start of a slow request would land behind later ones, and a
        reader's ``since`` cursor would skip it.
        """
        entry.weight = sum(m.weight() for m in (entry.request, entry.response) if m is not None)
        with self._lock:
            entry.seq = next(self._seq)
            full = len(self.entries) == self.entries.maxlen
            if full and self._kept and self._kept[0] is self.entries[0]:  # evicted next
                self._release(self._kept.popleft())
            self.entries.append(entry)
            if entry.weight:
                self._kept.append(entry)
                self._kept_bytes += entry.weight
                while self._kept_bytes > self.body_budget:
                    self._release(self._kept.popleft(), drop=True)
            for violation in violations or []:
                violation.seq = next(self._seq)
                violation.request_seq = entry.seq
                self.violations.append(violation)

    def _release(self, entry: JournalEntry, *, drop: bool = False) -> None:
        self._kept_bytes -= entry.weight
        entry.weight = 0
        for message in (entry.request, entry.response):
            if drop and message is not None:
                message.drop()

    def list_entries(self, account: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [
                e.summary()
                for e in self.entries
                if e.seq > since and (account is None or e.account == account)
            ]

    def entry(self, seq: int) -> dict[str, Any] | None:
        """One entry with its request and answer (redacted), or None if it is not kept."""
        with self._lock:
            found = next((e for e in reversed(self.entries) if e.seq <= seq), None)
            if found is None or found.seq != seq:
                return None
            found = replace(
                found,
                request=found.request.copy() if found.request else None,
                response=found.response.copy() if found.response else None,
            )
        return found.detail()  # redaction and decoding: outside the lock

    def kept_bytes(self) -> int:
        with self._lock:
            return self._kept_bytes

    def list_violations(self, account: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [
                asdict(v)
                for v in self.violations
                if v.seq > since and (account is None or v.account == account)
            ]

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.violations.clear()
            self._kept.clear()
            self._kept_bytes = 0


def _as_text(data: bytes, cut: int) -> str | None:
    """The body as text, or None when it is binary (a cut may split the last character)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if not cut or error.start < len(data) - 3:
            return None
        text = data[: error.start].decode("utf-8")
    if "\x00" in text:
        return None
    return text


def body_view(data: bytes | None, size: int, content_type: str | None) -> dict[str, Any]:
    """``{kind, content_type, size, truncated_bytes, body}`` of one kept body.

    ``kind``: ``empty``; ``json`` (``body`` is the redacted value); ``text`` (``body`` is
    the redacted text, ending with the truncation marker when cut); ``binary`` (``body``
    says ``N bytes binary``); ``dropped`` (the journal's memory budget let it go).
    """
    if size == 0:
        return _view("empty", content_type, 0, 0, None)
    if data is None:
        why = f"{size} bytes, dropped: past its memory budget the journal keeps recent bodies only"
        return _view("dropped", content_type, size, 0, why)
    cut = size - len(data)
    text = _as_text(data, cut)
    if text is None:
        return _view("binary", content_type, size, cut, f"{size} bytes binary")
    if not cut and text.lstrip()[:1] in ("{", "["):
        try:
            return _view("json", content_type, size, 0, redaction.redact_json(json.loads(text)))
        except ValueError:
            pass
    shown = redaction.redact_text(text) + (f"…[truncated {cut} bytes]" if cut else "")
    return _view("text", content_type, size, cut, shown)


def _view(kind: str, content_type: str | None, size: int, cut: int, shown: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "content_type": content_type,
        "size": size,
        "truncated_bytes": cut,
        "body": shown,
    }
