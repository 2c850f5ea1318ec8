"""`moss-agent call`: run a Commands segment's content through the sandbox, print the Results.

What a plugin author (or a curious user) types to see exactly what the model would see:

    $ moss-agent call 'Calculate("2^10")'
    Calculate("2^10") => 1024

The text is read by the project's own parser, every call runs in a sandbox worker (several
calls in parallel), and the output is the Results segment's entries without its markers.
Errors behind a `No result.` go to stderr, so stdout stays exactly the model's view.
"""

from __future__ import annotations

import json
import os
import sys

import click

from agent.cli.options import MCP_CONFIG_OPTION, open_mcp
from tools import Limits, Registry, SandboxError, SandboxPool
from tools.sandbox import describe_isolation
from tools.wire import parse_commands, results_text

_ISOLATION_CHOICES = ["auto", "netns", "seccomp", "none"]


@click.command()
@click.argument("commands")
@click.option("--json", "as_json", is_flag=True,
              help="Print each call's command, result text, ok flag, error and elapsed time as JSON.")
@click.option("--verbose", "-v", is_flag=True,
              help="Say on stderr which network isolation protects the tools, and parser repairs.")
@click.option("--timeout", "wall_s", type=click.FloatRange(min=0.001), default=None,
              help="Wall-clock seconds per sandboxed call (default: 10; MCP tools keep their "
              "configuration's timeout).")
@click.option("--memory-mb", type=click.IntRange(min=16), default=None,
              help="Address space per worker in MiB (default: 1024).")
@click.option("--isolation", type=click.Choice(_ISOLATION_CHOICES), default="auto", show_default=True,
              help="Network isolation for tools without network permission.")
@MCP_CONFIG_OPTION
def call(
    commands: str,
    as_json: bool,
    verbose: bool,
    wall_s: float | None,
    memory_mb: int | None,
    isolation: str,
    mcp_config: str | None,
) -> None:
    """Run COMMANDS, e.g. 'Calculate("2^10")' or 'Search("a"), Calculate("1+1")', in the sandbox.

    Works for every registered tool, third-party plugins and MCP servers' tools included.
    Exits 1 when a call has no result.
    """
    registry = Registry.discover()
    for warning in registry.warnings:
        click.echo(f"warning: {warning.message}", err=True)
    parsed = parse_commands(commands)
    if verbose or not parsed.calls:
        for repair in parsed.warnings:
            click.echo(f"parser: {repair.message}", err=True)
    if not parsed.calls:
        if parsed.none:
            click.echo("[]" if as_json else "None")
            return
        raise click.UsageError(f"no tool call found in {commands!r}; write e.g. 'Calculate(\"2^10\")'")

    overrides: dict[str, object] = {}
    if wall_s is not None:
        overrides["wall_s"] = wall_s
    if memory_mb is not None:
        overrides["memory_bytes"] = memory_mb << 20
    workers = max(1, min(len(parsed.calls), os.cpu_count() or 1))
    limits = Limits(**overrides)
    pools: list[SandboxPool] = []

    def pool() -> SandboxPool:  # started only if a call needs the sandbox
        if not pools:
            pools.append(SandboxPool(registry, workers=workers, limits=limits, isolation=isolation))
            if verbose:
                click.echo(f"sandbox: network isolation: "
                           f"{describe_isolation(pools[0].network_isolation)}", err=True)
        return pools[0]

    toolset = None
    try:
        from tools.mcp import run_calls

        toolset = open_mcp(mcp_config, registry, limits)
        results = run_calls(registry, pool, [(c.tool, c.args) for c in parsed.calls])
    except (SandboxError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        for started in pools:
            started.close()
        if toolset is not None:
            toolset.close()

    entries = list(zip(parsed.calls, results))
    if as_json:
        first = 1
        rows = []
        for c, r in entries:
            rows.append({
                "command": c.text,
                "result": r.render_body(first).lstrip(" \n"),
                "ok": r.ok,
                "error": r.error.model_dump(mode="json") if r.error else None,
                "elapsed_s": r.elapsed_s,
            })
            first += r.snippet_count
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(results_text(entries))
        for c, r in entries:
            if r.error is not None:
                click.echo(f"{c.text}: {r.error.kind.value}: {r.error.message}", err=True)
    if not all(r.ok for r in results):
        sys.exit(1)
