"""`Agent` as an embedding program uses it: turns with tools, and surviving a broken sandbox."""

from __future__ import annotations

import os
import signal
import time

from agent import Agent
from agent.backends.scripted import ScriptedBackend


def tool_turn(expression: str, reply: str) -> list[str]:
    return [" I need the calculator.<eot>", f' Calculate("{expression}")<eoc>', f" {reply}<eom>"]


def test_a_dead_sandbox_zygote_is_replaced_at_the_next_turn() -> None:
    """The zygote can be killed from outside (OOM killer, a user's kill); a long-lived agent
    must not answer 'crashed' to every later call."""
    script = tool_turn("2^10", "It is 1024.") + tool_turn("6*7", "It is 42.")
    with Agent(ScriptedBackend(script), tools=["Calculate"]) as agent:
        first = agent.run("What is 2^10?")
        assert [r.items for r in first.results] == [("1024",)]
        pool = agent._pool
        assert pool is not None
        os.kill(pool.zygote_pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pool.usable and time.monotonic() < deadline:
            time.sleep(0.01)  # the pool notices when the zygote's socket closes
        assert not pool.usable
        second = agent.run("What is 6*7?")
        assert [r.items for r in second.results] == [("42",)]
        assert agent._pool is not pool and agent._pool is not None and agent._pool.usable
