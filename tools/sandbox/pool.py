"""SandboxPool: the agent's handle on a warm pool of sandboxed worker processes.

A call takes an idle worker, sends it one JSON frame and waits for one back with a deadline.
Wall time is enforced here, from outside: when the deadline passes the worker is SIGKILLed
through its pidfd and replaced, so a tool stuck in C code cannot ignore it. A worker that dies
mid-call (os._exit, a signal, RLIMIT_CPU) is replaced too, and the zygote's exit report says
which limit was hit. Workers are kept per profile (profiles.py): tools that need the network
or declared files get workers of their own, started lazily for network tools.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import ValidationError

from tools.errors import SandboxError
from tools.registry import Registry
from tools.result import ErrorKind, ToolResult
from tools.sandbox import cgroups, isolation, launch, layers, outcomes, profiles, protocol
from tools.sandbox.limits import Limits
from tools.sandbox.outcomes import WorkerHandle

_EXIT_REPORT_WAIT_S = 1.0


class SandboxPool:
    """Runs tool calls in pre-forked, confined worker processes; use it as a context manager.

    `workers` is the number of warm workers per profile (the most started for network
    tools). `isolation` is "auto" (network namespace, else seccomp, else none), or a
    mechanism to insist on; the environment variable MOSS_SANDBOX_ISOLATION overrides it.
    `prefer` pins the mechanism of other layers (see `layers`), e.g. {"filesystem":
    "mountns"}. Without any filesystem isolation the pool refuses to start (SandboxError)
    unless `unsafe_no_fs_isolation` (or MOSS_SANDBOX_UNSAFE_NO_FS_ISOLATION=1) allows it.
    """

    def __init__(
        self,
        registry: Registry,
        workers: int = 2,
        limits: Limits = Limits(),
        *,
        isolation: str = "auto",
        prefer: dict[str, str] | None = None,
        unsafe_no_fs_isolation: bool = False,
    ) -> None:
        if workers < 1:
            raise ValueError("a SandboxPool needs at least one worker")
        self.registry = registry
        self.workers = workers
        self.limits = limits
        self._cond = threading.Condition()
        self._idle: defaultdict[str, deque[WorkerHandle]] = defaultdict(deque)
        self._live: defaultdict[str, int] = defaultdict(int)
        self._all: dict[int, WorkerHandle] = {}
        self._pending: dict[int, tuple[str, socket.socket]] = {}
        self._exits: dict[int, dict[str, Any]] = {}
        self._spawn_error: str | None = None
        self._ids = itertools.count(1)
        self._closed = False
        self._zygote_gone = False
        self._executor: ThreadPoolExecutor | None = None
        self._send_lock = threading.Lock()
        self._specs = {e.tool.name: e.spec for e in registry.entries() if e.spec}
        # Every process of this pool carries it in its environment, to find strays by.
        self.token = f"{os.getpid()}-{id(self):x}-{time.monotonic_ns():x}"
        self._scratch_root = tempfile.mkdtemp(prefix="moss-sandbox-")
        self._eager = profiles.eager(registry)
        try:
            self._start_zygote(isolation, prefer or {}, unsafe_no_fs_isolation)
        except BaseException:
            shutil.rmtree(self._scratch_root, ignore_errors=True)
            raise
        with self._cond:
            for profile in self._eager:
                for _ in range(workers):
                    self._request_spawn(profile)

    # --- public ---------------------------------------------------------------------------

    @property
    def network_isolation(self) -> str:
        """The mechanism keeping offline tools off the network: netns, seccomp or none."""
        return self._isolation

    @property
    def network_isolation_description(self) -> str:
        return isolation.describe(self._isolation)

    @property
    def mechanisms(self) -> layers.Mechanisms:
        """The kernel mechanism carrying each layer (filesystem, network, processes, limits,
        syscalls) for this pool's workers."""
        return self._mechanisms

    @property
    def usable(self) -> bool:
        """False once the pool is closed or its zygote died (killed, out of memory): no new
        worker can start then, so its owner should replace it (`Agent` does)."""
        return not self._closed and not self._zygote_gone

    @property
    def zygote_pid(self) -> int:
        return self._zygote.pid

    def worker_pids(self, network: bool | None = None, tool: str | None = None) -> list[int]:
        """Pids of the started workers: all, only the network / offline kind, or only those
        that would serve `tool`."""
        profile = profiles.of(self.registry.get(tool)) if tool is not None else None
        with self._cond:
            return sorted(
                p for p, w in self._all.items()
                if network in (None, w.network) and profile in (None, w.profile)
            )

    def warm(self, timeout: float = 30.0) -> None:
        """Block until the workers started at once (the offline profiles of the enabled
        tools) are all running and set up (pools warm up async)."""
        deadline = time.monotonic() + timeout
        eager = set(self._eager)
        with self._cond:
            while any(self._live[p] < self.workers for p in eager) or any(
                p in eager for p, _ in self._pending.values()
            ):
                if self._closed or self._zygote_gone or time.monotonic() > deadline:
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
            failure = self._await_ready(worker)
            if failure is not None:
                raise SandboxError(f"a sandbox worker failed to start: {failure.error}; "
                                   + layers.START_HINT)
            with self._cond:
                self._idle[profile].append(worker)
                self._cond.notify_all()

    def run(self, tool: str, args: Sequence[str]) -> ToolResult:
        """Run one call in a worker; never raises for anything the tool or the model did.

        `elapsed_s` is the call's own time in its worker, from request to reply (or kill),
        not the wait for a free or still-starting worker.
        """
        started = time.perf_counter()
        result = self._run(tool, tuple(args))
        if result.elapsed_s is None:  # failed before reaching a worker
            result = result.with_elapsed(time.perf_counter() - started)
        return result

    def run_many(self, calls: Sequence[tuple[str, Sequence[str]]]) -> list[ToolResult]:
        """Run the calls of one Commands segment in parallel; results keep the calls' order."""
        if len(calls) <= 1:
            return [self.run(t, a) for t, a in calls]
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=2 * self.workers, thread_name_prefix="moss-sandbox"
            )
        return list(self._executor.map(lambda call: self.run(call[0], call[1]), calls))

    def close(self) -> None:
        """Kill every worker and the zygote, and wait until all of them are reaped."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
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
        if self._executor is not None:
            self._executor.shutdown(wait=False)
        shutil.rmtree(self._scratch_root, ignore_errors=True)
        cgroups.sweep(list(self._mechanisms.cgroup_parents), prefix=f"moss-{self.token}-")

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            try:
                self.close()
            except Exception:  # noqa: BLE001 -- interpreter shutdown
                pass

    # --- start-up -------------------------------------------------------------------------

    def _start_zygote(self, preference: str, prefer: dict[str, str], unsafe: bool) -> None:
        init = {"specs": self._specs, "isolation": preference, "prefer": prefer,
                "scratch_root": self._scratch_root, "token": self.token}
        self._zygote, self._ctrl, hello = launch.start_zygote(
            init, self.token, max(60.0, self.limits.startup_s), unsafe
        )
        self._isolation = hello["isolation"]
        self._mechanisms = layers.Mechanisms.model_validate(hello["mechanisms"])
        self.load_errors: dict[str, str] = hello["load_errors"]
        self._reader = threading.Thread(
            target=self._read_zygote, name="moss-sandbox-zygote", daemon=True
        )
        self._reader.start()

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
            "tools": profiles.members(self.registry, profile, self._specs),
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
                    if self._closed:
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
            self._zygote_gone = True
            self._cond.notify_all()

    # --- one call -------------------------------------------------------------------------

    def _run(self, name: str, args: tuple[str, ...]) -> ToolResult:
        if not self.registry.is_enabled(name):
            enabled = ", ".join(e.tool.name for e in self.registry.entries() if e.enabled)
            return ToolResult.failure(
                ErrorKind.UNKNOWN_TOOL,
                f"no enabled tool named {name!r} (enabled: {enabled or 'none'})",
            )
        if name not in self._specs:
            return ToolResult.failure(
                ErrorKind.UNKNOWN_TOOL,
                f"{name} cannot run in the sandbox: it has no import path (defined in __main__ "
                f"or inside a function) or was registered after the pool started",
            )
        profile = profiles.of(self.registry.get(name))
        worker = self._acquire(profile)
        if isinstance(worker, ToolResult):
            return worker
        if not worker.ready:
            failure = self._await_ready(worker)
            if failure is not None:
                return failure
        result = self._call(worker, name, args)
        with self._cond:
            if worker.pid in self._all and not self._closed:
                self._idle[profile].append(worker)
                self._cond.notify_all()
        return result

    def _acquire(self, profile: str) -> WorkerHandle | ToolResult:
        with self._cond:
            while True:
                if self._closed:
                    raise SandboxError("this SandboxPool is closed; create a new one")
                idle = self._idle[profile]
                if idle:  # last in, first out: keep the hottest worker busy
                    return idle.pop()
                if self._zygote_gone:
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

    def _await_ready(self, worker: WorkerHandle) -> ToolResult | None:
        deadline = time.monotonic() + self.limits.startup_s
        try:
            message = protocol.recv(worker.sock, deadline, cap=1 << 20)
        except protocol.Timeout:
            self._discard(worker, kill=True)
            return ToolResult.failure(
                ErrorKind.TIMEOUT,
                f"a sandbox worker did not finish tool set-up within {self.limits.startup_s} s",
            )
        except (protocol.Closed, protocol.TooLarge, OSError, ValueError):
            self._discard(worker, kill=True)
            return ToolResult.failure(ErrorKind.CRASHED, "a sandbox worker died while starting")
        if message.get("type") != "ready":
            self._discard(worker, kill=True)
            return ToolResult.failure(
                ErrorKind.CRASHED, f"a sandbox worker could not start: {message.get('error')}"
            )
        worker.ready = True
        return None

    def _call(self, worker: WorkerHandle, name: str, args: tuple[str, ...]) -> ToolResult:
        started = time.perf_counter()
        result = self._exchange(worker, name, args)
        return result.with_elapsed(time.perf_counter() - started)

    def _exchange(self, worker: WorkerHandle, name: str, args: tuple[str, ...]) -> ToolResult:
        limits = self.limits
        request = {
            "type": "call",
            "tool": name,
            "args": list(args),
            "cpu_s": limits.cpu_s,
            "output_bytes": limits.output_bytes,
        }
        # JSON may escape every character of the result as \uXXXX, hence the factor.
        cap = 6 * limits.output_bytes + 65536
        deadline = time.monotonic() + limits.wall_s
        try:
            protocol.send(worker.sock, request)
            reply = protocol.recv(worker.sock, deadline, cap)
        except protocol.Timeout:
            self._discard(worker, kill=True)
            report = self._exit_report(worker.pid) if self._mechanisms.limits != "rlimit" else None
            if report and report.get("oom"):  # it waited on processes the kernel killed
                return outcomes.out_of_memory(name, self.limits, self._mechanisms)
            return ToolResult.failure(
                ErrorKind.TIMEOUT,
                f"{name} did not finish within {limits.wall_s:g} s of wall time; its worker "
                f"was killed and replaced",
            )
        except protocol.TooLarge as exc:
            self._discard(worker, kill=True)
            return ToolResult.failure(
                ErrorKind.OUTPUT,
                f"{name} sent a {exc.size}-byte reply, over the output limit; its worker was "
                f"killed and replaced",
            )
        except (protocol.Closed, OSError, ValueError):
            return self._died(worker, name)
        try:
            result = ToolResult.model_validate(reply["result"])
        except (ValidationError, KeyError, TypeError):
            result = None
        if result is None or reply.get("retire"):  # a worker that could not reset itself
            self._discard(worker, kill=True)
        if result is None:
            return ToolResult.failure(ErrorKind.CRASHED, f"{name}: malformed reply from worker")
        return result

    def _died(self, worker: WorkerHandle, name: str) -> ToolResult:
        """The worker vanished mid-call: wait for the zygote's report and say why."""
        report = self._exit_report(worker.pid)
        self._discard(worker, kill=True)
        return outcomes.from_exit(report, name, self.limits, self._mechanisms)

    def _exit_report(self, pid: int) -> dict[str, Any] | None:
        """The zygote's report on how worker `pid` ended, waited for briefly."""
        deadline = time.monotonic() + _EXIT_REPORT_WAIT_S
        with self._cond:
            while pid not in self._exits and not self._zygote_gone:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self._exits.pop(pid, None)

    def _discard(self, worker: WorkerHandle, *, kill: bool) -> None:
        """Forget a worker (killing it if asked) and start its replacement."""
        if kill:
            worker.kill()
        with self._cond:
            if self._all.pop(worker.pid, None) is not None:
                self._live[worker.profile] -= 1
            if not self._closed and not self._zygote_gone:
                if worker.profile not in self._eager or self._live[worker.profile] < self.workers:
                    self._request_spawn(worker.profile)
            self._cond.notify_all()
        worker.close()
