"""moss-agent's runtime: the MOSS-003 wire format, the turn loop, model backends and the CLI.

Public API: `Agent` (answer questions, stream events, open sessions), `Session`, `TurnResult`,
`TurnLimits`, `TurnPolicy`, and the events in `agent.events`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Agent", "Session", "TurnLimits", "TurnPolicy", "TurnResult"]

if TYPE_CHECKING:
    from agent.agent import Agent, Session
    from agent.events import TurnResult
    from agent.policy import TurnLimits, TurnPolicy


def __getattr__(name: str) -> object:
    # Imported on first use so that `import agent` (and the CLI's start-up) stays light.
    if name in ("Agent", "Session"):
        from agent import agent as module
    elif name == "TurnResult":
        from agent import events as module
    elif name in ("TurnLimits", "TurnPolicy"):
        from agent import policy as module
    else:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    return getattr(module, name)
