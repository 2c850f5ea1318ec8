"""An MCP server's tool as a registry entry, and the routing of one Commands segment's calls.

An `McpTool` is a `Tool` like any plugin's: a name the model writes, a capability label, an
API line, availability with a reason, so the meta instruction, `moss-agent tools list` and the
REPL need nothing new. What differs is where it runs: not in a sandbox worker (there is no
Python function to import) but in the MCP server the toolset keeps, which is confined itself;
its `needs_files()` is what that server may touch.
`run_calls` sends each call to its side and keeps the calls' order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from tools.errors import InvalidArguments
from tools.mcp.schema import ArgumentMap
from tools.registry import Registry
from tools.result import ErrorKind, ToolResult
from tools.tool import Files, Tool

if TYPE_CHECKING:
    from tools.mcp.client import McpToolset
    from tools.sandbox import SandboxPool

SOURCE_PREFIX = "mcp:"


class _AnyArguments(BaseModel):
    """MCP arguments are checked against the server's JSON Schema, not a pydantic model."""

    model_config = ConfigDict(extra="allow")


class McpTool(Tool):
    """One tool of one MCP server, under the name the model writes."""

    def __init__(self, toolset: McpToolset, server: str, remote: Any, name: str) -> None:
        self.toolset = toolset
        self.server = server
        self.remote_name: str = remote.name
        self.name = name  # type: ignore[misc]
        self.capability = capability_label(server)  # type: ignore[misc]
        self.arguments = ArgumentMap(name, remote.input_schema)
        self.signature = self.arguments.signature  # type: ignore[misc]
        self.description = (remote.description or "").strip()  # type: ignore[misc]
        self.check()

    @property
    def spec(self) -> str | None:
        return None  # never imported by a sandbox worker

    @property
    def source(self) -> str:
        return SOURCE_PREFIX + self.server

    @property
    def args_model(self) -> type[BaseModel]:
        return _AnyArguments

    def parse_args(self, args: tuple[str, ...] | list[str]) -> list[Any]:
        return [self.arguments.to_arguments(args)]

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        return self.toolset.submit(self, arguments).result()

    def submit(self, args: Sequence[str]) -> Future[ToolResult]:
        """Start the call and return at once; bad arguments answer without reaching the server."""
        try:
            arguments = self.arguments.to_arguments(args)
        except InvalidArguments as exc:
            done: Future[ToolResult] = Future()
            done.set_result(ToolResult.failure(ErrorKind.INVALID_ARGS, str(exc)).with_elapsed(0.0))
            return done
        return self.toolset.submit(self, arguments)

    def is_available(self) -> bool:  # type: ignore[override]
        return self.unavailable_reason() is None

    def unavailable_reason(self) -> str | None:  # type: ignore[override]
        return self.toolset.unavailable_reason(self.server)

    def needs_network(self) -> bool:
        return self.toolset.needs_network(self.server)

    def needs_files(self) -> Files:
        """What its server may touch beyond the sandbox's defaults (`tools list` shows it)."""
        return self.toolset.server_files(self.server)


def capability_label(server: str) -> str:
    """`weather` -> `Weather`, `my-files` -> `My files`: the meta instruction's label."""
    words = re.sub(r"[_.\-]+", " ", server).strip() or server
    return words[:1].upper() + words[1:]


def moss_name(server: str, remote_name: str, taken: Callable[[str], bool]) -> str:
    """The name the model writes: the MCP name made an identifier, prefixed with the server's
    name when it clashes with a tool already registered (a built-in, another server's)."""
    base = re.sub(r"\W", "_", remote_name, flags=re.ASCII) or "tool"
    if base[0].isdigit():
        base = "_" + base
    if not taken(base):
        return base
    prefix = re.sub(r"\W", "_", server, flags=re.ASCII)
    candidate = f"{prefix}_{base}" if not prefix[0].isdigit() else f"_{prefix}_{base}"
    number = 2
    unique = candidate
    while taken(unique):
        unique = f"{candidate}_{number}"
        number += 1
    return unique


def run_calls(
    registry: Registry,
    pool: Callable[[], SandboxPool],
    calls: Sequence[tuple[str, Sequence[str]]],
) -> list[ToolResult]:
    """Run one Commands segment's calls: MCP tools on their servers, every other call in the
    sandbox pool (which also answers unknown or disabled names). All run at once; results keep
    the calls' order. `pool` is only called when some call needs the sandbox."""
    futures: dict[int, Future[ToolResult]] = {}
    sandboxed: list[int] = []
    for index, (name, args) in enumerate(calls):
        tool = registry.get(name) if registry.is_enabled(name) else None
        if isinstance(tool, McpTool):
            futures[index] = tool.submit(args)
        else:
            sandboxed.append(index)
    results: list[ToolResult | None] = [None] * len(calls)
    if sandboxed:
        answered = pool().run_many([calls[i] for i in sandboxed])
        for index, result in zip(sandboxed, answered):
            results[index] = result
    for index, future in futures.items():
        tool = registry.get(calls[index][0])
        assert isinstance(tool, McpTool)
        try:  # the server's own bounds answer first; this one guards against a stuck loop
            results[index] = future.result(timeout=tool.toolset.call_bound(tool.server))
        except FutureTimeout:
            future.cancel()
            results[index] = ToolResult.failure(
                ErrorKind.TIMEOUT, f"{tool.name}: MCP server {tool.server!r} did not answer"
            )
    return [r for r in results if r is not None]
