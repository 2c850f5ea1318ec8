"""The zygote: a clean interpreter that imports the plugins once and forks workers from them.

The agent's own process usually has torch loaded with many threads; forking it would copy a
large, thread-inconsistent image into every worker. So the pool starts this small process
instead (`python -c`, not fork), which imports only `tools` and the plugin modules named by
import path, freezes the heap for copy-on-write, and then forks a worker per request. It stays
single-threaded, reaps every worker it forks, reports each exit (status and CPU time) so the
pool can say which limit was hit, and when the pool hangs up it kills and reaps the rest.

Control messages are JSON over a SOCK_SEQPACKET pair; a spawn request carries the worker's end
of a socketpair, and the reply carries a pidfd so the pool can kill the worker race-free.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket
import sys
from typing import Any

from tools.registry import load_spec
from tools.sandbox import isolation
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
        mechanism = isolation.probe(init["isolation"])
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
            "isolation": mechanism,
            "load_errors": load_errors,
            "threads": threads,
        },
    )
    selector = selectors.DefaultSelector()
    selector.register(ctrl, selectors.EVENT_READ, "ctrl")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    children: set[int] = set()
    running = True
    while running:
        for key, _ in selector.select():
            if key.data == "child":
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
                _reap(ctrl, children, block=False)
                continue
            try:
                data, fds, _, _ = socket.recv_fds(ctrl, _MAX_MESSAGE, 4)
            except OSError:
                data, fds = b"", []
            if not data:  # the pool is gone
                running = False
                break
            message = json.loads(data)
            if message["type"] == "spawn":
                _spawn(ctrl, message, fds[0], tools, load_errors, mechanism, children, selector,
                       (wake_r, wake_w))
            elif message["type"] == "shutdown":
                running = False
                break
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _reap(ctrl, children, block=True)
    os._exit(0)


def _spawn(
    ctrl: socket.socket,
    message: dict[str, Any],
    worker_fd: int,
    tools: dict[str, Tool],
    load_errors: dict[str, str],
    mechanism: str,
    children: set[int],
    selector: selectors.BaseSelector,
    wake: tuple[int, int],
) -> None:
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(worker_fd)
        _send(ctrl, {"type": "spawn_failed", "id": message["id"], "error": str(exc)})
        return
    if pid == 0:
        try:
            isolation.set_parent_death_signal(signal.SIGKILL)
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            selector.close()
            ctrl.close()
            for fd in wake:
                os.close(fd)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.close(devnull)
            from tools.sandbox.worker import serve

            config = dict(message, isolation=mechanism)
            serve(socket.socket(fileno=worker_fd), tools, load_errors, config)
        finally:
            os._exit(70)
    children.add(pid)
    os.close(worker_fd)
    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pass
    reply = {"type": "spawned", "id": message["id"], "pid": pid}
    _send(ctrl, reply, [pidfd] if pidfd is not None else None)
    if pidfd is not None:
        os.close(pidfd)


def _reap(ctrl: socket.socket, children: set[int], block: bool) -> None:
    while children:
        try:
            pid, status, usage = os.wait4(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        except InterruptedError:
            continue
        if pid == 0:
            return
        children.discard(pid)
        report = {
            "type": "exited",
            "pid": pid,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
        try:
            _send(ctrl, report)
        except OSError:
            pass
