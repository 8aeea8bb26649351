"""Find, among this process' TCP connections, the one a request is waiting on (Linux).

granian (``granian_engine.py``) accepts and serves connections from its own Rust threads and
gives the app neither a handle on them nor the client's port, so an injected ``drop`` fault
looks for the connection itself: the sockets of this process (``/proc/self/fd``) accepted on
the server's port from the request's client address, read through the kernel's ``TCP_INFO``:

- a connection that received data more recently than it last sent some, or that has received
  data and never sent any (a fresh connection's first request), is waiting for an answer;
- one that sent after its last receive is idle (keep-alive, its answer given).

Times in ``TCP_INFO`` have the kernel tick's grain (4 ms on most kernels), so a request and
an answer in the same tick tie; a tie is taken only when it is the sole candidate. When more
than one connection could be the one (two requests from the same client in flight at once),
nothing is chosen: dropping a stranger's connection would be worse than not dropping.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_FD_DIR = "/proc/self/fd"
_TCP_INFO_SIZE = 160  # up to tcpi_data_segs_out (Linux 4.6)
_LAST_DATA_SENT, _LAST_DATA_RECV = 44, 52  # ms since, in struct tcp_info
_DATA_SEGS_IN, _DATA_SEGS_OUT = 152, 156


@dataclass(frozen=True)
class _Candidate:
    fd: int
    peer: tuple[Any, ...]
    last_sent_ms: int
    last_received_ms: int
    segments_in: int
    segments_out: int

    @property
    def surely_waiting(self) -> bool:
        fresh = self.segments_out == 0 and self.segments_in > 0
        return fresh or self.last_received_ms < self.last_sent_ms

    @property
    def tied(self) -> bool:
        return self.last_received_ms == self.last_sent_ms


def find_waiting_connection(port: int, client: str) -> Callable[[], None] | str:
    """What shuts (both ways: the client reads an end of stream and no answer) the connection
    accepted on ``port`` from ``client`` that is waiting for an answer, or why none is
    chosen."""
    candidates = _candidates(port, client)
    sure = [c for c in candidates if c.surely_waiting]
    if len(sure) == 1:
        chosen = sure[0]
    elif not sure and len(candidates) == 1 and candidates[0].tied:
        chosen = candidates[0]
    elif len(candidates) <= 1:  # none, or one that already had its answer
        return "its connection could not be found"
    else:
        return (
            f"{len(candidates)} connections from {client} were open and more than one of them "
            "could be this request's (requests in flight at once)"
        )
    peer = chosen.peer
    return lambda: _shut(chosen.fd, peer)


def _shut(fd: int, peer: tuple[Any, ...]) -> None:
    """Shut ``fd`` if it is still the connection to ``peer`` (the client may have left, and
    its number gone to another connection, meanwhile)."""
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            if sock.getpeername() == peer:
                sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _candidates(port: int, client: str) -> list[_Candidate]:
    try:
        names = os.listdir(_FD_DIR)
    except OSError:
        return []
    found = []
    for name in names:
        candidate = _read(int(name), port, client)
        if candidate is not None:
            found.append(candidate)
    return found


def _read(fd: int, port: int, client: str) -> _Candidate | None:
    try:
        if not os.readlink(f"{_FD_DIR}/{fd}").startswith("socket:"):
            return None
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        return None
    with sock:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return None
        if sock.type != socket.SOCK_STREAM:
            return None
        try:
            peer = sock.getpeername()
            if sock.getsockname()[1] != port or peer[0] != client:
                return None
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
        except OSError:  # not connected (the listening socket), or gone meanwhile
            return None
    if len(info) < _TCP_INFO_SIZE:
        return None
    (sent,) = struct.unpack_from("I", info, _LAST_DATA_SENT)
    (received,) = struct.unpack_from("I", info, _LAST_DATA_RECV)
    segments_in, segments_out = struct.unpack_from("II", info, _DATA_SEGS_IN)
    return _Candidate(fd, tuple(peer), sent, received, segments_in, segments_out)
