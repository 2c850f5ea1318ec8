"""Errors and warnings of moss-agent, rooted here; those of the `tools` package itself.

Every error the project raises on purpose derives from `MossAgentError`, so a caller (the CLI,
a web server, a script embedding the agent) catches one class and shows its message, which
says what happened and what to do. The root lives in `tools`, the package every other one may
import (`agent -> tools <- plugins`); `agent.errors` and the plugins' errors modules extend it.

    MossAgentError                      tools.errors: the root
    ├── ToolsError                      tools: the plugin SDK
    │   ├── ToolDefinitionError         a tool declared wrongly (at import, for its author)
    │   ├── InvalidArguments            the model's arguments do not fit a tool
    │   ├── UnknownTool (and KeyError)  no tool of that name is registered
    │   ├── SandboxError                the sandbox cannot start or is closed
    │   ├── McpConfigError              an MCP configuration file is wrong
    │   └── ToolFailure                 raised inside a tool: a clean `No result.` (tools.result)
    ├── ParseError                      text that is not MOSS wire format at all (tools.wire)
    ├── agent.errors: ModelAssetError, BackendError, ConfigurationError, StoreError, RequestError
    ├── plugins.errors: MathError (and ValueError) > TooLarge, NoSolution
    └── plugins.search.errors: SearchError > ProviderUnavailable, DocumentError

    MossAgentWarning (UserWarning)      the root of the warnings
    ├── PluginWarning                   a plugin failed to load, or two claim one name
    ├── ToolUnavailableWarning          a tool asked for by name cannot answer now
    └── McpWarning                      an MCP server misbehaved; the other tools keep working
"""

from __future__ import annotations


class MossAgentError(Exception):
    """The root of every error moss-agent raises on purpose; its message says what to do."""


class MossAgentWarning(UserWarning):
    """The root of moss-agent's warnings: something is degraded, and the rest keeps working."""


class ToolsError(MossAgentError):
    """Base of every error the tools SDK raises on purpose."""


class ParseError(MossAgentError):
    """Text that cannot be read as MOSS wire format at all (the parser's only error type)."""


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


class McpConfigError(ToolsError):
    """An MCP configuration file is missing, not JSON, or describes a server wrongly.

    The message is one line that names the file (and the server entry) and says what to fix.
    """


class PluginWarning(MossAgentWarning):
    """A plugin could not be loaded, or two plugins claim one name; the rest keep working."""


class ToolUnavailableWarning(MossAgentWarning):
    """A tool was asked for by name but cannot answer now, so the model is told it is disabled."""


class McpWarning(MossAgentWarning):
    """An MCP server misbehaved or could not start; the message names it and says why. The
    other servers' tools (and every other tool) keep working."""
