"""Worker profiles: tools share a worker only when they need the same access.

A worker's access is fixed when it starts (a Landlock ruleset only ever narrows), so the pool
keeps one kind of worker per profile: network or not, and the files declared. Calculate and
Solve (nothing declared) share the default workers; Search, which reads its index, gets
workers of its own, so no other tool can read the index through them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from tools.registry import Registry
from tools.tool import Files, Tool

DEFAULT = json.dumps({"files": Files().model_dump(mode="json"), "network": False},
                     sort_keys=True)


def of(tool: Tool) -> str:
    """The profile key of `tool` now (its needs may follow configuration)."""
    return json.dumps(
        {"files": tool.needs_files().model_dump(mode="json"), "network": bool(tool.needs_network())},
        sort_keys=True,
    )


def decode(key: str) -> tuple[bool, Files]:
    """(network, files) of a profile key."""
    data = json.loads(key)
    return bool(data["network"]), Files.model_validate(data["files"])


def members(registry: Registry, key: str, names: Iterable[str]) -> list[str]:
    """The tools among `names` whose profile is `key`: what a worker of that profile serves."""
    return [name for name in names if of(registry.get(name)) == key]


def eager(registry: Registry) -> list[str]:
    """Offline profiles to start workers for at once: the default one, and each declared by an
    enabled tool that can answer now (Search with an index)."""
    keys = [DEFAULT]
    for entry in registry.entries():
        if entry.enabled and entry.spec and entry.tool.is_available():
            key = of(entry.tool)
            if key not in keys and not decode(key)[0]:
                keys.append(key)
    return keys
