"""The worker: a process forked by the zygote that runs tool calls, one at a time, forever.

Everything here runs in the child after fork. The worker confines itself (confinement.apply:
filesystem, network, limits, capabilities, seccomp) before any tool code runs, runs its tools'
`setup()` off the call's clock, then answers requests until its socket closes; after each
call it kills what the call started and empties its scratch folder (cleanup.after_call). Per
call it arms RLIMIT_CPU relative to the CPU it has used so far (the limit is cumulative per process), bounds what the
tool prints, and turns every outcome into a ToolResult, so a tool's exception never escapes.
"""

from __future__ import annotations

import errno
import io
import math
import os
import resource
import signal
import socket
import sys
import traceback
from typing import Any, NoReturn

from tools.result import ErrorKind, ToolResult
from tools.sandbox import cleanup, confinement, isolation, procs, protocol
from tools.sandbox.confinement import Policy
from tools.tool import Tool

_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL}


class OutputExceeded(BaseException):
    """Raised from a tool's print() once it has printed more than the output limit.

    A BaseException, so a tool's `except Exception` cannot swallow it.
    """


class _BoundedWriter(io.TextIOBase):
    """Stands in for stdout/stderr during a call: counts, discards, and stops at the limit."""

    def __init__(self) -> None:
        self.limit = 0
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written += len(text)
        if self.written > self.limit:
            raise OutputExceeded()
        return len(text)


class _NetworkWatch:
    """Notes Python-level socket use (an audit hook), only to name the error precisely.

    This is diagnosis, not protection: the kernel mechanism blocks the network either way.
    """

    def __init__(self) -> None:
        self.event: str | None = None

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.event is None and event.startswith("socket.") and event != "socket.gethostname":
            self.event = f"{event}{_short(args)}"


def _short(args: tuple[Any, ...]) -> str:
    text = repr(args)
    return text if len(text) <= 80 else text[:77] + "..."


def serve(
    sock: socket.socket,
    tools: dict[str, Tool],
    load_errors: dict[str, str],
    config: dict[str, Any],
) -> NoReturn:
    """Confine this process, set up the tools, then answer calls until the pool hangs up."""
    code = 0
    try:
        _serve(sock, tools, load_errors, config)
    except BaseException as exc:  # noqa: BLE001 -- a worker must never return into the zygote
        code = 70
        if not config.get("ready_sent"):  # say why, rather than "died while starting"
            try:
                protocol.send(sock, {"type": "failed", "error": _describe(exc)})
            except OSError:
                pass
    os._exit(code)


def _serve(
    sock: socket.socket, tools: dict[str, Tool], load_errors: dict[str, str], config: dict[str, Any]
) -> None:
    policy = Policy.model_validate(config["policy"])
    mechanisms = policy.mechanisms
    mechanism = isolation.NONE if policy.network else mechanisms.network
    ready: dict[str, Any] = {"type": "ready", "pid": os.getpid(), "isolation": mechanism}
    try:
        procs.exit_on_cpu_limit()
        if mechanisms.processes == procs.SUBREAPER:
            procs.become_reaper()
        confinement.apply(policy)
    except OSError as exc:
        # Fail closed: a worker that should be confined but is not refuses to start.
        protocol.send(sock, {"type": "failed", "error": f"the sandbox could not confine this "
                             f"worker: {exc}"})
        return
    watch = _NetworkWatch()
    if not policy.network:
        sys.addaudithook(watch)

    served = {name: tools[name] for name in config["tools"] if name in tools}
    setup_errors: dict[str, str] = dict(load_errors)
    for name, tool in served.items():
        try:
            tool.setup()
        except BaseException as exc:  # noqa: BLE001
            setup_errors[name] = f"setup failed: {type(exc).__name__}: {exc}"
    ready["setup_errors"] = setup_errors

    writer = _BoundedWriter()
    sys.stdout = sys.stderr = writer
    handlers = cleanup.snapshot_handlers()
    cleanup.after_call(policy.scratch, handlers)  # what set-up left is not the first call's
    protocol.send(sock, ready)
    config["ready_sent"] = True
    while True:
        try:
            request = protocol.recv(sock)
        except (protocol.Closed, OSError):
            return
        result = _call(request, served, tools, setup_errors, watch, writer, mechanism)
        body = result.model_dump(mode="json", exclude={"elapsed_s"}, exclude_defaults=True)
        reply: dict[str, Any] = {"type": "result", "result": body}
        if not cleanup.after_call(policy.scratch, handlers):
            reply["retire"] = True
        protocol.send(sock, reply)


def _call(
    request: dict[str, Any],
    served: dict[str, Tool],
    tools: dict[str, Tool],
    setup_errors: dict[str, str],
    watch: _NetworkWatch,
    writer: _BoundedWriter,
    mechanism: str,
) -> ToolResult:
    name = request["tool"]
    args = [str(a) for a in request["args"]]
    output_bytes = int(request["output_bytes"])
    if name in setup_errors:
        return ToolResult.failure(ErrorKind.EXCEPTION, f"{name}: {setup_errors[name]}")
    tool = served.get(name)
    if tool is None:
        where = "a network" if name in tools else "this"
        return ToolResult.failure(
            ErrorKind.UNKNOWN_TOOL, f"{name} is not loaded in {where} sandbox worker"
        )
    _arm_cpu_limit(float(request["cpu_s"]))
    writer.limit, writer.written = output_bytes, 0
    watch.event = None
    try:
        result = tool.invoke(args)
    except OutputExceeded:
        return ToolResult.failure(
            ErrorKind.OUTPUT, f"{name} printed more than the {output_bytes}-byte output limit"
        )
    except MemoryError:
        return _out_of_memory(name)
    except BaseException as exc:  # noqa: BLE001 -- every tool bug becomes a result
        if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
            return _out_of_memory(name)
        blocked = _network_cause(exc, watch, mechanism)
        if blocked:
            return ToolResult.failure(
                ErrorKind.NETWORK,
                f"{name} tried to use the network ({blocked}), but its worker has no network "
                f"access (isolation: {mechanism}); a tool that needs the network must "
                f"declare network=True",
            )
        refused = _sandbox_cause(exc)
        if refused:
            return ToolResult.failure(
                ErrorKind.SANDBOX, f"{name} was stopped by the sandbox: {refused} ({_describe(exc)})"
            )
        return ToolResult.failure(ErrorKind.EXCEPTION, f"{name} raised {_describe(exc)}")
    size = sum(len(item) for item in result.items)  # characters: a lower bound on bytes
    if size <= output_bytes:
        size = sum(len(item.encode("utf-8", "replace")) for item in result.items)
    if size > output_bytes:
        return ToolResult.failure(
            ErrorKind.OUTPUT,
            f"{name} returned at least {size} bytes, over the {output_bytes}-byte output limit",
        )
    return result


def _out_of_memory(name: str) -> ToolResult:
    return ToolResult.failure(
        ErrorKind.MEMORY, f"{name} ran out of memory (the worker's limit is "
        f"{resource.getrlimit(resource.RLIMIT_AS)[0]} bytes of address space)"
    )


def _sandbox_cause(exc: BaseException) -> str | None:
    """What the sandbox refused, when `exc` (or what caused it) is such a refusal."""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            break
        if isinstance(current, OSError):
            if current.errno in (errno.EACCES, errno.EROFS, errno.EPERM) and current.filename:
                return ("tools may read only the system, Python and their declared files, and "
                        "write only their scratch folder (the working directory); a tool that "
                        "needs more declares files=Files(...)")
            if current.errno == errno.EPERM:
                return "that system call is not allowed to tools"
            if current.errno == errno.EAGAIN:
                return "too many processes (a worker's process limit)"
        current = current.__cause__ or current.__context__
    return None


def _arm_cpu_limit(cpu_s: float) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + cpu_s)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _network_cause(exc: BaseException, watch: _NetworkWatch, mechanism: str) -> str | None:
    """Why this exception means "the network is blocked", or None if it does not."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, socket.gaierror):
            return f"name lookup failed: {current}"
        if isinstance(current, OSError):
            if current.errno in _NETWORK_ERRNOS:
                return f"{watch.event or 'a socket'}: {current.strerror}"
            if (
                current.errno in (errno.EPERM, errno.EACCES)
                and current.filename is None
                and (watch.event or mechanism == isolation.SECCOMP)
            ):
                return f"{watch.event or 'socket()'}: {current.strerror}"
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def _describe(exc: BaseException) -> str:
    """`ValueError: bad input (at plugin.py:12 in run)`: one line, no traceback."""
    message = str(exc)
    if len(message) > 300:
        message = message[:297] + "..."
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {os.path.basename(last.filename)}:{last.lineno} in {last.name})"
    return text
