"""The zygote: a clean interpreter that imports the plugins once and forks workers from them.

The agent's own process usually has torch loaded with many threads; forking it would copy a
large, thread-inconsistent image into every worker. So the pool starts this small process
instead (`python -c`, not fork), which imports only `tools` and the plugin modules named by
import path, finds which kernel mechanism carries each sandbox layer (layers.probe), freezes
the heap for copy-on-write, and then forks a worker per request: with a scratch folder and a
cgroup of its own made first, into a pid namespace of its own where it can. It stays
single-threaded, reaps every worker it forks, removes its group and scratch folder, reports
each exit (status, CPU time, whether the kernel killed it for memory) so the pool can say
which limit was hit, and when the pool hangs up it kills and reaps the rest.

Control messages are JSON over a SOCK_SEQPACKET pair; a spawn request carries the worker's end
of a socketpair, and the reply carries a pidfd so the pool can kill the worker race-free.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import shutil
import signal
import socket
from typing import Any

from tools.registry import load_spec
from tools.sandbox import cgroups, isolation, layers, procs
from tools.sandbox.confinement import Policy
from tools.tool import Tool

BOOTSTRAP = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[2]); "
    "from tools.sandbox.zygote import main; main(int(sys.argv[1]))"
)

_MAX_MESSAGE = 1 << 20


def _send(ctrl: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(ctrl, [data], fds)
    else:
        ctrl.send(data)


class _Child:
    """What the zygote keeps about one worker, to clean up after it."""

    __slots__ = ("group", "scratch")

    def __init__(self, group: cgroups.Group | None, scratch: str) -> None:
        self.group = group
        self.scratch = scratch


def main(ctrl_fd: int) -> None:
    ctrl = socket.socket(fileno=ctrl_fd)
    init = json.loads(ctrl.recv(_MAX_MESSAGE))
    tools: dict[str, Tool] = {}
    load_errors: dict[str, str] = {}
    for name, spec in init["specs"].items():
        try:
            tool = load_spec(spec)
            if tool.name != name:
                raise ValueError(f"{spec} now names tool {tool.name!r}, not {name!r}")
            tools[name] = tool
        except BaseException as exc:  # noqa: BLE001 -- report, keep the others
            load_errors[name] = f"failed to load from {spec}: {type(exc).__name__}: {exc}"
    try:
        mechanisms = layers.probe_as_zygote(init.get("prefer"), network=init["isolation"])
        forker = procs.Forker(mechanisms.processes)
        cgroups.sweep(list(mechanisms.cgroup_parents))
    except (OSError, ValueError) as exc:
        _send(ctrl, {"type": "error", "error": str(exc)})
        return
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    gc.collect()
    gc.freeze()  # keep the imported heap shared with the workers (copy-on-write)

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    _send(
        ctrl,
        {
            "type": "hello",
            "pid": os.getpid(),
            "isolation": mechanisms.network,
            "mechanisms": mechanisms.model_dump(mode="json"),
            "load_errors": load_errors,
            "threads": threads,
        },
    )
    zygote = _Zygote(ctrl, tools, load_errors, mechanisms, forker, init, (wake_r, wake_w))
    zygote.loop()
    shutil.rmtree(init["scratch_root"], ignore_errors=True)  # also when the pool died first
    os._exit(0)


class _Zygote:
    """The control loop: spawn requests in, spawned/exited reports out."""

    def __init__(self, ctrl: socket.socket, tools: dict[str, Tool], load_errors: dict[str, str],
                 mechanisms: layers.Mechanisms, forker: procs.Forker, init: dict[str, Any],
                 wake: tuple[int, int]) -> None:
        self.ctrl = ctrl
        self.tools = tools
        self.load_errors = load_errors
        self.mechanisms = mechanisms
        self.forker = forker
        self.scratch_root = init["scratch_root"]
        self.token = init["token"]
        self.wake = wake
        self.children: dict[int, _Child] = {}
        self.selector = selectors.DefaultSelector()

    def loop(self) -> None:
        selector = self.selector
        wake_r = self.wake[0]
        selector.register(self.ctrl, selectors.EVENT_READ, "ctrl")
        selector.register(wake_r, selectors.EVENT_READ, "child")
        running = True
        while running:
            for key, _ in selector.select():
                if key.data == "child":
                    try:
                        while os.read(wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
                    self.reap(block=False)
                    continue
                try:
                    data, fds, _, _ = socket.recv_fds(self.ctrl, _MAX_MESSAGE, 4)
                except OSError:
                    data, fds = b"", []
                if not data:  # the pool is gone
                    running = False
                    break
                message = json.loads(data)
                if message["type"] == "spawn":
                    self.spawn(message, fds[0])
                elif message["type"] == "shutdown":
                    running = False
                    break
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        self.reap(block=True)

    def spawn(self, message: dict[str, Any], worker_fd: int) -> None:
        mechanisms = self.mechanisms
        limits = message["limits"]
        scratch = os.path.join(self.scratch_root, f"w{message['id']}")
        group = None
        try:
            os.mkdir(scratch, 0o700)
            if mechanisms.limits != cgroups.RLIMIT:
                group = cgroups.Group(mechanisms.limits, list(mechanisms.cgroup_parents),
                                      f"moss-{self.token}-w{message['id']}")
                group.create(limits["memory_bytes"], limits["processes"])
            policy = Policy(mechanisms=mechanisms, network=message["network"],
                            files=message["files"], scratch=scratch, **limits)
            pid = self.forker.fork()
        except (OSError, ValueError) as exc:
            os.close(worker_fd)
            if group is not None:
                group.remove()
            shutil.rmtree(scratch, ignore_errors=True)
            _send(self.ctrl, {"type": "spawn_failed", "id": message["id"], "error": str(exc)})
            return
        if pid == 0:
            try:
                if group is not None:
                    group.join()
                isolation.set_parent_death_signal(signal.SIGKILL)
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                self.selector.close()
                self.ctrl.close()
                for fd in self.wake:
                    os.close(fd)
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.close(devnull)
                from tools.sandbox.worker import serve

                config = {"policy": policy.model_dump(mode="json"), "tools": message["tools"]}
                serve(socket.socket(fileno=worker_fd), self.tools, self.load_errors, config)
            finally:
                os._exit(70)
        self.children[pid] = _Child(group, scratch)
        os.close(worker_fd)
        pidfd = None
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pass
        reply = {"type": "spawned", "id": message["id"], "pid": pid}
        _send(self.ctrl, reply, [pidfd] if pidfd is not None else None)
        if pidfd is not None:
            os.close(pidfd)

    def reap(self, block: bool) -> None:
        while self.children:
            try:
                pid, status, usage = os.wait4(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            except InterruptedError:
                continue
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is None:  # an orphan a killed worker left behind (subreaper)
                continue
            self.report(pid, status, usage.ru_utime + usage.ru_stime, child)

    def report(self, pid: int, status: int, cpu_s: float, child: _Child) -> None:
        """Clean up after a worker and tell the pool how it ended."""
        signum = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        if self.mechanisms.processes == procs.PIDNS and code == procs.CPU_EXIT_CODE:
            signum, code = int(signal.SIGXCPU), None  # pid 1's SIGXCPU handler is _exit(24)
        oom = False
        if child.group is not None:
            oom = child.group.oom_killed()
            child.group.kill()
            child.group.remove()
        if self.mechanisms.processes == procs.SUBREAPER:
            procs.kill_children_except(set(self.children))
        shutil.rmtree(child.scratch, ignore_errors=True)
        try:
            _send(self.ctrl, {"type": "exited", "pid": pid, "signal": signum, "code": code,
                              "cpu_s": cpu_s, "oom": oom})
        except OSError:
            pass
