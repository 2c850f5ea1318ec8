"""What the model reads before the first turn: the meta instruction and few-shot turns.

A MOSS model needs only the meta instruction. Any other model (the embedded Qwen2.5-Coder
among them) has never seen the format, so a few example turns written in it come first
(`agent.examples`): they show calls of every enabled tool and, just as often, plain questions
answered with `None`, since a small model otherwise copies a call into every turn.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from agent.examples import few_shot_turns, tool_rule
from agent.format import (
    MOSS_CAPABILITIES,
    MOSS_PREAMBLE,
    Capability,
    capabilities_for,
    render_meta_instruction,
)
from agent.framing import MOSS_FRAMING, Framing
from tools.examples import ToolExample


class ToolInfo(BaseModel):
    """What the prompt says about one tool: its meta-instruction line and its examples."""

    name: str  # the MOSS API name, e.g. "Calculate"
    capability: str  # the label, e.g. "Calculator"
    signature: str  # e.g. "Calculate(expression)"
    examples: tuple[ToolExample, ...] = ()  # few-shot turns for a model not trained on MOSS


def capabilities(tools: Sequence[ToolInfo]) -> list[Capability]:
    """MOSS's seven capability lines in MOSS's order, enabled where a tool provides them,
    followed by any third-party tool MOSS never knew."""
    moss_tools = {cap.tool for cap in MOSS_CAPABILITIES if cap.tool}
    extra = [Capability(label=t.capability, api=t.signature) for t in tools if t.name not in moss_tools]
    return capabilities_for([t.name for t in tools], extra)


def few_shot_text(tools: Sequence[ToolInfo], framing: Framing = MOSS_FRAMING, *,
                  plan_thoughts: bool = False) -> str:
    """The example turns of these tools (and the plain ones), rendered in the wire format."""
    examples = [e for t in tools for e in t.examples]
    turns = few_shot_turns(examples, [t.name for t in tools], plan_thoughts)
    return "".join(framing.render_turn(turn) for turn in turns)


def build_prefix(
    tools: Sequence[ToolInfo],
    *,
    few_shot: bool,
    framing: Framing = MOSS_FRAMING,
    preamble: str = MOSS_PREAMBLE,
    plan_thoughts: bool = False,
) -> str:
    """The text before the first turn: meta instruction, then (for non-MOSS models) examples."""
    if not few_shot:
        return framing.system(render_meta_instruction(capabilities(tools), preamble=preamble))
    names = [t.name for t in tools]
    meta = render_meta_instruction(capabilities(tools), preamble=preamble + tool_rule(names, plan_thoughts))
    return framing.system(meta) + few_shot_text(tools, framing, plan_thoughts=plan_thoughts)
