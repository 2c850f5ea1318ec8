"""Everything the turn loop reports, as typed events.

The loop prints nothing: the REPL, `moss-agent ask`, the session store, a web page or a test
each consume the same stream of events and decide what to show or keep.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.format import Call, Turn
from tools import ToolResult

Segment = Literal["thoughts", "commands", "reply"]
#: Why the loop opened another round: the model chose to think again after Results, or a call
#: failed and the model gets one more round to fix it.
RoundReason = Literal["model", "retry"]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)


class TurnStarted(_Event):
    type: Literal["turn_started"] = "turn_started"
    text: str
    #: The questions of the worked examples written right before this one (the nearest pool
    #: examples, `TurnPolicy.nearest_examples`): what the model read that no record holds.
    examples: tuple[str, ...] = ()


class TokenEvent(_Event):
    """A piece of model text, shown as it arrives (never part of a protocol tag)."""

    type: Literal["token"] = "token"
    segment: Segment
    text: str


class RoundStarted(_Event):
    """A further tool round begins (round 1 begins with the turn); `round` counts from 1."""

    type: Literal["round_started"] = "round_started"
    round: int
    reason: RoundReason


class ThoughtsDone(_Event):
    type: Literal["thoughts_done"] = "thoughts_done"
    text: str
    round: int = 1


class CommandsIssued(_Event):
    """The Commands segment, parsed: the calls that will run (possibly none)."""

    type: Literal["commands_issued"] = "commands_issued"
    text: str
    calls: list[Call]
    round: int = 1


class CommandsVoted(_Event):
    """Self-consistency: several Commands were sampled and run; `chosen` is the one kept.

    `samples[0]` is the greedy one; `votes` counts the samples whose results agreed with the
    chosen one's (a tie keeps the greedy one)."""

    type: Literal["commands_voted"] = "commands_voted"
    samples: list[str]
    chosen: int
    votes: int
    round: int = 1


class ToolResultEvent(_Event):
    type: Literal["tool_result"] = "tool_result"
    call: Call
    result: ToolResult
    round: int = 1


class ReplyDone(_Event):
    type: Literal["reply_done"] = "reply_done"
    text: str


class WarningEvent(_Event):
    """Something the loop repaired or dropped; the turn goes on."""

    type: Literal["warning"] = "warning"
    kind: str
    message: str


class ErrorEvent(_Event):
    """Something that cut the turn short; the session stays usable."""

    type: Literal["error"] = "error"
    kind: str
    message: str


class TurnDone(_Event):
    type: Literal["turn_done"] = "turn_done"
    result: TurnResult


class Timings(BaseModel):
    """Seconds spent per stage of a turn; `first_reply_token_s` is from the turn's start."""

    thoughts_s: float = 0.0
    commands_s: float = 0.0
    tools_s: float = 0.0
    reply_s: float = 0.0
    total_s: float = 0.0
    first_reply_token_s: float | None = None


class TokenCounts(BaseModel):
    prompt: int = 0  # tokens encoded (prefilled) during the turn
    generated: int = 0


class TurnResult(Turn):
    """One finished turn: the question, each round's thoughts, calls and results, the reply
    (all of `Turn`), and what it cost: tokens, seconds, warnings, the error that cut it short."""

    tokens: TokenCounts = Field(default_factory=TokenCounts)
    timings: Timings = Field(default_factory=Timings)
    warnings: list[WarningEvent] = Field(default_factory=list)
    error: ErrorEvent | None = None
    model: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


Event = Annotated[
    TurnStarted
    | RoundStarted
    | TokenEvent
    | ThoughtsDone
    | CommandsIssued
    | CommandsVoted
    | ToolResultEvent
    | ReplyDone
    | WarningEvent
    | ErrorEvent
    | TurnDone,
    Field(discriminator="type"),
]

#: A turn's events as `Agent.stream` and `Recorder.stream` give them; closing it stops the turn.
EventStream = Generator[Event, None, None]

TurnDone.model_rebuild()
