"""Which MCP servers to use: the `mcpServers` JSON that users already keep for MCP hosts.

    {"mcpServers": {
        "weather": {"command": "python", "args": ["weather.py"], "env": {"API_KEY": "..."}},
        "files":   {"url": "http://127.0.0.1:9000/mcp", "headers": {"Authorization": "Bearer ..."}}
    }}

An entry with `command` is a stdio server the runtime starts; one with `url` is a streamable
HTTP server it connects to. Keys other hosts use and this runtime does not (`autoApprove`,
`description`, ...) are ignored, so one file can serve several hosts. Keys of its own:
`network` (stdio servers: true to let the process reach the network; default false),
`timeout` (seconds per call, 30), `startup_timeout` (seconds to start and list tools, 30),
`memory_mb` (stdio servers' memory: the cgroup's limit on the server and all it starts where
the kernel offers one, else the address-space limit; default: the sandbox's), `files` (stdio
servers: `{"read": [...], "write": [...], "execute": [...]}`, paths the server may use beyond
its own files, see `tools.mcp.confine`), `disabled`.

Where the file is found, first match wins: an explicit path (`--mcp-config FILE`,
`Agent(mcp_config=...)`), then `MOSS_AGENT_MCP_CONFIG`, then `mcp.json` in the user config
folder (platformdirs). The explicit path wins because it is the most specific request, as
command-line options override the environment everywhere else in the CLI.

This module reads configuration only; it does not import the MCP SDK, so finding out that
there is no configuration costs nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tools.errors import McpConfigError
from tools.tool import Files

ENV_VAR = "MOSS_AGENT_MCP_CONFIG"
FILENAME = "mcp.json"
DEFAULT_CALL_TIMEOUT_S = 30.0
DEFAULT_STARTUP_TIMEOUT_S = 30.0
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class _Server(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    timeout: float = Field(default=DEFAULT_CALL_TIMEOUT_S, gt=0, le=3600)
    startup_timeout: float = Field(default=DEFAULT_STARTUP_TIMEOUT_S, gt=0, le=600)
    disabled: bool = False


class StdioServer(_Server):
    """A server the runtime starts as a process and talks to over its stdin/stdout."""

    transport: Literal["stdio"] = "stdio"
    command: str = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    cwd: str | None = None
    network: bool = False
    memory_mb: int | None = Field(default=None, ge=16)
    files: Files = Files()

    @field_validator("files", mode="before")
    @classmethod
    def _known_kinds(cls, value: object) -> object:
        """A misspelt kind would silently grant nothing; say so instead."""
        if isinstance(value, Files):
            return value
        if not isinstance(value, Mapping):
            raise ValueError('give an object such as {"read": ["~/data"], "write": ["/tmp/out"]}')
        unknown = sorted(set(value) - {"read", "write", "execute"})
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}; use read, write and execute")
        return value


class HttpServer(_Server):
    """A server the runtime connects to over streamable HTTP."""

    transport: Literal["http"] = "http"
    url: str = Field(pattern=r"^https?://[^\s]+$")
    headers: dict[str, str] = Field(default_factory=dict)


ServerConfig = StdioServer | HttpServer


class McpConfig(BaseModel):
    """The servers of one configuration, by name; `source` says where it was read from."""

    model_config = ConfigDict(frozen=True)

    servers: dict[str, StdioServer | HttpServer]
    source: str = "(in code)"

    @property
    def enabled(self) -> dict[str, StdioServer | HttpServer]:
        return {name: server for name, server in self.servers.items() if not server.disabled}

    @classmethod
    def from_dict(cls, data: object, source: str = "(in code)") -> McpConfig:
        """Check a parsed `{"mcpServers": {...}}` document; raise McpConfigError naming `source`."""
        if not isinstance(data, Mapping) or not isinstance(data.get("mcpServers"), Mapping):
            raise McpConfigError(
                f"{source}: expected a JSON object with an \"mcpServers\" object, "
                f'e.g. {{"mcpServers": {{"weather": {{"command": "python", "args": ["weather.py"]}}}}}}'
            )
        servers: dict[str, StdioServer | HttpServer] = {}
        for name, entry in data["mcpServers"].items():
            servers[name] = _server(source, name, entry)
        return cls(servers=servers, source=source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> McpConfig:
        """Read and check one configuration file; every problem is one McpConfigError line."""
        path = Path(path).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise McpConfigError(f"{path}: no such MCP configuration file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise McpConfigError(f"{path}: cannot read the MCP configuration ({exc})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise McpConfigError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                f"fix the file or point --mcp-config / {ENV_VAR} at another"
            ) from None
        return cls.from_dict(data, source=str(path))


def _server(source: str, name: object, entry: object) -> StdioServer | HttpServer:
    where = f"{source}: server {name!r}"
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise McpConfigError(
            f"{where}: a server name is letters, digits, '_', '-' or '.' (at most 64), "
            f"starting with a letter or digit"
        )
    if not isinstance(entry, Mapping):
        raise McpConfigError(f"{where}: expected an object with \"command\" or \"url\"")
    kind = entry.get("type") or entry.get("transport")
    if kind == "sse":
        raise McpConfigError(
            f"{where}: SSE servers are not supported; use the server's streamable HTTP URL"
        )
    if "command" in entry and "url" in entry:
        raise McpConfigError(f"{where}: has both \"command\" and \"url\"; keep one")
    if "command" not in entry and "url" not in entry:
        raise McpConfigError(
            f"{where}: needs \"command\" (a stdio server to start) or \"url\" "
            f"(a streamable HTTP server)"
        )
    model: type[StdioServer | HttpServer] = StdioServer if "command" in entry else HttpServer
    fields = {k: v for k, v in entry.items() if k not in ("type", "transport")}
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "entry"
        message = error["msg"].removeprefix("Value error, ")
        raise McpConfigError(f"{where}: {field}: {message}") from None


def user_config_path() -> Path:
    """`mcp.json` in the platform's user config folder for moss-agent."""
    from tools.folders import config_dir

    return config_dir() / FILENAME


def find_config(
    explicit: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> McpConfig | None:
    """The configuration to use, or None when there is none anywhere.

    An explicit path or `MOSS_AGENT_MCP_CONFIG` that names a missing file is an error (the
    user asked for it); the user config folder's `mcp.json` is simply optional.
    """
    environ = os.environ if environ is None else environ
    if explicit is not None and str(explicit) != "":
        return McpConfig.from_file(explicit)
    if environ.get(ENV_VAR):
        return McpConfig.from_file(environ[ENV_VAR])
    path = user_config_path()
    if path.is_file():
        return McpConfig.from_file(path)
    return None


def resolve(config: McpConfig | Mapping[str, Any] | str | os.PathLike[str] | bool | None) -> McpConfig | None:
    """Whatever `Agent(mcp_config=...)` was given, as a configuration (or None for none).

    None looks in the usual places, False turns MCP off, a path reads that file, a dict is a
    parsed `{"mcpServers": ...}` document, an McpConfig is used as is.
    """
    if config is False:
        return None
    if config is None or config is True:
        return find_config()
    if isinstance(config, McpConfig):
        return config
    if isinstance(config, Mapping):
        return McpConfig.from_dict(config)
    return find_config(config)
