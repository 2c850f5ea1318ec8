"""The SDK for moss-agent tool plugins: tools, results, the registry and the sandbox.

A plugin author needs `tool` (or `Tool`), `ToolResult` and `ToolFailure` (and `Files` to
declare files a tool needs); the runtime uses
`Registry` and `SandboxPool`; tests use `tools.testing`. Every error moss-agent raises on
purpose derives from `MossAgentError` (the tree is in `tools.errors`).
"""

from __future__ import annotations

import warnings

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
from tools.registry import Registry, RegistryWarning
from tools.result import NO_RESULT, ErrorKind, FailureReason, ToolFailure, ToolResult
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
    "ToolFailure",
    "ToolResult",
    "ToolUnavailableWarning",
    "ToolsError",
    "UnknownTool",
    "tool",
]


def __getattr__(name: str) -> object:
    # `ToolError` was the result type's name, one letter from the exception `ToolsError`.
    if name == "ToolError":
        warnings.warn("tools.ToolError is now tools.FailureReason; the old name goes in the next "
                      "release", DeprecationWarning, stacklevel=2)
        return FailureReason
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
