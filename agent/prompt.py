"""What the model reads before the first turn: the meta instruction and few-shot turns.

A MOSS model needs only the meta instruction. Any other model (the embedded Qwen2.5-Coder
among them) has never seen the format, so a few example turns written in it come first
(`agent.examples`): they show calls of every enabled tool and, just as often, plain questions
answered with `None`, since a small model otherwise copies a call into every turn.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from pydantic import BaseModel

from agent.examples import examples, tool_rule
from agent.format import (
    MOSS_CAPABILITIES,
    MOSS_PREAMBLE,
    Capability,
    capabilities_for,
    render_meta_instruction,
)
from agent.framing import MOSS_FRAMING, Framing


class ToolInfo(BaseModel):
    """What the meta instruction says about one tool."""

    name: str  # the MOSS API name, e.g. "Calculate"
    capability: str  # the label, e.g. "Calculator"
    signature: str  # e.g. "Calculate(expression)"


def capabilities(tools: Sequence[ToolInfo]) -> list[Capability]:
    """MOSS's seven capability lines in MOSS's order, enabled where a tool provides them,
    followed by any third-party tool MOSS never knew."""
    moss_tools = {cap.tool for cap in MOSS_CAPABILITIES if cap.tool}
    extra = [Capability(label=t.capability, api=t.signature) for t in tools if t.name not in moss_tools]
    return capabilities_for([t.name for t in tools], extra)


def few_shot_text(enabled_tools: Collection[str], framing: Framing = MOSS_FRAMING, *,
                  plan_thoughts: bool = False) -> str:
    """The example turns whose tools are all enabled, rendered in the wire format."""
    enabled = set(enabled_tools)
    return "".join(framing.render_turn(e.turn) for e in examples(plan_thoughts) if e.shown(enabled))


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
    return framing.system(meta) + few_shot_text(names, framing, plan_thoughts=plan_thoughts)
