"""moss-agent's runtime: the MOSS-003 wire format, the turn loop, model backends and the CLI.

Public API: `Agent` (answer questions, stream events, open sessions), `Session`, `TurnResult`,
`TurnLimits`, `TurnPolicy`, the events in `agent.events`, and the errors (`MossAgentError`, the
root of every error moss-agent raises on purpose, and those of `agent.errors`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = [
    "Agent",
    "BackendError",
    "ConfigurationError",
    "ModelAssetError",
    "MossAgentError",
    "ParseError",
    "Session",
    "StoreError",
    "TurnLimits",
    "TurnPolicy",
    "TurnResult",
]

if TYPE_CHECKING:
    from agent.agent import Agent, Session
    from agent.errors import (BackendError, ConfigurationError, ModelAssetError, MossAgentError,
                              ParseError, StoreError)
    from agent.events import TurnResult
    from agent.policy import TurnLimits, TurnPolicy

# Where each public name lives; imported on first use so that `import agent` (and the CLI's
# start-up) stays light.
_HOMES = {
    "Agent": "agent.agent",
    "Session": "agent.agent",
    "TurnResult": "agent.events",
    "TurnLimits": "agent.policy",
    "TurnPolicy": "agent.policy",
    **dict.fromkeys(["BackendError", "ConfigurationError", "ModelAssetError", "MossAgentError",
                     "ParseError", "StoreError"], "agent.errors"),
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
