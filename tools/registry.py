"""The registry: which tools exist, where each came from, and which are enabled.

Built-in plugins register through the same entry-point group (`moss_agent.plugins`) as
third-party ones, so discovery is one loop over `importlib.metadata`. A plugin that fails to
import, or is not a tool, or claims a name another plugin already has, becomes a typed warning
naming its distribution; the other plugins keep working.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.errors import PluginWarning, ToolDefinitionError, UnknownTool
from tools.tool import Tool

GROUP = "moss_agent.plugins"
BUILTIN_DISTRIBUTION = "moss-agent"
LOCAL_SOURCE = "(local)"

# Used only when moss-agent itself is not installed (a bare checkout on sys.path), so the
# built-ins are still found; an installed moss-agent registers them through GROUP.
BUILTINS: dict[str, str] = {
    "Calculate": "plugins.calculate:Calculate",
    "Solve": "plugins.solve:Solve",
    "Search": "plugins.search:Search",
}


class RegistryWarning(BaseModel):
    """Why one plugin is not available (or not under the name it asked for)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["import_failed", "invalid_plugin", "duplicate_name"]
    distribution: str
    entry_point: str
    message: str


@dataclass
class RegisteredTool:
    """A tool plus what the runtime needs to know about it."""

    tool: Tool
    spec: str | None  # "module:attribute" the sandbox imports it from
    source: str  # distribution name, or "(local)" for tools added in code
    enabled: bool = True

    @property
    def builtin(self) -> bool:
        return self.source == BUILTIN_DISTRIBUTION


class Registry:
    """Tools by API name. Iterating yields every registered tool, enabled or not."""

    def __init__(self, tools: Iterable[Tool | type[Tool]] = ()) -> None:
        self._entries: dict[str, RegisteredTool] = {}
        self.warnings: list[RegistryWarning] = []
        for item in tools:
            self.add(item)

    # --- building -------------------------------------------------------------------------

    @classmethod
    def discover(cls, group: str = GROUP) -> Registry:
        """Built-in plugins plus every entry point in `group`; failures become warnings."""
        registry = cls()
        seen: set[tuple[str, str, str]] = set()
        found: list[tuple[str, str, str]] = []  # (distribution, entry-point name, value)
        for ep in metadata.entry_points(group=group):
            dist = ep.dist.metadata["Name"] if ep.dist is not None else "(unknown distribution)"
            key = (dist, ep.name, ep.value)
            if key not in seen:  # one distribution visible twice on sys.path
                seen.add(key)
                found.append(key)
        if not any(dist == BUILTIN_DISTRIBUTION for dist, _, _ in found):
            found += [(BUILTIN_DISTRIBUTION, n, v) for n, v in BUILTINS.items()]
        # Built-ins first, then distributions by name: a clash is resolved the same way always.
        found.sort(key=lambda k: (k[0] != BUILTIN_DISTRIBUTION, k[0].lower()))  # stable
        for dist, name, value in found:
            registry._load_entry_point(dist, name, value)
        return registry

    def _load_entry_point(self, dist: str, name: str, value: str) -> None:
        label = f"{name} = {value}"
        try:
            obj = metadata.EntryPoint(name=name, value=value, group=GROUP).load()
        except Exception as exc:  # noqa: BLE001 -- any import failure is the plugin's
            self._warn(
                "import_failed",
                dist,
                label,
                f"plugin {name!r} from distribution {dist!r} failed to import "
                f"({type(exc).__name__}: {exc}); it is skipped, the other tools still work. "
                f"Fix or reinstall {dist!r}.",
            )
            return
        try:
            tool = instantiate(obj)
            tool.check()
        except (TypeError, ToolDefinitionError) as exc:
            self._warn(
                "invalid_plugin",
                dist,
                label,
                f"plugin {name!r} from distribution {dist!r} is not a usable tool: {exc}",
            )
            return
        existing = self._entries.get(tool.name)
        if existing is not None:
            self._warn(
                "duplicate_name",
                dist,
                label,
                f"tool name {tool.name!r} from distribution {dist!r} is already provided by "
                f"{existing.source!r}; keeping {existing.source!r}'s and ignoring {dist!r}'s. "
                f"Uninstall one of them or rename the tool.",
            )
            return
        self._entries[tool.name] = RegisteredTool(tool=tool, spec=value, source=dist)

    def _warn(self, kind: str, dist: str, entry_point: str, message: str) -> None:
        self.warnings.append(
            RegistryWarning(kind=kind, distribution=dist, entry_point=entry_point, message=message)
        )
        warnings.warn(message, PluginWarning, stacklevel=3)

    def add(
        self,
        item: Tool | type[Tool],
        *,
        source: str = LOCAL_SOURCE,
        spec: str | None = None,
        enabled: bool = True,
        replace: bool = False,
    ) -> Tool:
        """Register a tool (instance or subclass) in code; the sandbox imports it by `spec`.

        `spec` defaults to where the tool is defined; a tool defined in `__main__` or inside a
        function has none and cannot run in the sandbox.
        """
        tool = instantiate(item)
        tool.check()
        if tool.name in self._entries and not replace:
            raise ToolDefinitionError(
                f"a tool named {tool.name!r} is already registered "
                f"(from {self._entries[tool.name].source}); pass replace=True to override it"
            )
        self._entries[tool.name] = RegisteredTool(
            tool=tool, spec=spec or tool.spec, source=source, enabled=enabled
        )
        return tool

    # --- reading --------------------------------------------------------------------------

    def entry(self, name: str) -> RegisteredTool:
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries)) or "none"
            raise UnknownTool(f"no tool named {name!r} is registered (known: {known})") from None

    def get(self, name: str) -> Tool:
        return self.entry(name).tool

    def entries(self) -> list[RegisteredTool]:
        return list(self._entries.values())

    def __iter__(self) -> Iterator[Tool]:
        return iter([e.tool for e in self._entries.values()])

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        return list(self._entries)

    # --- enabling -------------------------------------------------------------------------

    def enable(self, name: str) -> None:
        self.entry(name).enabled = True

    def disable(self, name: str) -> None:
        self.entry(name).enabled = False

    def is_enabled(self, name: str) -> bool:
        entry = self._entries.get(name)
        return entry is not None and entry.enabled

    def capabilities(self) -> list[tuple[str, str, bool]]:
        """(capability label, signature, enabled) per tool, for the meta instruction."""
        return [(e.tool.capability, e.tool.signature, e.enabled) for e in self._entries.values()]


def instantiate(obj: object) -> Tool:
    """An entry point may name a Tool instance or a Tool subclass; return an instance."""
    if isinstance(obj, Tool):
        return obj
    if isinstance(obj, type) and issubclass(obj, Tool):
        return obj()
    raise TypeError(
        f"expected a Tool instance (from @tool) or a Tool subclass, got {type(obj).__name__}"
    )


def load_spec(spec: str) -> Tool:
    """Import `module:attribute` and return the tool it names (used inside the sandbox)."""
    return instantiate(metadata.EntryPoint(name="", value=spec, group=GROUP).load())
