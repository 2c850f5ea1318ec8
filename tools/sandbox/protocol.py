"""Length-prefixed JSON frames between the pool and its workers.

JSON, not pickle: a worker runs plugin code and is not trusted, and unpickling its reply in
the agent's process would hand that code the agent. Reads on the pool's side carry a deadline
and a size cap, because the wall-time and output limits are enforced there.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import time
from typing import Any

HEADER = struct.Struct(">I")


class Timeout(Exception):
    """The deadline passed before a whole frame arrived."""


class Closed(Exception):
    """The other end closed the socket (the worker died)."""


class TooLarge(Exception):
    """A frame announced more bytes than the cap allows."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def encode(obj: Any) -> bytes:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(data)) + data


def send(sock: socket.socket, obj: Any) -> None:
    sock.sendall(encode(obj))


def _read_exact(sock: socket.socket, n: int, deadline: float | None, poller: Any) -> bytes:
    chunks = []
    while n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            if not poller.poll(max(1, int(remaining * 1000 + 0.999))):
                continue
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise Closed()
        chunks.append(chunk)
        n -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def recv(sock: socket.socket, deadline: float | None = None, cap: int | None = None) -> Any:
    """One frame; `deadline` is a time.monotonic() value, `cap` a byte limit on the body."""
    poller = None
    if deadline is not None:
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
    try:
        (size,) = HEADER.unpack(_read_exact(sock, HEADER.size, deadline, poller))
        if cap is not None and size > cap:
            raise TooLarge(size)
        return json.loads(_read_exact(sock, size, deadline, poller))
    except ConnectionResetError:
        raise Closed() from None
