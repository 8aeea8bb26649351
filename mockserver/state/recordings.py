"""Call recordings.

The sandbox makes no real calls, so recordings are created by the control API
(``POST /_mock/accounts/<sid>/recordings``), as if a call had been recorded. A new
recording is ``processing`` and becomes ``ready`` 1 s later on the sandbox clock (or is
created ``ready`` / ``error`` at once when asked). Its audio is a silent WAV of the
recording's duration, served by the mock at ``<base url>/_mock/media/<sid>``.

Creation, each status change and each read/unread change fire ``v2.recording.updated``.
Bulk deletion runs as a ``recordings-delete`` task: the recordings matching the filters
when the request is made are deleted when the task completes (``result.deleted``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..base.errors import InvalidInput
from .index import IndexSpec
from .pagination import envelope
from .repo import Owner, Repo
from .scheduler import Job, account_job
from .tasks import TaskRepo, completion
from .timefmt import iso, parse

RECORDING_STATUSES = ("processing", "ready", "error")
READY_AFTER = timedelta(seconds=1)
MEDIA_RATE = 8000  # mono, 8-bit PCM: 8000 bytes per second
MEDIA_HEADER = 44
MEDIA_TYPE = "audio/wav"
MAX_DURATION = 4 * 3600
DEFAULT_BASE_URL = "http://127.0.0.1:4010"
DEFAULT_NUMBER = "+33199001234"
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")


def media_path(sid: str) -> str:
    return f"/_mock/media/{sid}"


def media_size(duration: int) -> int:
    return MEDIA_HEADER + duration * MEDIA_RATE


def media_chunks(duration: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """The WAV bytes of a silent recording, streamed (a long one is megabytes)."""
    data_size = duration * MEDIA_RATE
    yield (
        b"RIFF"
        + (36 + data_size).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")  # PCM
        + (1).to_bytes(2, "little")  # mono
        + MEDIA_RATE.to_bytes(4, "little")
        + MEDIA_RATE.to_bytes(4, "little")  # byte rate
        + (1).to_bytes(2, "little")  # block align
        + (8).to_bytes(2, "little")  # bits per sample
        + b"data"
        + data_size.to_bytes(4, "little")
    )
    remaining = data_size
    while remaining > 0:
        size = min(chunk, remaining)
        yield b"\x80" * size
        remaining -= size


@dataclass
class Recording:
    sid: str
    callid: int
    number: str
    caller_number: str
    duration: int
    created: datetime
    url: str
    status: str = "processing"
    read: bool = False
    read_at: datetime | None = None
    size: int = 0
    mime_type: str = MEDIA_TYPE
    seq: int = 0

    def to_api(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "callid": self.callid,
            "number": self.number,
            "callerNumber": self.caller_number,
            "duration": self.duration,
            "read": self.read,
            "readAt": iso(self.read_at),
            "status": self.status,
            "url": self.url,
            "size": self.size,
            "mimeType": self.mime_type,
            "created": iso(self.created),
        }


def _int(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"'{name}' must be an integer from {low} to {high}, not {value!r}")
    return value


class RecordingOwner(Owner, Protocol):
    tasks: TaskRepo


class RecordingRepo(Repo[Recording]):
    account: RecordingOwner

    seed_schema = "Recording"
    not_found = "no recording with sid {key!r} on this account"
    index_spec = IndexSpec(
        sorts={"created": lambda r: r.created},
        equal={"read": lambda r: r.read},
    )

    def _emit(self, recording: Recording, at: datetime) -> None:
        self.account.emit("v2.recording.updated", recording.to_api(), at=at)

    def create(
        self,
        *,
        duration: int = 10,
        number: str | None = None,
        caller_number: str = "",
        callid: int | None = None,
        status: str = "processing",
        base_url: str = DEFAULT_BASE_URL,
    ) -> Recording:
        """A recording of a call that just ended (control API).

        ``status`` ``processing`` (the default) becomes ``ready`` after 1 s on the clock;
        ``ready`` or ``error`` are set at once.
        """
        duration = _int(duration, "duration", 0, MAX_DURATION)
        number = number or DEFAULT_NUMBER
        if not E164.match(number):
            raise InvalidInput(f"'number' must be an E.164 number, not {number!r}")
        if not isinstance(caller_number, str):
            raise InvalidInput("'callerNumber' must be a string (empty when restricted)")
        if status not in RECORDING_STATUSES:
            raise InvalidInput(
                f"'status' must be one of {', '.join(RECORDING_STATUSES)}, not {status!r}"
            )
        if callid is None:
            callid = int("1" + self.store.ids.digits(11))
        callid = _int(callid, "callid", 0, 2**53 - 1)
        now = self.store.clock.now()
        sid = self.new_sid()
        recording = Recording(
            sid=sid,
            callid=callid,
            number=number,
            caller_number=caller_number,
            duration=duration,
            created=now,
            url=base_url.rstrip("/") + media_path(sid),
            status=status,
            size=media_size(duration),
        )
        self.insert(recording)
        self._emit(recording, now)
        if status == "processing":
            self.store.scheduler.schedule(
                now + READY_AFTER, "recording.ready", {"recording": sid}, owner=self.account.sid
            )
        return recording

    def ready(self, sid: str, at: datetime) -> None:
        """Processing ends (nothing for a recording since deleted or already finished)."""
        recording = self.items.get(sid)
        if recording is not None and recording.status == "processing":
            recording.status = "ready"
            self.reindex(recording)
            self._emit(recording, at)

    def mark(self, sid: str, read: bool) -> Recording:
        """Mark read (``readAt`` = now) or unread (``readAt`` = null). Fires only on a change."""
        recording = self.get(sid)
        if recording.read != read:
            now = self.store.clock.now()
            recording.read = read
            recording.read_at = now if read else None
            self.reindex(recording)
            self._emit(recording, now)
        return recording

    def delete(self, sid: str) -> None:
        self.remove(sid)

    def _matching(
        self, read: bool | None, created_after: str | None, created_before: str | None
    ) -> list[Recording]:
        return self._search(read, created_after, created_before, limit=len(self.items))[1]

    def _search(
        self, read: bool | None, created_after: str | None, created_before: str | None, **page: Any
    ) -> tuple[int, list[Recording]]:
        assert self.index is not None
        return self.index.search(
            {"read": read},
            since=parse(created_after) if created_after else None,
            until=parse(created_before) if created_before else None,
            **page,
        )

    def search(
        self,
        *,
        read: bool | None = None,
        created_after: str | None = None,
        created_before: str | None = None,
        order: str = "desc",
        offset: int = 0,
        limit: int = 10,
    ) -> dict[str, Any]:
        total, window = self._search(
            read, created_after, created_before, order=order, offset=offset, limit=limit
        )
        return envelope(total, window, offset=offset, render=Recording.to_api)

    def delete_matching(
        self,
        *,
        read: bool | None = None,
        created_after: str | None = None,
        created_before: str | None = None,
    ) -> Any:
        """Start a ``recordings-delete`` task for the recordings matching now."""
        chosen = [r.sid for r in self._matching(read, created_after, created_before)]
        return self.account.tasks.start(
            "recordings-delete", complete=("recordings.delete", {"recordings": chosen})
        )

    def delete_listed(self, sids: list[str]) -> dict[str, Any]:
        """The bulk-delete task completes: the listed recordings still here go."""
        deleted = 0
        for sid in sids:
            if sid in self.items:
                self.remove(sid)
                deleted += 1
        return {"deleted": deleted}

    def find_media(self, sid: str) -> Recording | None:
        return self.find(sid)

    def load(self, obj: dict[str, Any]) -> Recording:
        recording = Recording(
            sid=obj["sid"],
            callid=obj["callid"],
            number=obj["number"],
            caller_number=obj["callerNumber"],
            duration=obj["duration"],
            created=parse(obj["created"]),
            url=obj["url"],
            status=obj["status"],
            read=obj["read"],
            read_at=parse(obj["readAt"]) if obj.get("readAt") else None,
            size=obj["size"],
            mime_type=obj["mimeType"],
        )
        return self.insert(recording)


@account_job("recording.ready")
def _run_ready(account: Any, job: Job) -> None:
    account.recordings.ready(job.args["recording"], job.due)


@completion("recordings.delete")
def _complete_delete(account: Any, task: Any, args: dict[str, Any], at: datetime) -> Any:
    return account.recordings.delete_listed(args["recordings"])
