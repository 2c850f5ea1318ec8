"""`moss-agent mcp`: serve the enabled tools to any MCP host, over stdio or streamable HTTP.

    moss-agent mcp                         # stdio: what an MCP host's configuration starts
    moss-agent mcp --http --port 8000      # http://127.0.0.1:8000/mcp

Every call runs in the sandbox, as the agent's own calls do. Nothing is printed on stdout (it
belongs to the protocol in stdio mode); warnings and the HTTP address go to stderr.
"""

from __future__ import annotations

import click

from tools import Limits, Registry


@click.command()
@click.option("--http", "http", is_flag=True, help="Serve streamable HTTP instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on with --http (other hosts can connect only if you widen it).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port to listen on with --http.")
@click.option("--tools", "tools", default=None, metavar="NAMES",
              help="Comma-separated tools to serve, e.g. Calculate,Solve (default: all available).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Sandbox workers running the calls.")
@click.option("--timeout", "wall_s", type=click.FloatRange(min=0.001), default=None,
              help="Wall-clock seconds per call (default: 10).")
def mcp(http: bool, host: str, port: int, tools: str | None, workers: int, wall_s: float | None) -> None:
    """Serve the tools (Calculate, Solve, Search when configured, plugins) as an MCP server.

    MCP host configuration: {"mcpServers": {"moss-agent": {"command": "moss-agent", "args": ["mcp"]}}}
    """
    from tools.mcp.server import served_entries, serve_http, serve_stdio

    registry = Registry.discover()
    if tools is not None:
        names = [t.strip() for t in tools.split(",") if t.strip()]
        unknown = [n for n in names if n not in registry]
        if unknown:
            raise click.UsageError(
                f"no tool named {', '.join(unknown)} (known: {', '.join(registry.names())})"
            )
        for name in registry.names():
            (registry.enable if name in names else registry.disable)(name)
    limits = Limits(wall_s=wall_s) if wall_s is not None else Limits()
    served = ", ".join(e.tool.name for e in served_entries(registry)) or "none"
    if http:
        click.echo(f"moss-agent mcp: serving {served} at http://{host}:{port}/mcp", err=True)
        serve_http(registry, host=host, port=port, workers=workers, limits=limits)
    else:
        serve_stdio(registry, workers=workers, limits=limits)
