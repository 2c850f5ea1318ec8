"""Errors and warnings raised by the `tools` package. Each says what happened and what to do."""

from __future__ import annotations


class ToolsError(Exception):
    """Base of every error the tools SDK raises on purpose."""


class ToolDefinitionError(ToolsError):
    """A tool is declared wrongly (missing name, bad signature line, untyped argument).

    Raised when the plugin module is imported, so a plugin author sees it before any model does.
    """


class InvalidArguments(ToolsError):
    """The model's arguments do not fit the tool (count, type, length).

    The message is one line written for a person and never contains a traceback; the sandbox
    turns it into a `No result.` with error kind INVALID_ARGS.
    """


class UnknownTool(ToolsError, KeyError):
    """No tool of that name is registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown tool"


class SandboxError(ToolsError):
    """The sandbox itself failed (its zygote did not start, the pool is closed)."""


class PluginWarning(UserWarning):
    """A plugin could not be loaded, or two plugins claim one name; the rest keep working."""


class ToolUnavailableWarning(UserWarning):
    """A tool was asked for by name but cannot answer now, so the model is told it is disabled."""


class McpConfigError(ToolsError):
    """An MCP configuration file is missing, not JSON, or describes a server wrongly.

    The message is one line that names the file (and the server entry) and says what to fix.
    """


class McpWarning(UserWarning):
    """An MCP server misbehaved or could not start; the message names it and says why. The
    other servers' tools (and every other tool) keep working."""
