"""The pool's handle on one worker process, and what a worker's end means for its call.

When a worker dies mid-call, the zygote's exit report (signal, status, CPU time, whether the
kernel's memory cgroup killed something) says which limit was hit; these functions turn that
into the one-line failure the model and the user see.
"""

from __future__ import annotations

import os
import signal
import socket
from typing import Any

from tools.result import ErrorKind, ToolResult
from tools.sandbox import layers, profiles
from tools.sandbox.limits import Limits


class WorkerHandle:
    """A started worker: its pid (as the pool sees it), pidfd, socket and profile."""

    __slots__ = ("pid", "pidfd", "sock", "profile", "network", "ready")

    def __init__(self, pid: int, pidfd: int | None, sock: socket.socket, profile: str) -> None:
        self.pid = pid
        self.pidfd = pidfd
        self.sock = sock
        self.profile = profile
        self.network = profiles.decode(profile)[0]
        self.ready = False

    def kill(self) -> None:
        """SIGKILL through the pidfd (race-free); the kernel takes its pid namespace along."""
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass

    def close(self) -> None:
        self.sock.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


def out_of_memory(name: str, limits: Limits, mechanisms: layers.Mechanisms) -> ToolResult:
    return ToolResult.failure(
        ErrorKind.MEMORY,
        f"{name} and what it started used more than {limits.memory_bytes} bytes of memory "
        f"({mechanisms.limits} limit); its worker was killed and replaced",
    )


def from_exit(
    report: dict[str, Any] | None, name: str, limits: Limits, mechanisms: layers.Mechanisms
) -> ToolResult:
    """The failure of a call whose worker ended as `report` says (None: no report came)."""
    if report is None:
        return ToolResult.failure(ErrorKind.CRASHED, f"{name}: its worker died")
    sig, code, cpu = report["signal"], report["code"], report["cpu_s"]
    if report.get("oom"):
        return out_of_memory(name, limits, mechanisms)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_s):
        return ToolResult.failure(
            ErrorKind.CPU,
            f"{name} used more than {limits.cpu_s:g} s of CPU time; its worker was stopped and "
            f"replaced",
        )
    if sig is not None:
        how = f"was killed by signal {signal.Signals(sig).name}"
    else:
        how = f"exited with status {code} (os._exit, sys.exit in a thread, or a crash)"
    return ToolResult.failure(ErrorKind.CRASHED, f"{name}: its worker {how}; the worker was replaced")
