"""SandboxPool: the agent's handle on a warm pool of sandboxed worker processes.

A call takes an idle worker, sends it one JSON frame and waits for one back with a deadline.
Wall time is enforced here, from outside: when the deadline passes the worker is SIGKILLed
through its pidfd and replaced, so a tool stuck in C code cannot ignore it. A worker that dies
mid-call (os._exit, a signal, RLIMIT_CPU) is replaced too, and the zygote's exit report says
which limit was hit. Workers are kept per profile (profiles.py): tools that need the network
or declared files get workers of their own, started lazily for network tools. Which worker
processes exist, and the zygote that forks them, is the supply's business (supply.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from pydantic import ValidationError

from tools.registry import Registry
from tools.result import ErrorKind, ToolResult
from tools.sandbox import isolation, layers, outcomes, profiles, protocol
from tools.sandbox.limits import Limits
from tools.sandbox.outcomes import WorkerHandle
from tools.sandbox.supply import WorkerSupply


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
        self._executor: ThreadPoolExecutor | None = None
        self._specs = {e.tool.name: e.spec for e in registry.entries() if e.spec}
        # Every process of this pool carries it in its environment, to find strays by.
        self.token = f"{os.getpid()}-{id(self):x}-{time.monotonic_ns():x}"
        scratch_root = tempfile.mkdtemp(prefix="moss-sandbox-")
        try:
            self._supply = WorkerSupply(registry, workers, limits, self._specs, self.token,
                                        scratch_root, isolation=isolation, prefer=prefer or {},
                                        unsafe=unsafe_no_fs_isolation)
        except BaseException:
            shutil.rmtree(scratch_root, ignore_errors=True)
            raise
        self.load_errors: dict[str, str] = self._supply.load_errors

    # --- public ---------------------------------------------------------------------------

    @property
    def network_isolation(self) -> str:
        """The mechanism keeping offline tools off the network: netns, seccomp or none."""
        return self._supply.isolation

    @property
    def network_isolation_description(self) -> str:
        return isolation.describe(self._supply.isolation)

    @property
    def mechanisms(self) -> layers.Mechanisms:
        """The kernel mechanism carrying each layer (filesystem, network, processes, limits,
        syscalls) for this pool's workers."""
        return self._supply.mechanisms

    @property
    def usable(self) -> bool:
        """False once the pool is closed or its zygote died (killed, out of memory): no new
        worker can start then, so its owner should replace it (`Agent` does)."""
        return not self._supply.closed and not self._supply.zygote_gone

    @property
    def zygote_pid(self) -> int:
        return self._supply.zygote_pid

    def worker_pids(self, network: bool | None = None, tool: str | None = None) -> list[int]:
        """Pids of the started workers: all, only the network / offline kind, or only those
        that would serve `tool`."""
        profile = profiles.of(self.registry.get(tool)) if tool is not None else None
        return self._supply.worker_pids(network, profile)

    def warm(self, timeout: float = 30.0) -> None:
        """Block until the workers started at once (the offline profiles of the enabled
        tools) are all running and set up (pools warm up async)."""
        self._supply.warm(timeout)

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
        if not self._supply.close():
            return
        if self._executor is not None:
            self._executor.shutdown(wait=False)

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        supply = getattr(self, "_supply", None)
        if supply is not None and not supply.closed:
            try:
                self.close()
            except Exception:  # noqa: BLE001 -- interpreter shutdown
                pass

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
        worker = self._supply.acquire(profile)
        if isinstance(worker, ToolResult):
            return worker
        if not worker.ready:
            failure = self._supply.await_ready(worker)
            if failure is not None:
                return failure
        result = self._call(worker, name, args)
        self._supply.release(worker)
        return result

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
            self._supply.discard(worker, kill=True)
            report = None
            if self.mechanisms.limits != "rlimit":
                report = self._supply.exit_report(worker.pid)
            if report and report.get("oom"):  # it waited on processes the kernel killed
                return outcomes.out_of_memory(name, self.limits, self.mechanisms)
            return ToolResult.failure(
                ErrorKind.TIMEOUT,
                f"{name} did not finish within {limits.wall_s:g} s of wall time; its worker "
                f"was killed and replaced",
            )
        except protocol.TooLarge as exc:
            self._supply.discard(worker, kill=True)
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
            self._supply.discard(worker, kill=True)
        if result is None:
            return ToolResult.failure(ErrorKind.CRASHED, f"{name}: malformed reply from worker")
        return result

    def _died(self, worker: WorkerHandle, name: str) -> ToolResult:
        """The worker vanished mid-call: wait for the zygote's report and say why."""
        report = self._supply.exit_report(worker.pid)
        self._supply.discard(worker, kill=True)
        return outcomes.from_exit(report, name, self.limits, self.mechanisms)
