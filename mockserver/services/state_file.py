"""The state file of ``callr-mock serve --state-file PATH``: a sandbox that survives a restart.

What goes in the file (the versioned state document: the seed format plus pending work) is
``snapshot_state`` / ``restore_state``; this module is the file side:

- **Start**: a missing file starts the sandbox as usual (the ``--seed`` applies, once) and
  is created at once, so an unwritable place is refused at start-up, not a second after
  the first write. An existing file is read and restored instead of the seed. A file that
  is empty, not JSON, truncated, not a callr-mock state document or of another version
  raises ``StateFileError`` (one line naming the file and the problem) and is left as it
  is: nothing is ever written over a file that could not be read.
- **Saves** are atomic: the document is written to a temporary file in the same
  directory, flushed, fsynced and renamed over PATH (``os.replace``), so PATH is always a
  whole document, the old one or the new one. The writer makes the snapshot in a forked
  child (``save_in_child``): the store lock is held only while forking. At start-up, on stop
  and as a fallback the snapshot is taken in-process under the store lock (``save``), and
  encoded and written outside it.
- **When**: ``Store.touch`` marks every change (a write request that reached the app, a
  lifecycle step, a clock move, a webhook attempt). The writer thread sleeps on
  ``Store.changed`` with no timeout (an idle sandbox never wakes), then waits
  ``SAVE_DELAY`` seconds so a burst of writes costs one save, then saves: a write is on disk
  about ``SAVE_DELAY`` + one save after it was answered. A state so big that its snapshot
  holds the lock long waits longer (``LOCK_SHARE``), and the document is encoded piece by
  piece (``encode``) so requests keep being served while it is. ``close()`` (clean stop:
  SIGTERM, Ctrl-C) saves whatever changed since; a SIGKILL loses at most that last interval.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .state_document import (
    Restorable,
    StateFileError,
    is_state_document,
    restore_state,
    snapshot_state,
)

log = logging.getLogger("callr_mock.state_file")

SAVE_DELAY = 0.5
"""Seconds between the first change and its save (a burst of writes shares one save)."""
LOCK_SHARE = 0.2
"""Under continuous writes a big state is saved less often, so that snapshots hold the store
lock at most this share of the time (a save that held it 0.25 s waits 1 s before the next)."""
CHILD_SECONDS = 20.0
"""A snapshot process that has not finished by then is killed; the save is made in-process."""
FORKS = hasattr(os, "fork")
RETRY_SECONDS = 5.0
"""After a failed save (a full disk, say), the next try."""
SPLIT_DEPTH = 4
"""``encode`` hands the JSON encoder one piece at a time down to this depth (document →
accounts → account → its SMS → one SMS), so the other threads get the GIL in between."""

__all__ = ["SAVE_DELAY", "StateFile", "StateFileError", "read_state_file"]


def read_state_file(path: str | Path) -> dict[str, Any] | None:
    """The state document in ``path``, or None when there is no such file.

    ``StateFileError`` (one line, naming the file) when it cannot be used; the file is
    never touched."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StateFileError(f"{name} is a directory, not a state file") from None
    except OSError as error:
        raise StateFileError(f"cannot read {name}: {error.strerror or error}") from None
    if not raw.strip():
        raise StateFileError(
            f"{name} is empty (a state file is never left empty; delete it to start afresh)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StateFileError(f"{name} is not a state file: not UTF-8 text") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        if not text.lstrip().startswith("{"):
            what = f"not JSON ({error.msg}); a state file is one JSON object"
        elif error.pos >= len(text.rstrip()) or not text.rstrip().endswith("}"):
            # the parser ran out of text, or the file does not end its object: cut short
            what = "truncated: the JSON document stops before its end"
        else:
            what = f"broken JSON: {error.msg}"
        raise StateFileError(
            f"{name} is not a usable state file: line {error.lineno}: {what}"
        ) from None
    if not is_state_document(doc):
        raise StateFileError(
            f'{name} is not a callr-mock state file (no "format": "callr-mock-state"); '
            "a seed file goes to --seed"
        )
    return dict(doc)


def encode(value: Any, depth: int = 0) -> str:
    """``json.dumps(value)`` (compact, UTF-8 kept), piece by piece: one call of the C encoder
    over megabytes would hold the GIL, and so stall every request, for its whole length."""
    if depth >= SPLIT_DEPTH or not isinstance(value, dict | list) or len(value) < 2:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, list):
        return "[" + ",".join(encode(item, depth + 1) for item in value) + "]"
    return (
        "{"
        + ",".join(
            json.dumps(str(key), ensure_ascii=False) + ":" + encode(item, depth + 1)
            for key, item in value.items()
        )
        + "}"
    )


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (not possible everywhere: then best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` into ``path``, all or nothing: temp file in the same directory, fsync,
    rename. OSError when the directory cannot be written."""
    directory = path.parent
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)


class StateFile:
    """One runtime's state file: ``open()`` at start, then ``start()`` the writer,
    ``close()`` on a clean stop (final save)."""

    def __init__(self, path: str | Path, runtime: Restorable) -> None:
        self.path = Path(path)
        self.runtime = runtime
        self.restored = False
        self.saves = 0
        self.last_save_seconds = 0.0  # wall time of the last save
        self.last_lock_seconds = 0.0  # of which the store lock was held (the snapshot)
        self._saved_revision = -1
        self._save_lock = threading.Lock()  # one save at a time (writer thread, close())
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.problem: str | None = None  # why the last save failed; None once one succeeds
        self._lock_file: Any = None  # PATH.lock, held while this server uses PATH

    # -- start-up ----------------------------------------------------------------------
    def open(self, document: dict[str, Any] | None) -> None:
        """Restore ``document`` (read by ``read_state_file`` before the app was built), or,
        with none, create the file from the fresh sandbox. ``StateFileError`` when the
        document cannot be restored or the file cannot be written."""
        self._check_directory()
        self._take_lock()
        try:
            self._open(document)
        except BaseException:
            self._release_lock()
            raise

    def _open(self, document: dict[str, Any] | None) -> None:
        try:
            if document is None:
                self.save()  # the file exists from now on
            else:  # the file is what was just read: only check that it can be replaced
                probe = self.path.with_name(f".{self.path.name}.probe")
                write_atomically(probe, b"")
                probe.unlink()
        except OSError as error:
            raise StateFileError(f"cannot write {self.path}: {error.strerror or error}") from None
        if document is not None:
            try:
                restore_state(self.runtime, document)
            except StateFileError as error:
                raise StateFileError(f"{self.path}: {error}") from None
            self.restored = True
            self._saved_revision = self.runtime.store.revision  # the file holds this state

    def _take_lock(self) -> None:
        """Only one server per state file: two would overwrite each other's saves."""
        import fcntl

        lock_path = self.path.with_name(f".{self.path.name}.lock")
        try:
            handle = open(lock_path, "a+")  # noqa: SIM115 (held until close())
        except OSError as error:
            raise StateFileError(f"cannot write {lock_path}: {error.strerror or error}") from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StateFileError(
                f"{self.path} is in use by another callr-mock (pid {holder}); stop it, or "
                "give this one another --state-file"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def _release_lock(self) -> None:
        handle, self._lock_file = self._lock_file, None
        if handle is not None:
            with contextlib.suppress(OSError):
                os.unlink(handle.name)  # no litter beside the state file
            handle.close()

    def _check_directory(self) -> None:
        directory = self.path.parent
        if not directory.is_dir():
            raise StateFileError(
                f"cannot create {self.path}: no directory {directory}; create it first"
            )
        if self.path.is_dir():
            raise StateFileError(f"{self.path} is a directory, not a state file")

    # -- saving ------------------------------------------------------------------------
    def save(self) -> bool:
        """Write the state now if it changed since the last save; True if written. In this
        process: the store lock is held for the whole snapshot (start-up, stop, fallback)."""
        with self._save_lock:
            store = self.runtime.store
            started = time.perf_counter()
            with store.lock:
                store.changed.clear()
                revision = store.revision
                if revision == self._saved_revision:
                    return False
                document = snapshot_state(self.runtime.store)
                locked = time.perf_counter() - started
            data = encode(document).encode("utf-8")
            write_atomically(self.path, data)
            self._saved(revision, locked, started)
            return True

    def save_in_child(self) -> bool:
        """``save()``, with the snapshot made by a forked copy of this process: the store
        lock is held only while forking (copy-on-write memory is the consistent snapshot, as
        Redis' BGSAVE), so requests never wait for a big state to be written. The child
        ignores Ctrl-C, keeps no socket open and exits; a child that fails or takes more
        than ``CHILD_SECONDS`` is an OSError (the caller saves in-process instead)."""
        with self._save_lock:
            store = self.runtime.store
            started = time.perf_counter()
            readable, writable = os.pipe()
            try:
                with store.lock:
                    store.changed.clear()
                    revision = store.revision
                    if revision == self._saved_revision:
                        return False
                    pid = os.fork()
                    if pid == 0:
                        self._child(writable)  # never returns
                    locked = time.perf_counter() - started
                os.close(writable)
                writable = -1
                status = self._wait(pid)
                problem = os.read(readable, 1000).decode("utf-8", "replace")
            finally:
                os.close(readable)
                if writable >= 0:
                    os.close(writable)
            if status != 0:
                raise OSError(problem or f"the snapshot process ended with status {status}")
            self._saved(revision, locked, started)
            return True

    def _child(self, report: int) -> None:
        """In the forked copy: write the state, say what went wrong on ``report``, exit."""
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.closerange(3, report)  # the listening socket: a restarted sandbox can bind
            os.closerange(report + 1, 1 << 16)
            document = snapshot_state(self.runtime.store)
            data = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
            write_atomically(self.path, data.encode("utf-8"))
            code = 0
        except BaseException as error:  # reported to the parent, which logs it
            with contextlib.suppress(OSError):
                os.write(report, f"{type(error).__name__}: {error}".encode()[:1000])
        finally:
            os._exit(code)

    def _wait(self, pid: int) -> int:
        """The child's exit code; killed after ``CHILD_SECONDS`` (e.g. it inherited a lock
        another thread held while forking)."""
        deadline = time.monotonic() + CHILD_SECONDS
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise OSError(f"the snapshot process took over {CHILD_SECONDS:g} s; killed")
            time.sleep(0.01)

    def _saved(self, revision: int, locked: float, started: float) -> None:
        self.problem = None
        self._saved_revision = revision
        self.saves += 1
        self.last_lock_seconds = locked
        self.last_save_seconds = time.perf_counter() - started

    def start(self) -> None:
        """The background writer: sleeps until the state changes (no polling)."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="callr-mock-state-file", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        changed = self.runtime.store.changed
        while not self._stopping.is_set():
            changed.wait()
            if self._stopping.wait(max(SAVE_DELAY, self.last_lock_seconds / LOCK_SHARE)):
                return  # close() saves
            try:
                if FORKS:
                    try:
                        self.save_in_child()
                        continue
                    except OSError as error:
                        log.warning("saving in a child process failed (%s); saving here", error)
                self.save()
            except Exception as error:  # a full disk, a removed directory: say so, keep serving
                self._failed(error)
                self.runtime.store.changed.set()  # still to save
                if self._stopping.wait(RETRY_SECONDS):
                    return

    def close(self) -> None:
        """Stop the writer and save what changed since its last save (a clean stop)."""
        thread, self._thread = self._thread, None
        self._stopping.set()
        self.runtime.store.changed.set()  # wake the writer so it ends
        if thread is not None:
            thread.join(timeout=30)
        try:
            self.save()
        except Exception as error:  # the caller reads .problem: the exit status says it
            self._failed(error, final=True)
        finally:
            self._release_lock()

    def _failed(self, error: BaseException, *, final: bool = False) -> None:
        """A save failed: visible in ``/_mock/health``, one line on stderr; the writer retries."""
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        self.problem = f"could not save the state to {self.path}: {reason}"
        when = (
            "on stop; the changes since the last save are lost"
            if final
            else (f"changes are kept in memory, retrying every {RETRY_SECONDS:g} s")
        )
        log.error("%s (%s)", self.problem, when)
        sys.stderr.write(f"callr-mock: {self.problem} ({when})\n")
        sys.stderr.flush()
