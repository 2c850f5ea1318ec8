"""How a turn may run: hard bounds (`TurnLimits`) and the answer-quality techniques (`TurnPolicy`).

Bounds are never exceeded whatever the model writes; techniques change what the loop asks of the
model and can be switched off one by one, which is how `bench/accuracy.py` measures what each
buys.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class TurnLimits(BaseModel):
    """Hard bounds for one turn: tokens per segment, calls and rounds per turn, seconds."""

    thoughts_tokens: int = Field(default=160, ge=1)
    commands_tokens: int = Field(default=96, ge=1)
    reply_tokens: int = Field(default=400, ge=1)
    max_calls: int = Field(default=8, ge=0, description="calls per turn, over all its rounds")
    max_rounds: int = Field(default=3, ge=1, description="tool rounds per turn (MOSS writes one)")
    turn_seconds: float = Field(default=300.0, gt=0)
    repeat_window: int = Field(default=8, ge=2, description="a unit repeated this often ends a segment")


class TurnPolicy(BaseModel):
    """What the loop does beyond writing one round: each switch is measured on its own.

    - `more_rounds`: after Results, the model may think again and issue further Commands (up
      to `TurnLimits.max_rounds`); the loop asks which of `<|Inner Thoughts|>:` and `<|MOSS|>:`
      the model finds likelier next.
    - `retry_failed`: when a call answers `No result.`, the model sees the reason and gets one
      more round to fix the call (within `max_rounds`).
    - `vote`: sample this many Commands segments after the thoughts (the greedy one among them)
      and keep the call whose result most samples agree on; 0 or 1 is off. Only rounds whose
      calls are all of `vote_tools` vote, since every sample's calls are run.
    - `constrain_commands`: the model can only write `None` or well-formed calls of the enabled
      tools in the Commands segment.
    - `plan_thoughts`: the few-shot examples' thoughts state what is computed, with numbers and
      units, before the call (a non-MOSS model copies their style).
    - `nearest_examples`: show this many worked examples from the tools' pools (and the plain
      pool) right before the question, the ones whose questions most resemble it
      (`agent.nearest`); 0 is off.

    A MOSS model (no few-shot examples) gets MOSS's own format: one round, no retry.

    Defaults are what paid with the embedded model on the tuning split (`bench/accuracy.py
    --split tune`, llama.cpp): two nearest examples and further rounds; the retry, voting, the
    grammar and planned thoughts off. On a tuning subset of 56 tool questions (4 of each kind)
    the nearest examples took the greedy loop from 22 right to 43 (with voting: from 26 to 43);
    with them, voting over three samples changed no answer and cost 2.6 s more on the median
    question, so `vote` is 0. Further rounds change no answer of a one-step question (the
    model prefers the reply after its Results) and are what a lookup followed by arithmetic
    needs: with the pool's lookup-then-calculate examples, the tuning split's 15 such questions
    went from 0 to 9 right (the examples were written after reading them). The retry changed
    nothing: the model restates the failing call or does the arithmetic in its thoughts. A
    larger model served over HTTP may do better: switch it on and measure with
    `--option 'policy={"retry_failed": true}'`.
    """

    more_rounds: bool = True
    retry_failed: bool = False
    vote: int = Field(default=0, ge=0, le=8)
    vote_temperature: float = Field(default=0.7, gt=0, le=2.0)
    #: Voting runs every sampled call, so only tools without side effects take part.
    vote_tools: tuple[str, ...] = ("Calculate", "Solve")
    constrain_commands: bool = False
    plan_thoughts: bool = False
    nearest_examples: int = Field(default=2, ge=0, le=8)

    @property
    def voting(self) -> bool:
        return self.vote > 1
