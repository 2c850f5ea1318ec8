"""The pool's supply of workers: the zygote it talks to, and the workers the zygote forks.

`WorkerSupply` asks the zygote for workers per profile (profiles.py), receives them on a
reader thread, lends idle ones out (last in, first out) and takes them back, waits for a new
worker's "ready", keeps the zygote's exit reports for the pool to explain a death, and
replaces every worker it discards. `SandboxPool` (pool.py) runs the calls; everything about
which processes exist lives here, under one lock.
"""

from __future__ import annotations

import itertools
import json
import shutil
import socket
import subprocess
import threading
import time
from collections import defaultdict, deque
from typing import Any

from tools.errors import SandboxError
from tools.registry import Registry
from tools.result import ErrorKind, ToolResult
from tools.sandbox import cgroups, launch, layers, profiles, protocol
from tools.sandbox.limits import Limits
from tools.sandbox.outcomes import WorkerHandle

_EXIT_REPORT_WAIT_S = 1.0


class WorkerSupply:
    """The zygote and its workers for one pool: `workers` warm ones per eager profile, at most
    that many per profile in all. Starts the zygote in its constructor (SandboxError if it
    cannot); `close` kills every process and removes the scratch root and the cgroups."""

    def __init__(self, registry: Registry, workers: int, limits: Limits, specs: dict[str, str],
                 token: str, scratch_root: str, *, isolation: str, prefer: dict[str, str],
                 unsafe: bool) -> None:
        self.registry = registry
        self.workers = workers
        self.limits = limits
        self.specs = specs
        self.token = token
        self.scratch_root = scratch_root
        self.closed = False
        self.zygote_gone = False
        self._cond = threading.Condition()
        self._idle: defaultdict[str, deque[WorkerHandle]] = defaultdict(deque)
        self._live: defaultdict[str, int] = defaultdict(int)
        self._all: dict[int, WorkerHandle] = {}
        self._pending: dict[int, tuple[str, socket.socket]] = {}
        self._exits: dict[int, dict[str, Any]] = {}
        self._spawn_error: str | None = None
        self._ids = itertools.count(1)
        self._send_lock = threading.Lock()
        self.eager = profiles.eager(registry)
        init = {"specs": specs, "isolation": isolation, "prefer": prefer,
                "scratch_root": scratch_root, "token": token}
        self._zygote, self._ctrl, hello = launch.start_zygote(
            init, token, max(60.0, limits.startup_s), unsafe
        )
        self.isolation: str = hello["isolation"]
        self.mechanisms = layers.Mechanisms.model_validate(hello["mechanisms"])
        self.load_errors: dict[str, str] = hello["load_errors"]
        self._reader = threading.Thread(
            target=self._read_zygote, name="moss-sandbox-zygote", daemon=True
        )
        self._reader.start()
        with self._cond:
            for profile in self.eager:
                for _ in range(workers):
                    self._request_spawn(profile)

    @property
    def zygote_pid(self) -> int:
        return self._zygote.pid

    def worker_pids(self, network: bool | None, profile: str | None) -> list[int]:
        """Pids of the started workers, of the network / offline kind or of one profile."""
        with self._cond:
            return sorted(
                p for p, w in self._all.items()
                if network in (None, w.network) and profile in (None, w.profile)
            )

    def warm(self, timeout: float) -> None:
        """Block until the eager profiles' workers are all running and set up."""
        deadline = time.monotonic() + timeout
        eager = set(self.eager)
        with self._cond:
            while any(self._live[p] < self.workers for p in eager) or any(
                p in eager for p, _ in self._pending.values()
            ):
                if self.closed or self.zygote_gone or time.monotonic() > deadline:
                    raise SandboxError(f"the sandbox did not warm up within {timeout} s: the "
                                       "machine may be overloaded, or a plugin's import hangs "
                                       "(`moss-agent call 'Calculate(\"1\")'` tries one)")
                for profile in eager:
                    if self._live[profile] < self.workers:
                        self._request_spawn(profile)
                self._cond.wait(0.1)
            cold = [(p, w) for p in eager for w in self._idle[p] if not w.ready]
            for profile, worker in cold:
                self._idle[profile].remove(worker)
        for profile, worker in cold:
            failure = self.await_ready(worker)
            if failure is not None:
                raise SandboxError(f"a sandbox worker failed to start: {failure.error}; "
                                   + layers.START_HINT)
            with self._cond:
                self._idle[profile].append(worker)
                self._cond.notify_all()

    def acquire(self, profile: str) -> WorkerHandle | ToolResult:
        """An idle worker of `profile`, waiting for one if need be; a failure result when no
        worker can start; SandboxError once closed."""
        with self._cond:
            while True:
                if self.closed:
                    raise SandboxError("this SandboxPool is closed; create a new one")
                idle = self._idle[profile]
                if idle:  # last in, first out: keep the hottest worker busy
                    return idle.pop()
                if self.zygote_gone:
                    return ToolResult.failure(
                        ErrorKind.CRASHED,
                        "the sandbox's zygote process is gone; create a new SandboxPool",
                    )
                if self._spawn_error and not self._pending:
                    error, self._spawn_error = self._spawn_error, None
                    return ToolResult.failure(ErrorKind.CRASHED, error)
                if self._live[profile] < self.workers:
                    self._request_spawn(profile)
                self._cond.wait(timeout=1.0)

    def release(self, worker: WorkerHandle) -> None:
        """Take back a worker after its call, unless it was discarded meanwhile."""
        with self._cond:
            if worker.pid in self._all and not self.closed:
                self._idle[worker.profile].append(worker)
                self._cond.notify_all()

    def await_ready(self, worker: WorkerHandle) -> ToolResult | None:
        """Wait for a new worker's "ready" (its tools set up); a failure result if it never
        comes, the worker then discarded."""
        deadline = time.monotonic() + self.limits.startup_s
        try:
            message = protocol.recv(worker.sock, deadline, cap=1 << 20)
        except protocol.Timeout:
            self.discard(worker, kill=True)
            return ToolResult.failure(
                ErrorKind.TIMEOUT,
                f"a sandbox worker did not finish tool set-up within {self.limits.startup_s} s",
            )
        except (protocol.Closed, protocol.TooLarge, OSError, ValueError):
            self.discard(worker, kill=True)
            return ToolResult.failure(ErrorKind.CRASHED, "a sandbox worker died while starting")
        if message.get("type") != "ready":
            self.discard(worker, kill=True)
            return ToolResult.failure(
                ErrorKind.CRASHED, f"a sandbox worker could not start: {message.get('error')}"
            )
        worker.ready = True
        return None

    def exit_report(self, pid: int) -> dict[str, Any] | None:
        """The zygote's report on how worker `pid` ended, waited for briefly."""
        deadline = time.monotonic() + _EXIT_REPORT_WAIT_S
        with self._cond:
            while pid not in self._exits and not self.zygote_gone:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self._exits.pop(pid, None)

    def discard(self, worker: WorkerHandle, *, kill: bool) -> None:
        """Forget a worker (killing it if asked) and start its replacement."""
        if kill:
            worker.kill()
        with self._cond:
            if self._all.pop(worker.pid, None) is not None:
                self._live[worker.profile] -= 1
            if not self.closed and not self.zygote_gone:
                if worker.profile not in self.eager or self._live[worker.profile] < self.workers:
                    self._request_spawn(worker.profile)
            self._cond.notify_all()
        worker.close()

    def close(self) -> bool:
        """Kill every worker and the zygote, wait until all are reaped, and remove what they
        left (scratch root, cgroups). False if it was closed already."""
        with self._cond:
            if self.closed:
                return False
            self.closed = True
            workers = list(self._all.values())
            self._cond.notify_all()
        for worker in workers:
            worker.kill()
        try:
            with self._send_lock:
                self._ctrl.send(json.dumps({"type": "shutdown"}).encode())
        except OSError:
            pass
        try:
            self._zygote.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._zygote.kill()
            self._zygote.wait()
        self._ctrl.close()
        self._reader.join(timeout=5)
        for worker in workers:
            worker.close()
        for _, sock in self._pending.values():
            sock.close()
        shutil.rmtree(self.scratch_root, ignore_errors=True)
        cgroups.sweep(list(self.mechanisms.cgroup_parents), prefix=f"moss-{self.token}-")
        return True

    def _request_spawn(self, profile: str) -> None:
        """Ask the zygote for one more worker (call with the lock held); it arrives async."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request_id = next(self._ids)
        self._pending[request_id] = (profile, ours)
        self._live[profile] += 1
        network, files = profiles.decode(profile)
        limits = self.limits
        message = {
            "type": "spawn",
            "id": request_id,
            "network": network,
            "files": files.model_dump(mode="json"),
            "tools": profiles.members(self.registry, profile, self.specs),
            "limits": {"memory_bytes": limits.memory_bytes, "processes": limits.processes,
                       "scratch_bytes": limits.scratch_bytes},
        }
        try:
            with self._send_lock:
                socket.send_fds(self._ctrl, [json.dumps(message).encode()], [theirs.fileno()])
        except OSError as exc:
            self._pending.pop(request_id)
            self._live[profile] -= 1
            ours.close()
            self._spawn_error = f"the sandbox zygote is gone ({exc})"
        finally:
            theirs.close()

    def _read_zygote(self) -> None:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(self._ctrl, 1 << 16, 2)
            except OSError:
                data, fds = b"", []
            if not data:
                break
            message = json.loads(data)
            with self._cond:
                kind = message["type"]
                if kind == "spawned":
                    profile, sock = self._pending.pop(message["id"])
                    worker = WorkerHandle(message["pid"], fds[0] if fds else None, sock, profile)
                    if self.closed:
                        worker.kill()
                        worker.close()
                        continue
                    self._all[worker.pid] = worker
                    self._idle[profile].append(worker)
                    self._spawn_error = None
                elif kind == "spawn_failed":
                    profile, sock = self._pending.pop(message["id"])
                    sock.close()
                    self._live[profile] -= 1
                    self._spawn_error = f"could not start a worker: {message['error']}"
                elif kind == "exited":
                    self._exits[message["pid"]] = message
                    if len(self._exits) > 256:  # reports nobody waited for
                        self._exits.pop(next(iter(self._exits)))
                self._cond.notify_all()
        with self._cond:
            self.zygote_gone = True
            self._cond.notify_all()
