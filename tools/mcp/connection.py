"""One MCP server, as the client side keeps it: started, listed, called, restarted once.

Everything here runs on the toolset's event loop (see `tools.mcp.client`). A connection is a
task that holds the SDK's `Client` open inside one cancel scope: the scope carries the start-up
deadline until the tool list has arrived, then none, and cancelling it is how the connection
is closed (the SDK then closes stdin, waits, and kills the server's process group).

A server that exits, or whose HTTP connection breaks, is noticed by the call that was waiting
on it (the SDK answers it "connection closed") or by the connection task ending early. The
first time, the server is started again and that call answers `No result.`; the second time,
its tools become unavailable with the reason - never a hang. The reason always ends with the
tail of what the server wrote on stderr, which is usually the only place a server says why.

A stdio server runs confined (`tools.mcp.confine`): each start makes a confinement (scratch
folder, cgroup) off the event loop, and each connection, however it ends, closes its own, which
kills whatever the server left behind and removes the folder and the group.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
import warnings
from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, Implementation

from tools.errors import McpWarning
from tools.mcp.config import HttpServer, StdioServer
from tools.mcp.confine import confined_command
from tools.mcp.results import one_line, to_tool_result
from tools.result import ErrorKind, ToolResult
from tools.sandbox import Confinement, Limits

# The SDK logs a traceback for every line a server writes that is not JSON-RPC; with no
# handler configured Python would print it. Here such lines become one McpWarning instead; an
# application that configures logging still sees the SDK's records.
logging.getLogger("mcp").addHandler(logging.NullHandler())

MAX_CONCURRENT_CALLS = 8  # per server; more calls of one Commands segment wait their turn
_STDERR_KEEP = 8192
_LIST_PAGES = 100
_CLIENT_INFO = Implementation(name="moss-agent", version="0.1.0")

STARTING, READY, FAILED, CLOSED = "starting", "ready", "unavailable", "closed"


class StderrTail:
    """Keeps the last few kilobytes a server wrote on stderr, reading as it arrives so a
    chatty server never blocks on a full pipe."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._fd: int | None = None

    def open(self) -> Any:
        """A new pipe for the next process; returns the write end to give it as stderr."""
        self.close()
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        self._fd = read_fd
        self._data.clear()
        try:
            asyncio.get_running_loop().add_reader(read_fd, self.drain)
        except RuntimeError:  # no loop: drained on demand only
            pass
        return os.fdopen(write_fd, "w", encoding="utf-8", errors="replace")

    def drain(self) -> None:
        while self._fd is not None:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self.close()
                return
            self._data += chunk
            if len(self._data) > _STDERR_KEEP:
                del self._data[: len(self._data) - _STDERR_KEEP]

    def text(self, chars: int = 300) -> str:
        """The end of what the server said, on one line; empty if it said nothing.

        The end, because a server that fails says why last (after any noise before it).
        """
        self.drain()
        lines = [line.strip() for line in self._data.decode("utf-8", "replace").splitlines()]
        flat = " | ".join(line for line in lines if line)
        return flat if len(flat) <= chars else "..." + flat[-(chars - 3):]

    def close(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            asyncio.get_running_loop().remove_reader(fd)
        except (RuntimeError, ValueError):
            pass
        os.close(fd)


class Connection:
    """One configured server. `start()` and `call()` are coroutines on the toolset's loop."""

    def __init__(
        self,
        name: str,
        config: StdioServer | HttpServer,
        *,
        limits: Limits,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.limits = limits  # memory and processes of a stdio server; every call's output
        self.output_bytes = limits.output_bytes
        self.state = STARTING
        self.reason: str | None = None
        self.listing: list[Any] | None = None  # the first tool list, kept for the process
        self.deaths = 0
        self._warn = warn or (lambda message: warnings.warn(message, McpWarning, stacklevel=2))
        self._stderr = StderrTail()
        self._client: Client | None = None
        self._scope: anyio.CancelScope | None = None
        self._ready: anyio.Event | None = None
        self._generation = 0
        self._semaphore: anyio.Semaphore | None = None
        self.note: str | None = None
        self.confinement: Confinement | None = None  # the running stdio server's
        self._tasks: set[Any] = set()

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"MCP server {self.name!r}"

    async def start(self) -> None:
        """Start the server and list its tools; return once it is ready or has failed."""
        ready = self._begin()
        await ready.wait()

    def _begin(self) -> anyio.Event:
        """Launch a connection task (a new generation); its event is set when it settles."""
        self._generation += 1
        self.state, self.reason = STARTING, None
        self._ready = ready = anyio.Event()
        self._semaphore = self._semaphore or anyio.Semaphore(MAX_CONCURRENT_CALLS)
        task = asyncio.get_running_loop().create_task(self._run(self._generation, ready))
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)
        return ready

    async def _run(self, generation: int, ready: anyio.Event) -> None:
        scope = anyio.CancelScope(deadline=anyio.current_time() + self.config.startup_timeout)
        self._scope = scope
        if self.state == CLOSED:
            scope.cancel()
        error: BaseException | None = None
        errlog: Any = None
        confinement: Confinement | None = None
        try:
            with scope:
                command: list[str] = []
                if isinstance(self.config, StdioServer):
                    confinement, command = await anyio.to_thread.run_sync(
                        confined_command, self.name, self.config, self.limits)
                    self.confinement = confinement
                client, errlog = self._open(command)
                async with client:
                    _close(errlog)  # the server has its own copy now
                    listing = await _list_tools(client)
                    if self.listing is None:
                        self.listing = listing
                    self._client, self.state = client, READY
                    scope.deadline = math.inf
                    ready.set()
                    await anyio.sleep_forever()
        except Exception as exc:  # noqa: BLE001 -- every way a server fails becomes a reason
            error = exc
        finally:
            _close(errlog)
            if generation == self._generation:
                self._client = None
                self._ended(error, timed_out=scope.cancelled_caught and not ready.is_set(),
                            was_ready=ready.is_set())
            if confinement is not None:  # the SDK has stopped the server; end what it left
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(confinement.close)
            ready.set()

    def _open(self, command: list[str]) -> tuple[Client, Any]:
        """The SDK client for this server, and the stderr pipe's write end (stdio) to close;
        `command` is the confined command line of a stdio server."""
        errlog = None
        transport: Any  # either kind of the SDK's transports, an async context manager
        if isinstance(self.config, HttpServer):
            import httpx2

            http = httpx2.AsyncClient(headers=self.config.headers, timeout=httpx2.Timeout(30, read=300))
            transport = _owning(streamable_http_client(self.config.url, http_client=http), http)
        else:
            params = StdioServerParameters(command=command[0], args=command[1:],
                                           env=self.config.env or None, cwd=self.config.cwd)
            errlog = self._stderr.open()
            transport = stdio_client(params, errlog=errlog)
        return Client(transport, message_handler=self._on_message, client_info=_CLIENT_INFO), errlog

    def _ended(self, error: BaseException | None, *, timed_out: bool, was_ready: bool) -> None:
        """The connection task ended: at close, by failing to start, or by breaking."""
        if self.state == CLOSED:
            return
        if timed_out:
            self._fail(f"did not start and list its tools within {self.config.startup_timeout:g} s")
        elif not was_ready:
            self._fail(f"could not start: {_describe(error, self.config)}")
        else:  # it was serving, and the connection broke under it
            self.lost(self._generation, f"{_ended_how(self.config)} ({_describe(error, self.config)})")

    def _fail(self, reason: str) -> None:
        tail = self._stderr.text()
        self.state = FAILED
        self.reason = f"{reason}{self._memory_note()}" + (f" (stderr: {tail})" if tail else "")

    def _memory_note(self) -> str:
        """Why the kernel ended the server, when it was for memory (cgroup limits only)."""
        confinement = self.confinement
        if confinement is None or confinement.group is None or not confinement.group.oom_killed():
            return ""
        return (f" (killed by the kernel: over its memory limit of "
                f"{confinement.policy.memory_bytes >> 20} MB; \"memory_mb\" in its configuration "
                f"sets it)")

    def lost(self, generation: int, reason: str) -> str:
        """The server died or its connection broke; restart it once. Returns what happened."""
        if generation != self._generation or self.state != READY:
            return self.reason or "it is being restarted"
        self.deaths += 1
        tail = self._stderr.text()
        what = reason + self._memory_note() + (f" (stderr: {tail})" if tail else "")
        if self._scope is not None:
            self._scope.cancel()
        if self.deaths >= 2:
            self.state = FAILED
            self.reason = f"{what}; it stopped twice, so it is not restarted again"
            return self.reason
        self._begin()
        return f"{what}; it is being restarted"

    async def close(self) -> None:
        self.state = CLOSED
        with anyio.move_on_after(10):  # the SDK bounds its own shutdown; this bounds ours
            while self._tasks:
                if self._scope is not None:
                    self._scope.cancel()  # the newest connection's, even one just begun
                await anyio.sleep(0.01)
        self._stderr.close()

    async def _on_message(self, message: Any) -> None:
        """Server messages the session does not consume; only stray stdout text matters."""
        if isinstance(message, Exception) and self.note is None:
            self.note = (
                "wrote text to stdout that is not an MCP message; it was ignored (a server "
                "must keep stdout for MCP and log to stderr)"
            )
            self._warn(f"{self.label} {self.note}")
        await anyio.lowlevel.checkpoint()

    # --- calls ----------------------------------------------------------------------------

    async def call(self, tool: str, remote_name: str, arguments: dict[str, Any]) -> ToolResult:
        """One call, answered within the start-up bound plus the call timeout, always."""
        started = time.perf_counter()
        result = await self._call(tool, remote_name, arguments)
        return result.with_elapsed(time.perf_counter() - started)

    async def _call(self, tool: str, remote_name: str, arguments: dict[str, Any]) -> ToolResult:
        if self.state == STARTING and self._ready is not None:
            await self._ready.wait()
        client, generation = self._client, self._generation
        if self.state != READY or client is None or self._semaphore is None:
            return ToolResult.failure(
                ErrorKind.CRASHED, f"{tool}: {self.label} is unavailable: {self.reason or self.state}"
            )
        timeout = self.config.timeout
        with anyio.move_on_after(timeout) as scope:
            async with self._semaphore:
                try:
                    result = await client.call_tool(remote_name, arguments)
                except MCPError as exc:
                    if exc.code == CONNECTION_CLOSED:
                        what = self.lost(generation, f"{_ended_how(self.config)} during the call")
                        return ToolResult.failure(ErrorKind.CRASHED, f"{tool}: {self.label} {what}")
                    return ToolResult.failure(
                        ErrorKind.EXCEPTION, f"{tool}: {self.label} answered error {exc.code}: "
                        f"{one_line(exc.message)}"
                    )
                except Exception as exc:  # noqa: BLE001 -- a broken result or transport
                    return ToolResult.failure(
                        ErrorKind.CRASHED, f"{tool}: {self.label}: {_describe(exc, self.config)}"
                    )
        if scope.cancelled_caught:
            return ToolResult.failure(
                ErrorKind.TIMEOUT,
                f"{tool} did not answer within {timeout:g} s, so the call was cancelled "
                f"({self.label}; \"timeout\" in its configuration sets the limit)",
            )
        return to_tool_result(tool, result, self.output_bytes)


def _close(file: Any) -> None:
    if file is not None and not file.closed:
        file.close()


async def _list_tools(client: Client) -> list[Any]:
    tools: list[Any] = []
    cursor: str | None = None
    for _ in range(_LIST_PAGES):
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if cursor is None:
            break
    return tools


class _owning:
    """A transport that also closes the HTTP client it was given."""

    def __init__(self, transport: Any, http: Any) -> None:
        self._transport, self._http = transport, http

    async def __aenter__(self) -> Any:
        await self._http.__aenter__()
        try:
            return await self._transport.__aenter__()
        except BaseException:
            await self._http.__aexit__(None, None, None)
            raise

    async def __aexit__(self, *exc: Any) -> Any:
        try:
            return await self._transport.__aexit__(*exc)
        finally:
            await self._http.__aexit__(None, None, None)


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _ended_how(config: StdioServer | HttpServer) -> str:
    return "exited" if isinstance(config, StdioServer) else "closed the connection"


def _describe(error: BaseException | None, config: StdioServer | HttpServer) -> str:
    """Why a server failed, in words: the innermost error that is not a cancellation."""
    if error is None:
        return f"it {_ended_how(config)}"
    leaves = [e for e in _leaves(error) if not isinstance(e, anyio.get_cancelled_exc_class())] or [error]
    leaf = leaves[0]
    if isinstance(leaf, MCPError) and leaf.code == CONNECTION_CLOSED:
        return f"it {_ended_how(config)}"
    text = one_line(str(leaf)) or type(leaf).__name__
    if isinstance(config, HttpServer):
        return f"{config.url}: {type(leaf).__name__}: {text}"
    return f"{type(leaf).__name__}: {text}"
