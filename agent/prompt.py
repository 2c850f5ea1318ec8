"""What the model reads before the first turn: the meta instruction and few-shot turns.

A MOSS model needs only the meta instruction. Any other model (the embedded Qwen2.5-Coder
among them) has never seen the format, so a few example turns written in it come first: they
show one call per enabled tool and, just as often, plain questions answered with `None`, since
a small model otherwise copies a call into every turn. The examples are our own text in the
MOSS style, not copies of the MOSS training data (which is licensed for non-commercial use).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from pydantic import BaseModel

from agent.events import TurnResult
from agent.format import (
    MOSS_CAPABILITIES,
    MOSS_PREAMBLE,
    Call,
    Capability,
    capabilities_for,
    render_meta_instruction,
)
from agent.loop import render_turn_text
from tools import ToolResult


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


def _example(question: str, thoughts: str, reply: str, calls: Sequence[tuple[Call, ToolResult]] = ()) -> TurnResult:
    return TurnResult(
        question=question,
        thoughts=thoughts,
        commands=", ".join(c.text for c, _ in calls) if calls else "None",
        calls=[c for c, _ in calls],
        results=[r for _, r in calls],
        reply=reply,
    )


def _call(tool: str, *args: str) -> Call:
    quoted = ", ".join(f'"{a}"' for a in args)
    return Call(tool=tool, args=args, text=f"{tool}({quoted})")


# (tools the example needs, the example). Order matters: calls and plain answers alternate so
# that neither habit dominates the model's next turn.
FEW_SHOT: list[tuple[frozenset[str], TurnResult]] = [
    (
        frozenset({"Calculate"}),
        _example(
            "What is 1234 multiplied by 56?",
            "The user asks for a product of two numbers. I should use the calculator to get it exactly.",
            "1234 multiplied by 56 is 69104.",
            [(_call("Calculate", "1234*56"), ToolResult.value("69104"))],
        ),
    ),
    (
        frozenset(),
        _example(
            "What is the capital of France?",
            "This is a general knowledge question. I know the answer, so no tool is needed.",
            "The capital of France is Paris.",
        ),
    ),
    (
        frozenset({"Solve"}),
        _example(
            "Two numbers add up to 30 and their difference is 8. What are they?",
            "This is a system of two linear equations. I should use the equation solver.",
            "The two numbers are 19 and 11.",
            [(_call("Solve", "x+y=30;x-y=8"), ToolResult.lines(["x = 19", "y = 11"]))],
        ),
    ),
    (
        frozenset(),
        _example(
            "Translate 'good morning' into French.",
            "The user wants a translation. I can do this myself; no tool is needed.",
            "'Good morning' in French is 'Bonjour'.",
        ),
    ),
    (
        frozenset({"Calculate"}),
        _example(
            "一个圆的半径是3厘米，它的面积是多少？",
            "用户想知道圆的面积，公式是 pi*r^2，我需要用计算器计算。",
            "半径为3厘米的圆，面积约为28.27平方厘米。",
            [(_call("Calculate", "pi*3^2"), ToolResult.value("28.274333882308138"))],
        ),
    ),
    (
        frozenset(),
        _example(
            "Tell me a short joke.",
            "The user wants a joke. This needs no tool.",
            "Why did the scarecrow win an award? Because he was outstanding in his field!",
        ),
    ),
]


def few_shot_text(enabled_tools: Collection[str]) -> str:
    """The example turns whose tools are all enabled, rendered in the wire format."""
    return "".join(
        render_turn_text(example) for needs, example in FEW_SHOT if needs <= set(enabled_tools)
    )


def build_prefix(tools: Sequence[ToolInfo], *, few_shot: bool, preamble: str = MOSS_PREAMBLE) -> str:
    """The text before the first turn: meta instruction, then (for non-MOSS models) examples."""
    meta = render_meta_instruction(capabilities(tools), preamble=preamble)
    return meta + (few_shot_text([t.name for t in tools]) if few_shot else "")
