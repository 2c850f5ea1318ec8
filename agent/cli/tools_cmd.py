"""`moss-agent tools`: what tools are installed, where they come from, what protects them."""

from __future__ import annotations

import json
import warnings
from typing import Any

import click

from agent.cli.options import MCP_CONFIG_OPTION, open_mcp
from tools import Registry, SandboxError
from tools.sandbox import describe_isolation, layers
from tools.sandbox.confinement import probe_in_child


@click.group()
def tools() -> None:
    """Inspect the tool plugins (built-in and third-party)."""


@tools.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the tools as JSON.")
@MCP_CONFIG_OPTION
def list_tools(as_json: bool, mcp_config: str | None) -> None:
    """Name, capability, signature, source distribution and state of every tool.

    MCP servers' tools show SOURCE mcp:SERVER (their servers are started to list them); a
    server that cannot start is named with the reason. Then the files each tool declared it
    needs, what each stdio MCP server may touch, and the kernel mechanism that carries each sandbox layer here (filesystem,
    network, processes, limits, syscalls).
    """
    registry = Registry.discover()
    try:  # the probe starts a child process: do it before the MCP client's thread exists
        found = probe_in_child()
        mechanisms: layers.Mechanisms | None = found
        mechanism = found.network
    except SandboxError as exc:
        mechanisms, mechanism = None, f"unavailable ({exc})"
    with warnings.catch_warnings():  # a failed server is reported below, in the listing
        warnings.simplefilter("ignore")
        toolset = open_mcp(mcp_config, registry)
    try:
        _list(registry, toolset, mechanisms, mechanism, as_json)
    finally:
        if toolset is not None:
            toolset.close()


def _list(registry: Registry, toolset: object, mechanisms: layers.Mechanisms | None, mechanism: str,
          as_json: bool) -> None:
    servers = toolset.statuses() if toolset is not None else []  # type: ignore[attr-defined]
    rows: list[dict[str, Any]] = [
        {
            "name": e.tool.name,
            "capability": e.tool.capability,
            "signature": e.tool.signature,
            "source": e.source,
            "enabled": e.enabled,
            "available": e.tool.is_available(),
            "unavailable_reason": e.tool.unavailable_reason(),
            "network": e.tool.needs_network(),
            "files": e.tool.needs_files().model_dump(mode="json"),
        }
        for e in registry.entries()
    ]
    if as_json:
        payload = {
            "tools": rows,
            "network_isolation": mechanism,
            "sandbox": mechanisms.public() if mechanisms else None,
            "mcp_servers": [s.model_dump() for s in servers],
            "warnings": [w.model_dump() for w in registry.warnings],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    headers = ["NAME", "CAPABILITY", "SIGNATURE", "SOURCE", "ENABLED", "NETWORK"]
    table = [headers] + [
        [r["name"], r["capability"], r["signature"], r["source"],
         ("yes" if r["available"] else "no (not configured)") if r["enabled"] else "no",
         "allowed" if r["network"] else "blocked"]
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if not rows:
        click.echo("(no tools installed)")
    for r in rows:
        if r["enabled"] and r["unavailable_reason"]:
            click.echo(f"{r['name']} is not offered to the model: {r['unavailable_reason']}")
    for server in servers:
        if server.state == "unavailable" and not server.tools:
            click.echo(f"MCP server {server.name!r} is unavailable: {server.reason}")
        if server.note:
            click.echo(f"MCP server {server.name!r} {server.note}")
    declared = [(e.tool.name, e.tool.needs_files()) for e in registry.entries()
                if not e.source.startswith("mcp:")]
    if any(files for _, files in declared):
        click.echo("\nFiles the tools declared (every other tool sees none of them):")
        for name, files in declared:
            if files:
                click.echo(f"  {name}: {files.describe()}")
    confined = [s for s in servers if s.files is not None and s.state != "disabled"]
    if confined:
        click.echo("\nFiles each MCP server may use besides the system's, Python's and a scratch "
                   "folder of its own\n(its own files, found from its entry, and its \"files\"):")
        for server in confined:
            click.echo(f"  {server.name}: {server.files.describe()}")
    click.echo(f"\nNetwork isolation: {describe_isolation(mechanism)}")
    if mechanisms is not None:
        click.echo("Sandbox layers here:")
        for layer, text in mechanisms.describe().items():
            click.echo(f"  {layer}: {getattr(mechanisms, layer)} - {text}")
        if mechanisms.filesystem == layers.NONE and not layers.unsafe_allowed():
            click.echo(f"warning: {layers.refusal()}", err=True)
    for warning in registry.warnings:
        click.echo(f"warning: {warning.message}", err=True)
