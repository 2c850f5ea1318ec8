"""Time the session store: events recorded per second with one transaction per step.

    .venv/bin/python bench/store.py [--turns N] [--flush-every K] [--repeat R]

The events are those of real turns (the turn loop over a scripted model, one Calculate call
with a stand-in result per turn), produced once up front, so the timing is the recorder and
SQLite alone: each step (turn start, thoughts, commands with calls, each result, reply, end,
every K-th token flush) is its own committed transaction in WAL mode with synchronous=NORMAL,
the settings `moss-agent chat` uses. The database is a fresh file in a temporary folder.
Reported: all events per second (tokens included: what a consumer sees), transactions per
second, and turns per second; each the best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from agent.backends.scripted import ScriptedBackend  # noqa: E402
from agent.events import Event, TokenEvent  # noqa: E402
from agent.loop import TurnLoop  # noqa: E402
from agent.store import Store  # noqa: E402
from agent.store.record import Recorder  # noqa: E402
from tools import ToolResult  # noqa: E402

SCRIPT = [
    " The user asks for a product; I should use the calculator to get it exactly.<eot>",
    ' Calculate("1234*56")<eoc>',
    " 1234 multiplied by 56 is 69104. " + "That is the exact product of the two numbers. " * 4 + "<eom>",
]


def turn_events() -> list[Event]:
    """The events of one real turn (the loop over the scripted model)."""
    backend = ScriptedBackend(SCRIPT)
    loop = TurnLoop(backend, lambda calls: [ToolResult.value("69104").with_elapsed(0.001) for _ in calls],
                    known_tools=["Calculate"], model_name="bench")
    return list(loop.run("What is 1234 multiplied by 56?"))


def run_once(events: list[Event], turns: int, flush_every: int) -> tuple[float, int]:
    """Seconds to record `turns` turns, and the transactions committed."""
    agent = SimpleNamespace(model_name="bench", meta_instruction="meta\n",
                            tools=[SimpleNamespace(name="Calculate")])
    with tempfile.TemporaryDirectory() as folder:
        with Store.open(Path(folder) / "logs.db") as store:
            recorder = Recorder(store, agent, flush_every=flush_every)  # type: ignore[arg-type]
            started = time.perf_counter()
            for _ in range(turns):
                for _event in recorder.record(iter(events)):
                    pass
            seconds = time.perf_counter() - started
            counts = store.counts()
    steps = counts["events"] + turns * (_tokens(events) // flush_every) + 1  # + token flushes + conversation
    return seconds, steps


def _tokens(events: list[Event]) -> int:
    return sum(isinstance(e, TokenEvent) for e in events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--flush-every", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    events = turn_events()
    assert not any(e.type == "error" for e in events), "the scripted turn failed"
    per_turn = len(events)
    best, steps = min(run_once(events, args.turns, args.flush_every) for _ in range(args.repeat))
    print(f"one turn: {per_turn} events ({_tokens(events)} tokens, {per_turn - _tokens(events)} steps), "
          f"{call_count(events)} call(s)")
    print(f"{args.turns} turns in {best:.3f} s (best of {args.repeat}), token flush every {args.flush_every}")
    print(f"events recorded per second:       {per_turn * args.turns / best:10.0f}")
    print(f"transactions committed per second: {steps / best:10.0f}")
    print(f"turns recorded per second:         {args.turns / best:10.0f}")


def call_count(events: list[Event]) -> int:
    return sum(len(getattr(e, "calls", [])) for e in events if e.type == "commands_issued")


if __name__ == "__main__":
    main()
