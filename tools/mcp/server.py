"""The registry's own tools as an MCP server: what `moss-agent mcp` runs.

Every enabled tool that can answer now (built-in or a third-party plugin; not tools imported
from MCP servers, which would only loop back) is listed with its name, its docstring as the
description, and its pydantic argument model as the input schema. A call is checked against
that model here, then runs exactly as the agent's calls do: in a sandbox worker of one warm
pool, under the same limits (wall time, CPU, memory, output, no network unless the tool
declared it). A refused, failing or timed-out call is an `isError` result whose text is the
reason; nothing a client sends runs in this process.

The pool's calls block, so each runs on a worker thread; many clients' calls queue for the
pool's workers rather than for this process.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server import Server
from pydantic import ValidationError

from tools.errors import SandboxError
from tools.mcp.tool import McpTool
from tools.registry import RegisteredTool, Registry
from tools.result import ToolResult
from tools.sandbox import Limits, SandboxPool
from tools.tool import FunctionTool, Tool

SERVER_NAME = "moss-agent"


def served_entries(registry: Registry) -> list[RegisteredTool]:
    """The registry's tools an MCP client may call now."""
    return [
        e for e in registry.entries()
        if e.enabled and e.spec and not isinstance(e.tool, McpTool) and e.tool.is_available()
    ]


def describe(tool: Tool) -> str:
    """The tool's description: declared, else its docstring (never the SDK's own)."""
    if tool.description.strip():
        return tool.description.strip()
    if type(tool).__doc__ == FunctionTool.__doc__:  # a @tool function without a docstring
        return ""
    return inspect.getdoc(type(tool)) or ""


def mcp_tool(tool: Tool) -> types.Tool:
    schema = tool.args_model.model_json_schema()
    schema.pop("title", None)
    return types.Tool(name=tool.name, title=tool.capability, description=describe(tool) or None,
                      input_schema=schema)


def positional(tool: Tool, arguments: dict[str, Any]) -> list[str]:
    """MCP's named arguments as the positional strings a sandboxed call takes.

    Raises ValueError with the tool's own one-line explanation when they do not fit.
    """
    model = tool.args_model
    try:
        model.model_validate(arguments)
    except ValidationError as exc:
        raise ValueError(tool._explain(exc)) from None
    names = list(model.model_fields)
    given = [i for i, name in enumerate(names) if name in arguments]
    last = given[-1] if given else -1
    missing = [names[i] for i in range(last + 1) if names[i] not in arguments]
    if missing:
        raise ValueError(
            f"{tool.name}: give {', '.join(missing)} too; a later argument was given"
        )
    return [_text(arguments[name]) for name in names[: last + 1]]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def result_text(result: ToolResult) -> str:
    """What an MCP client reads: the MOSS Result body, or the reason for a failure."""
    if not result.ok:
        return result.error.message if result.error else "No result."
    return result.render_body().lstrip(" \n")


class PoolHolder:
    """One warm sandbox pool for the server's life, replaced if its zygote dies."""

    def __init__(self, registry: Registry, workers: int, limits: Limits) -> None:
        self._make: Callable[[], SandboxPool] = lambda: SandboxPool(registry, workers=workers, limits=limits)
        self._pool: SandboxPool | None = None
        self._lock = threading.Lock()

    def get(self) -> SandboxPool:
        with self._lock:
            if self._pool is not None and not self._pool.usable:
                self._pool.close()
                self._pool = None
            if self._pool is None:
                self._pool = self._make()
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def build_server(registry: Registry, pools: PoolHolder) -> Server[Any]:
    """An MCP server (the SDK's low-level `Server`) over the registry's tools."""

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[mcp_tool(e.tool) for e in served_entries(registry)])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        entry = next((e for e in served_entries(registry) if e.tool.name == params.name), None)
        if entry is None:
            known = ", ".join(e.tool.name for e in served_entries(registry)) or "none"
            return _error(f"no tool named {params.name!r} is served here (tools: {known})")
        try:
            args = positional(entry.tool, dict(params.arguments or {}))
        except ValueError as exc:
            return _error(str(exc))
        try:
            result = await anyio.to_thread.run_sync(lambda: pools.get().run(entry.tool.name, args))
        except SandboxError as exc:  # a replacement pool that cannot start: say so, keep serving
            return _error(str(exc))
        return types.CallToolResult(
            content=[types.TextContent(text=result_text(result))], is_error=not result.ok
        )

    return Server(SERVER_NAME, version=_version(), on_list_tools=list_tools, on_call_tool=call_tool)


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("moss-agent")
    except metadata.PackageNotFoundError:
        return "0"


def serve_stdio(registry: Registry, *, workers: int = 2, limits: Limits | None = None) -> None:
    """Serve over this process's stdin/stdout until the client closes them."""
    from mcp.server.stdio import stdio_server

    pools = PoolHolder(registry, workers, limits or Limits())
    pools.get()  # a sandbox that cannot start is one error line now, not a failure per call
    server = build_server(registry, pools)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    try:
        anyio.run(main)
    finally:
        pools.close()


def serve_http(
    registry: Registry,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    limits: Limits | None = None,
) -> None:
    """Serve streamable HTTP at http://HOST:PORT/mcp until interrupted.

    On a loopback host the SDK also checks Host and Origin headers (DNS rebinding).
    """
    import uvicorn

    pools = PoolHolder(registry, workers, limits or Limits())
    pools.get().warm()  # the first client should not wait for sympy's import
    app = build_server(registry, pools).streamable_http_app(host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    try:
        uvicorn.Server(config).run()
    finally:
        pools.close()
