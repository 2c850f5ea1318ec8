"""Hostile and trivial tools for the sandbox tests, importable by the sandbox's zygote.

They live in a module (not in the test files) because the sandbox loads tools by import path.
"""

from __future__ import annotations

import ctypes
import os
import socket
import tempfile
import time
from typing import Annotated

from pydantic import Field

from tools import Files, Tool, ToolFailure, ToolResult, tool

# Where Meet's calls find each other: a folder it declares, since a call may write only its
# own scratch folder otherwise.
MEET_ROOT = os.path.join(tempfile.gettempdir(), f"moss-sandbox-meet-{os.getuid()}")
os.makedirs(MEET_ROOT, exist_ok=True)


@tool(name="Echo", capability="Echo", signature="Echo(text)")
def echo(text: Annotated[str, Field(max_length=100)], times: int = 1) -> str:
    return text * times


@tool(name="Pid", capability="Process id", signature="Pid()")
def pid() -> str:
    """The worker's pid as the pool sees it (in its own pid namespace a worker is pid 1)."""
    try:
        return os.readlink("/proc/self")
    except OSError:
        return str(os.getpid())


@tool(name="Sleep", capability="Sleeper", signature="Sleep(seconds)")
def sleep(seconds: float = 1e9) -> str:
    time.sleep(seconds)
    return "woke"


@tool(name="Spin", capability="CPU burner", signature="Spin()")
def spin() -> str:
    while True:
        pass


@tool(name="Alloc", capability="Memory hog", signature="Alloc(gigabytes)")
def alloc(gigabytes: int = 10) -> str:
    block = bytearray(gigabytes << 30)
    return str(len(block))


@tool(name="Connect", capability="Socket opener", signature="Connect(port)")
def connect(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"hello from the sandbox")
    return "connected"


@tool(name="RawConnect", capability="Socket opener in C", signature="RawConnect(port)")
def raw_connect(port: int) -> str:
    """Connect through libc directly, as a C extension would: no `socket` module involved."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    address = bytes([2, 0]) + port.to_bytes(2, "big") + bytes([127, 0, 0, 1]) + bytes(8)
    try:
        if libc.connect(fd, address, len(address)) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        libc.close(fd)
    return "connected"


@tool(name="Fetch", capability="Network user", signature="Fetch(port)", network=True)
def fetch(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"allowed")
    return "connected"


@tool(name="Shout", capability="Printer", signature="Shout(megabytes)")
def shout(megabytes: int = 100) -> str:
    chunk = "x" * (1 << 20)
    for _ in range(megabytes):
        print(chunk)
    return "done"


@tool(name="Flood", capability="Big result", signature="Flood(megabytes)")
def flood(megabytes: int = 100) -> str:
    return "x" * (megabytes << 20)


@tool(name="Exit", capability="Quitter", signature="Exit(code)")
def exit_(code: int = 3) -> str:
    os._exit(code)


@tool(name="Raise", capability="Bug", signature="Raise()")
def raise_() -> str:
    raise ValueError("something broke")


@tool(name="Refuse", capability="Refuser", signature="Refuse()")
def refuse() -> str:
    raise ToolFailure("that input is not allowed", "refused")


class Counter(Tool):
    """A stateful tool: setup() runs once per worker; run() counts calls in this worker."""

    name = "Count"
    capability = "Counter"
    signature = "Count()"

    def setup(self) -> None:
        self.calls = 0
        self.setups = getattr(self, "setups", 0) + 1

    def run(self) -> ToolResult:
        self.calls += 1
        return ToolResult.lines([f"calls = {self.calls}", f"setups = {self.setups}"])


@tool(name="Daemon", capability="Daemon", signature="Daemon(then_sleep)")
def daemon(then_sleep: float = 0) -> str:
    """Leave a daemon behind (double fork, new session), then maybe sleep past the wall time."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(60)
        os._exit(0)
    os.wait()
    time.sleep(then_sleep)
    return "daemon started"


@tool(name="ReadPath", capability="Reader", signature="ReadPath(path)")
def read_path(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read(100)


@tool(name="Forks", capability="Forker", signature="Forks(count)")
def forks(count: int = 1000) -> str:
    """Fork `count` sleeping children (a small fork bomb); the process limit should stop it."""
    for made in range(count):
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
    return f"forked {count}"


DECLARED = os.path.join(tempfile.gettempdir(), f"moss-sandbox-declared-{os.getuid()}.txt")


@tool(name="ReadDeclared", capability="Reader", signature="ReadDeclared()",
      files=Files(read=[DECLARED]))
def read_declared() -> str:
    """Reads the one file it declared (the test writes it before starting the pool)."""
    return read_path.fn(DECLARED)


ALL = [echo, pid, sleep, spin, alloc, connect, raw_connect, fetch, shout, flood, exit_, raise_,
       refuse, Counter, daemon, read_path, read_declared, forks]


@tool(name="Meet", capability="Rendezvous", signature="Meet(directory, count)",
      files=Files(write=[MEET_ROOT]))
def meet(directory: str, count: int = 2) -> str:
    """Wait (up to 5 s) until `count` calls have arrived in `directory` (inside MEET_ROOT):
    proves calls run at the same time."""
    os.close(tempfile.mkstemp(dir=directory)[0])  # a unique name: each worker is pid 1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if len(os.listdir(directory)) >= count:
            return "met"
        time.sleep(0.005)
    return "alone"


ALL.append(meet)
