"""The SDK for moss-agent tool plugins: tools, results, the registry and the sandbox."""

from tools.result import NO_RESULT, ErrorKind, ToolError, ToolFailure, ToolResult

__all__ = ["NO_RESULT", "ErrorKind", "ToolError", "ToolFailure", "ToolResult"]
