"""The SDK for moss-agent tool plugins: tools, results, the registry and the sandbox.

A plugin author needs `tool` (or `Tool`), `ToolResult` and `ToolFailure` (and `Files` to
declare files a tool needs); the runtime uses
`Registry` and `SandboxPool`; tests use `tools.testing`.
"""

from tools.errors import (
    InvalidArguments,
    PluginWarning,
    SandboxError,
    ToolDefinitionError,
    ToolUnavailableWarning,
)
from tools.registry import Registry, RegistryWarning
from tools.result import NO_RESULT, ErrorKind, ToolError, ToolFailure, ToolResult
from tools.sandbox import Limits, SandboxPool
from tools.tool import Files, Tool, tool

__all__ = [
    "NO_RESULT",
    "ErrorKind",
    "Files",
    "InvalidArguments",
    "Limits",
    "PluginWarning",
    "Registry",
    "RegistryWarning",
    "SandboxError",
    "SandboxPool",
    "Tool",
    "ToolDefinitionError",
    "ToolError",
    "ToolFailure",
    "ToolResult",
    "ToolUnavailableWarning",
    "tool",
]
