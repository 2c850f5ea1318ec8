"""The SDK for moss-agent tool plugins: tools, results, the registry and the sandbox.

A plugin author needs `tool` (or `Tool`), `ToolResult` and `ToolFailure` (and `Files` to
declare files a tool needs, `ToolExample` to show a model how to call it); the runtime uses
`Registry` and `SandboxPool`; tests use `tools.testing`. Every error moss-agent raises on
purpose derives from `MossAgentError` (the tree is in `tools.errors`).
"""

from __future__ import annotations

from tools.errors import (
    InvalidArguments,
    McpConfigError,
    McpWarning,
    MossAgentError,
    MossAgentWarning,
    ParseError,
    PluginWarning,
    SandboxError,
    ToolDefinitionError,
    ToolsError,
    ToolUnavailableWarning,
    UnknownTool,
)
from tools.examples import ToolExample
from tools.registry import Registry, RegistryWarning
from tools.result import (
    NO_RESULT,
    ErrorKind,
    FailureReason,
    ToolFailure,
    ToolResult,
    old_name,
)
from tools.sandbox import Limits, SandboxPool
from tools.tool import Files, Tool, tool

__all__ = [
    "NO_RESULT",
    "ErrorKind",
    "FailureReason",
    "Files",
    "InvalidArguments",
    "Limits",
    "McpConfigError",
    "McpWarning",
    "MossAgentError",
    "MossAgentWarning",
    "ParseError",
    "PluginWarning",
    "Registry",
    "RegistryWarning",
    "SandboxError",
    "SandboxPool",
    "Tool",
    "ToolDefinitionError",
    "ToolExample",
    "ToolFailure",
    "ToolResult",
    "ToolUnavailableWarning",
    "ToolsError",
    "UnknownTool",
    "tool",
]


def __getattr__(name: str) -> object:
    return old_name(__name__, name)  # `ToolError`, with a DeprecationWarning
