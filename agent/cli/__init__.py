"""The `moss-agent` command: a thin layer over the library.

Each subcommand lives in its own module and is imported only when used, so `moss-agent --help`
and `moss-agent call` start fast without importing torch. Plugins add commands through the
entry-point group `moss_agent.commands` (`tools.cli.commands`), as Search adds `index`.
"""

from __future__ import annotations

import importlib
import os
import warnings

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from tools.cli.commands import CommandSpec

# name -> "module:attribute" of a click command, imported on first use.
SUBCOMMANDS: dict[str, str] = {
    "ask": "agent.cli.ask:ask",
    "chat": "agent.cli.chat:chat",
    "logs": "agent.cli.logs:logs",
    "export": "agent.cli.export:export",
    "import": "agent.cli.export:import_",
    "call": "agent.cli.call:call",
    "tools": "agent.cli.tools_cmd:tools",
    "replay": "agent.cli.replay:replay",
    "mcp": "agent.cli.mcp_cmd:mcp",
    "serve": "agent.cli.serve:serve",
}


class LazyGroup(click.Group):
    """A click group whose subcommands, its own and the plugins', are imported on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(SUBCOMMANDS) | set(_plugin_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        if cmd_name not in SUBCOMMANDS:
            spec = _plugin_commands().get(cmd_name)
            return spec.load() if spec is not None else None
        module_name, attribute = SUBCOMMANDS[cmd_name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None  # not built yet
            raise
        return getattr(module, attribute)

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand; any error moss-agent raises on purpose (the root is
        `MossAgentError`: a sandbox that cannot start, a bad store, a missing model) ends it as
        one `Error:` line saying what to do, never a traceback, whichever command it came from."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from tools.errors import MossAgentError  # already imported by whatever raised it

            if isinstance(exc, MossAgentError):
                raise click.ClickException(_one_line(exc)) from None
            raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="moss-agent")
@click.option("--unsafe-no-fs-isolation", is_flag=True,
              help="Run tools even where the kernel offers no filesystem isolation (no Landlock, "
              "no mount namespaces): they can then read and change your files.")
def main(unsafe_no_fs_isolation: bool) -> None:
    """moss-agent: a MOSS-003 style runtime for tool-augmented language models.

    The model thinks, writes commands such as Calculate("2^10"), the runtime runs them in
    sandboxed plugins and feeds the results back, and the model answers.
    """
    warnings.showwarning = _show_warning
    if unsafe_no_fs_isolation:  # read by every SandboxPool this process starts
        os.environ["MOSS_SANDBOX_UNSAFE_NO_FS_ISOLATION"] = "1"


def _plugin_commands() -> dict[str, CommandSpec]:
    """The commands plugins register (`moss_agent.commands`), the CLI's own names excepted."""
    from tools.cli.commands import find_commands

    return find_commands(reserved=SUBCOMMANDS)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """Warnings as one line a user can act on (`warning: Search is not offered ...`), not a
    Python source location: on the command line the library's warnings are the user's news."""
    click.echo(f"warning: {message}", err=True)
