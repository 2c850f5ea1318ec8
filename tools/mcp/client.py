"""MCP servers' tools as registry entries: the client side of `tools.mcp`.

`McpToolset(config)` owns the servers of one configuration. Nothing starts when it is built;
the first `register(registry)` (an Agent does it when a turn first needs the tool list) starts
every server at once and waits for all of them, each within its own start-up bound, and keeps
the tool lists it got for the life of the process (a later toolset with the same servers
registers from them and starts its servers at its first call). `close()` stops them; a later
call starts them again.

How MCP calls run under the sandbox's limits. They are I/O with another process, not Python
code, so they do not take a sandbox worker: a worker would sit idle waiting on a pipe, and the
server is already confined as a whole by the sandbox's layers (`tools.mcp.confine`: its own
files and a scratch folder only, no network unless configured, a pid namespace, the workers'
memory and process limits, seccomp). All servers share one event loop on one thread of the
agent's process, where a call costs a coroutine rather than a process. Per call, as in the
sandbox: a wall-time limit (the entry's `timeout`, 30 s by default, rather than the sandbox's
10 s, because MCP tools often wait on remote services) that cancels the request (the SDK
tells the server) and answers `No result.`; the sandbox's output limit, checked on the result;
and at most 8 calls in flight per server, so a model that writes fifty calls cannot flood one
process - the rest queue within their own time limit. The only CPU an MCP call spends in the
agent's process is decoding JSON.
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from pydantic import BaseModel

from tools.errors import McpWarning
from tools.mcp.config import HttpServer, McpConfig, StdioServer
from tools.mcp.confine import server_files
from tools.mcp.connection import FAILED, READY, Connection
from tools.mcp.tool import McpTool, moss_name
from tools.registry import Registry
from tools.result import ErrorKind, ToolResult
from tools.sandbox import Limits
from tools.tool import Files

_GRACE_S = 15.0

# Tool lists by server entry, kept for the life of the process: another toolset with the same
# servers (a second Agent) registers their tools without starting anything, and its servers
# start at its first call instead. Only successful listings are kept.
_LISTINGS: dict[str, list[Any]] = {}
_LISTINGS_LOCK = threading.Lock()


def _listing_key(name: str, entry: StdioServer | HttpServer) -> str:
    return name + "\0" + entry.model_dump_json()


class ServerStatus(BaseModel):
    """How one configured server stands, for `moss-agent tools list` and the REPL."""

    name: str
    transport: str
    state: str  # starting, ready, unavailable, closed, disabled
    reason: str | None = None
    note: str | None = None  # misbehaviour that broke nothing (text on stdout)
    tools: list[str] = []
    files: Files | None = None  # what a stdio server may touch beyond the sandbox's defaults


class McpToolset:
    """The servers of one MCP configuration, started on first need; thread-safe."""

    def __init__(self, config: McpConfig, limits: Limits | None = None) -> None:
        self.config = config
        self.limits = limits or Limits()
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connections: dict[str, Connection] = {}
        self._listings: dict[str, list[Any]] = {}  # first tool list per server, kept
        self._registered: dict[int, list[McpTool]] = {}
        self._warned: set[str] = set()
        self._files: dict[str, Files] = {}

    # --- starting and stopping ------------------------------------------------------------

    def start(self) -> None:
        """Start every enabled server in parallel and wait until each is ready or failed."""
        with self._lock:
            if self._loop is not None:
                return
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="moss-mcp", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
            self._connections = {
                name: Connection(name, server, limits=self._limits(server))
                for name, server in self.config.enabled.items()
            }
            if not self._connections:
                return
            bound = max(s.startup_timeout for s in self.config.enabled.values()) + _GRACE_S
            started = asyncio.run_coroutine_threadsafe(self._start_all(), loop)
            try:
                started.result(timeout=bound)
            except FutureTimeout:  # each connection has its own deadline; this is a backstop
                started.cancel()
            for name, connection in self._connections.items():
                if connection.listing is not None:
                    self._listings.setdefault(name, connection.listing)
                    with _LISTINGS_LOCK:
                        key = _listing_key(name, self.config.servers[name])
                        _LISTINGS.setdefault(key, connection.listing)

    def _limits(self, server: StdioServer | HttpServer) -> Limits:
        if isinstance(server, StdioServer) and server.memory_mb:
            return self.limits.model_copy(update={"memory_bytes": server.memory_mb << 20})
        return self.limits

    async def _start_all(self) -> None:
        await asyncio.gather(*(c.start() for c in self._connections.values()))

    def close(self) -> None:
        """Stop every server (the SDK closes stdin, waits, then kills the process group)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            closing = asyncio.run_coroutine_threadsafe(
                asyncio.wait_for(self._close_all(), _GRACE_S), loop
            )
            try:
                closing.result(timeout=_GRACE_S + 5)
            except (FutureTimeout, asyncio.TimeoutError):
                closing.cancel()
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            if not thread.is_alive():
                loop.close()
            self._loop = self._thread = None
            self._connections = {}

    async def _close_all(self) -> None:
        await asyncio.gather(*(c.close() for c in self._connections.values()))

    def __enter__(self) -> McpToolset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- tools ----------------------------------------------------------------------------

    def register(self, registry: Registry, *, enabled: bool = True) -> list[McpTool]:
        """Add the servers' tools to `registry` (once per registry), starting the servers
        unless this process has listed them all before.

        A name already taken (a built-in, another server's tool) gets the server's name as a
        prefix. A server that could not start is reported once as an McpWarning with its
        reason; the other servers' tools are registered all the same.
        """
        with self._lock:
            if id(registry) in self._registered:
                return self._registered[id(registry)]
            with _LISTINGS_LOCK:
                known = {name: _LISTINGS.get(_listing_key(name, entry))
                         for name, entry in self.config.enabled.items()}
            if all(listing is not None for listing in known.values()):
                for name, listing in known.items():  # listed earlier in this process
                    self._listings.setdefault(name, listing)  # type: ignore[arg-type]
            else:
                self.start()
            added: list[McpTool] = []
            for server in self.config.enabled:
                for remote in self._listings.get(server, []):
                    name = moss_name(server, remote.name, lambda n: n in registry)
                    tool = McpTool(self, server, remote, name)
                    registry.add(tool, source=tool.source, enabled=enabled)
                    added.append(tool)
            self._registered[id(registry)] = added
        for status in self.statuses():
            if status.state == FAILED and status.name not in self._warned:
                self._warned.add(status.name)
                warnings.warn(
                    f"MCP server {status.name!r} is unavailable, its tools are not offered: "
                    f"{status.reason}",
                    McpWarning,
                    stacklevel=2,
                )
        return added

    def submit(self, tool: McpTool, arguments: dict[str, Any]) -> Future[ToolResult]:
        """Start one call on the tool's server; the future always completes within
        `call_bound(server)`."""
        self.start()
        with self._lock:
            loop, connection = self._loop, self._connections.get(tool.server)
        if loop is None or connection is None:
            done: Future[ToolResult] = Future()
            done.set_result(ToolResult.failure(
                ErrorKind.UNKNOWN_TOOL, f"{tool.name}: MCP server {tool.server!r} is not running"
            ))
            return done
        return asyncio.run_coroutine_threadsafe(
            connection.call(tool.name, tool.remote_name, arguments), loop
        )

    # --- state ----------------------------------------------------------------------------

    def unavailable_reason(self, server: str) -> str | None:
        """Why the server's tools cannot answer now; None while it runs or is not started."""
        connection = self._connections.get(server)
        if connection is None or connection.state != FAILED:
            return None
        return f"MCP server {server!r} is unavailable: {connection.reason}"

    def needs_network(self, server: str) -> bool:
        entry = self.config.servers.get(server)
        return isinstance(entry, HttpServer) or bool(getattr(entry, "network", False))

    def server_files(self, server: str) -> Files:
        """What a stdio server may touch beyond the sandbox's defaults (its own files and
        its declared ones); nothing for an HTTP server, which runs elsewhere."""
        entry = self.config.servers.get(server)
        if not isinstance(entry, StdioServer):
            return Files()
        with self._lock:
            if server not in self._files:
                self._files[server] = server_files(entry)
            return self._files[server]

    def call_bound(self, server: str) -> float:
        """The longest a call can take: waiting for a (re)start, then the call itself."""
        entry = self.config.servers[server]
        return entry.startup_timeout + entry.timeout + _GRACE_S

    def statuses(self) -> list[ServerStatus]:
        rows = []
        for name, entry in self.config.servers.items():
            connection = self._connections.get(name)
            state = "disabled" if entry.disabled else connection.state if connection else "closed"
            rows.append(ServerStatus(
                name=name,
                transport=entry.transport,
                state=state,
                reason=connection.reason if connection is not None and state == FAILED else None,
                note=connection.note if connection is not None else None,
                tools=[t.name for t in self._listings.get(name, [])],
                files=self.server_files(name) if isinstance(entry, StdioServer) else None,
            ))
        return rows

    @property
    def ready(self) -> bool:
        """Whether every enabled server is serving now."""
        return bool(self._connections) and all(c.state == READY for c in self._connections.values())
