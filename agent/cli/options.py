"""Options shared by the commands that talk to a model (`ask`, `chat`, `serve`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agent.backends import BACKENDS

if TYPE_CHECKING:
    from agent.agent import Agent
    from agent.store import Store
    from agent.backends.scripted import ScriptedBackend
    from tools import Limits, Registry
    from tools.mcp import McpToolset


# MCP servers whose tools join the built-in ones (ask, chat, call, tools list).
MCP_CONFIG_OPTION = click.option(
    "--mcp-config", "mcp_config", default=None, metavar="FILE", type=click.Path(dir_okay=False),
    help='MCP servers to use, as {"mcpServers": {...}} JSON (default: $MOSS_AGENT_MCP_CONFIG, '
    "else mcp.json in the user config folder).")


def model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--model, --backend, --base-url, --tools, --dtype, --max-tokens on one command."""
    decorators = [
        click.option("--model", "model", default=None, metavar="PATH_OR_NAME",
                     help="A GGUF file or model directory (transformers, llamacpp), or the server's "
                     "model name (http). Default: the embedded Qwen2.5-Coder-0.5B-Instruct."),
        click.option("--backend", type=click.Choice(BACKENDS), default="transformers", show_default=True,
                     help="How the model runs: transformers (torch), llamacpp (in process, fast on CPU), "
                     "http (an OpenAI-compatible /v1/completions server)."),
        click.option("--base-url", default=None, metavar="URL",
                     help="The server for --backend http, e.g. http://127.0.0.1:8000/v1. "
                     "Its API key is read from MOSS_AGENT_API_KEY."),
        click.option("--tools", "tools", default=None, metavar="NAMES",
                     help="Comma-separated tools to enable, e.g. Calculate,Solve (default: all available)."),
        click.option("--dtype", type=click.Choice(["bfloat16", "float32"]), default=None,
                     help="Weights' dtype for the transformers backend (default: bfloat16, twice as fast on CPU)."),
        click.option("--max-tokens", type=click.IntRange(1), default=None,
                     help="Most tokens the reply may have."),
        MCP_CONFIG_OPTION,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def agent_from_options(
    model: str | None,
    backend: str,
    base_url: str | None,
    tools: str | None,
    dtype: str | None,
    max_tokens: int | None,
    progress: bool = True,
    mcp_config: str | None = None,
) -> Agent:
    """Build an `Agent` from the shared options; imports the heavy parts only now."""
    from agent.agent import Agent
    from agent.loop import TurnLimits

    options: dict[str, Any] = {}
    if base_url:
        options["base_url"] = base_url
    if dtype and backend == "transformers":
        options["dtype"] = dtype
    limits = TurnLimits(reply_tokens=max_tokens) if max_tokens else None
    names = [t.strip() for t in tools.split(",") if t.strip()] if tools is not None else None
    return Agent(model, names, backend=backend, limits=limits, progress=progress, backend_options=options,
                 mcp_config=mcp_config)


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--db PATH and --no-log: where (and whether) the conversation is recorded."""
    decorators = [
        click.option("--db", "db", default=None, metavar="PATH", type=click.Path(dir_okay=False),
                     help="The log database (default: logs.db in the user data folder; "
                     "MOSS_AGENT_DATA moves the folder)."),
        click.option("--no-log", "no_log", is_flag=True, help="Do not record this conversation."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def open_store(db: str | None, no_log: bool = False) -> Store | None:
    """The log store the options name, or None with --no-log; raises StoreError clearly."""
    if no_log:
        return None
    from agent.store import Store

    return Store.open(db)


def open_mcp(mcp_config: str | None, registry: Registry, limits: Limits | None = None) -> McpToolset | None:
    """The MCP toolset that --mcp-config (or the environment, or the user's mcp.json) names,
    its servers started and its tools added to `registry`; None when there is none. A bad
    file is one `Error:` line naming it."""
    from tools.mcp import McpConfigError, find_config

    try:
        config = find_config(mcp_config)
    except McpConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if config is None or not config.enabled:
        return None
    from tools.mcp import McpToolset  # the SDK's imports (half a second) only when needed

    toolset = McpToolset(config, limits)
    toolset.register(registry)
    return toolset
def scripted_backend(path: Path) -> ScriptedBackend:
    """TESTING ONLY (`--script FILE`): a backend replaying model outputs from a JSON file, a
    list of outputs (one per generate call) or `{"outputs": [...], "seconds_per_piece": 0.05}`."""
    from agent.backends.scripted import ScriptedBackend

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--script") from exc
    if isinstance(data, dict):
        return ScriptedBackend(data.get("outputs", []), seconds_per_piece=float(data.get("seconds_per_piece", 0)))
    return ScriptedBackend([str(x) for x in data])
