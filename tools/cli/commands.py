"""Commands that plugins add to `moss-agent`, through the entry-point group `moss_agent.commands`.

A distribution names click commands in its `pyproject.toml`, as Search's own `index` does:

    [project.entry-points."moss_agent.commands"]
    index = "plugins.search.cli:index"

and `moss-agent index ...` runs it. Only the names are read when the CLI starts; a command's
module is imported when it runs (or when `--help` lists it). A name the CLI already has stays
the CLI's, and a command that fails to import or is not a click command is reported as a
`PluginWarning` naming its distribution; the other commands keep working.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING

from tools.errors import PluginWarning

if TYPE_CHECKING:
    import click

GROUP = "moss_agent.commands"
BUILTIN_DISTRIBUTION = "moss-agent"

# Used only when moss-agent itself is not installed (a bare checkout on sys.path), as the
# registry does for the built-in tools; an installed moss-agent registers these through GROUP.
BUILTIN_COMMANDS: dict[str, str] = {"index": "plugins.search.cli:index"}


@dataclass(frozen=True)
class CommandSpec:
    """One command a distribution offers: its name, where it comes from, `module:attribute`."""

    name: str
    distribution: str
    value: str

    def load(self) -> click.Command | None:
        """The click command, or None (with a PluginWarning) when it cannot be used."""
        import click

        try:
            command = metadata.EntryPoint(name=self.name, value=self.value, group=GROUP).load()
        except Exception as exc:  # noqa: BLE001 -- any import failure is the plugin's
            _warn(f"command {self.name!r} from distribution {self.distribution!r} failed to import "
                  f"({type(exc).__name__}: {exc}); fix or reinstall {self.distribution!r}")
            return None
        if not isinstance(command, click.Command):
            _warn(f"command {self.name!r} from distribution {self.distribution!r} is not a click "
                  f"command ({self.value} is a {type(command).__name__})")
            return None
        return command


def find_commands(reserved: Collection[str] = ()) -> dict[str, CommandSpec]:
    """Every command plugins offer, by name; names in `reserved` (the CLI's own) are skipped
    with a warning, and of two distributions claiming one name the first by name wins."""
    found: dict[str, CommandSpec] = {}
    specs = [CommandSpec(ep.name, ep.dist.metadata["Name"] if ep.dist is not None else "(unknown)",
                         ep.value) for ep in metadata.entry_points(group=GROUP)]
    if not any(s.distribution == BUILTIN_DISTRIBUTION for s in specs):
        specs += [CommandSpec(n, BUILTIN_DISTRIBUTION, v) for n, v in BUILTIN_COMMANDS.items()]
    specs.sort(key=lambda s: (s.distribution != BUILTIN_DISTRIBUTION, s.distribution.lower()))
    for spec in specs:
        if spec.name in reserved:
            _warn(f"command {spec.name!r} from distribution {spec.distribution!r} is ignored: "
                  "moss-agent has a command of that name")
        elif spec.name in found and found[spec.name].value != spec.value:
            _warn(f"command {spec.name!r} from distribution {spec.distribution!r} is ignored: "
                  f"{found[spec.name].distribution!r} already provides it")
        else:
            found.setdefault(spec.name, spec)
    return found


def _warn(message: str) -> None:
    warnings.warn(message, PluginWarning, stacklevel=3)
