"""The interactive chat behind `moss-agent chat`: input, rendering, slash commands.

`Repl` drives one agent session at a terminal (or from piped lines); `TurnRenderer` shows a
turn's events; `agent.repl.commands` holds the slash commands.
"""

from agent.repl.app import Repl
from agent.repl.render import TurnRenderer

__all__ = ["Repl", "TurnRenderer"]
