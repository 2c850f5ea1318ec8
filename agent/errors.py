"""Errors raised by the `agent` package. Each says what happened and what to do about it.

They extend the project's one root, `MossAgentError` (defined in `tools.errors`, where the
whole tree is drawn, and importable from here as before), so the CLI, the REPL and the server
catch every deliberate error, the sandbox's and the plugins' included, with one clause:

    MossAgentError
    ├── ParseError              text that is not MOSS wire format at all (from tools.errors)
    ├── ModelAssetError         a model file is missing or corrupt; says how to repair it
    ├── BackendError            a model backend failed (load, generation, server)
    ├── ConfigurationError      asked for something that does not exist (tool, backend, file)
    ├── StoreError              the session store cannot be opened, read or written
    └── RequestError            a request `moss-agent serve` refuses (agent.serve)
"""

from __future__ import annotations

from tools.errors import MossAgentError, ParseError


class ModelAssetError(MossAgentError):
    """A model file is missing, incomplete or corrupt; the message says how to repair it."""


class BackendError(MossAgentError):
    """A model backend failed (load, generation, server); the message names the cause."""


class ConfigurationError(MossAgentError):
    """The agent was asked for something that does not exist (a tool, a backend, a file)."""


class StoreError(MossAgentError):
    """The log database cannot be opened, read or written; the message names the file."""


__all__ = [
    "BackendError",
    "ConfigurationError",
    "ModelAssetError",
    "MossAgentError",
    "ParseError",
    "StoreError",
]
