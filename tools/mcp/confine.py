"""Starting a stdio MCP server under the sandbox's limits.

A stdio MCP server is a long-lived program the user named (python, node, a binary), not a tool
module the sandbox can import, so it cannot run in a sandbox worker. It is confined the other
way round: the runtime starts a small launcher (`launch_command`), the launcher confines itself
(`confine`: no network unless the configuration says `"network": true`, an address-space
limit, death with its parent) and then `exec`s the server, which inherits every limit.

`confine` is the one place that decides what "confined" means for MCP servers; when the
sandbox gains a public confine-before-exec function (filesystem, process and cgroup limits),
this is the function to point at it.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
from pathlib import Path

from tools.sandbox import isolation

_LAUNCHER = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from tools.mcp.confine import main; main(sys.argv[2:])"
)


def confine(*, memory_bytes: int | None, network: bool, preference: str = "auto") -> str:
    """Confine this process (call it single-threaded, right before exec); return the network
    isolation in force: netns, seccomp, none (network blocked but not possible here) or
    "allowed" (the configuration let the server reach the network)."""
    isolation.set_parent_death_signal(signal.SIGKILL)
    mechanism = "allowed"
    if not network:
        mechanism = isolation.probe(preference)
        isolation.apply(mechanism)
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    return mechanism


def launch_command(
    command: str, args: list[str], *, memory_bytes: int | None, network: bool
) -> tuple[str, list[str]]:
    """(executable, arguments) that start `command args...` confined, for the stdio client."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding the `tools` package
    # The server's environment is not ours, so the sandbox's override travels as a flag.
    preference = os.environ.get(isolation.ENV_OVERRIDE, "").strip() or "auto"
    flags = ["--memory", str(memory_bytes or 0), "--isolation", preference]
    flags += ["--network"] if network else []
    return sys.executable, ["-c", _LAUNCHER, root, *flags, "--", command, *args]


def main(argv: list[str]) -> None:
    """The launcher: confine, then become the server; say why on stderr if that fails."""
    parser = argparse.ArgumentParser(prog="moss-agent-mcp-launcher")
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--network", action="store_true")
    parser.add_argument("--isolation", default="auto")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        sys.stderr.write("moss-agent: no MCP server command to start\n")
        os._exit(2)
    try:
        mechanism = confine(
            memory_bytes=options.memory or None, network=options.network, preference=options.isolation
        )
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"moss-agent: cannot confine the MCP server ({exc})\n")
        os._exit(126)
    if mechanism == isolation.NONE:
        sys.stderr.write("moss-agent: warning: no network isolation available for this MCP server\n")
    sys.stderr.flush()
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        reason = "command not found" if isinstance(exc, FileNotFoundError) else exc.strerror
        sys.stderr.write(f"moss-agent: cannot start MCP server command {command[0]!r}: {reason}\n")
        os._exit(127)
