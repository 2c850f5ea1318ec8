"""MCP both ways: MCP servers' tools as MOSS tools, and the registry's tools as an MCP server.

Client: `McpToolset(find_config())` starts the configured servers on first need and adds
their tools to a `Registry` (`register`); `run_calls` sends each call of a Commands segment to
its MCP server or to the sandbox pool. Server: `serve_stdio(registry)` / `serve_http(...)`
(`tools.mcp.server`) serve the registry's own tools through the sandbox pool.

Configuration is read without importing the MCP SDK; the SDK (about half a second of imports)
loads only when a toolset or server is used, so a run without MCP servers does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tools.errors import McpConfigError, McpWarning
from tools.mcp.config import HttpServer, McpConfig, StdioServer, find_config, resolve

if TYPE_CHECKING:
    from tools.mcp.client import McpToolset, ServerStatus
    from tools.mcp.tool import McpTool, run_calls

_LAZY = {
    "McpToolset": "tools.mcp.client",
    "ServerStatus": "tools.mcp.client",
    "McpTool": "tools.mcp.tool",
    "run_calls": "tools.mcp.tool",
}

__all__ = [
    "HttpServer",
    "McpConfig",
    "McpConfigError",
    "McpTool",
    "McpToolset",
    "McpWarning",
    "ServerStatus",
    "StdioServer",
    "find_config",
    "resolve",
    "run_calls",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tools.mcp' has no attribute {name!r}")
