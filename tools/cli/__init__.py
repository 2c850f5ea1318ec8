"""What a plugin needs to extend the `moss-agent` command line, and what the CLI draws with.

- `commands`: the entry-point group `moss_agent.commands` (`GROUP`) through which a plugin
  distribution adds a subcommand (Search adds `moss-agent index`), and `find_commands`, which
  the CLI reads;
- `progress`: the one progress bar (`progress_bar`) for long jobs, on stderr.

It sits in `tools`, below both the runtime and the plugins, so a plugin's command uses the same
pieces as the built-in ones without importing `agent`.
"""

from __future__ import annotations

from tools.cli.commands import GROUP, CommandSpec, find_commands
from tools.cli.progress import Progress, progress_bar

__all__ = ["GROUP", "CommandSpec", "Progress", "find_commands", "progress_bar"]
