"""What the sandbox tests check from outside the sandbox: processes still alive, files that
changed, sockets something connected to. Shared by the sandbox and MCP confinement tests."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def processes_with(token: str, variable: str = "MOSS_SANDBOX_POOL") -> list[int]:
    """Every live process on the machine whose environment carries `variable`=`token`."""
    found = []
    needle = f"{variable}={token}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry))
    return found


def tree_hashes(*tops: Path) -> dict[str, str]:
    """Path -> content hash (or "dir") for everything under the folders `tops`."""
    found = {}
    for top in tops:
        for folder, _, files in os.walk(top):
            found[folder] = "dir"
            for name in files:
                path = os.path.join(folder, name)
                found[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return found


@contextmanager
def listening(kind: str, folder: Path) -> Iterator[str]:
    """A listening socket: UNIX (in `folder`) for `unix`, else TCP on 127.0.0.1. Yields the
    address to give a tool (a path or a port); checks at the end that nothing connected."""
    if kind == "unix":
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = str(folder / "daemon.sock")
        server.bind(address)
    else:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        address = str(server.getsockname()[1])
    server.listen()
    server.setblocking(False)
    try:
        yield address
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
