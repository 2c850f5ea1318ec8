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
from agent.framing import MOSS_FRAMING, Framing
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


# One line added to MOSS's persona for models that were not trained on it: without it a small
# model decides that arithmetic it "knows" needs no tool, and states wrong numbers.
TOOL_RULE = (
    "- MOSS uses a tool for every calculation, however simple, and for every equation; "
    "for anything else its Commands are None.\n"
)

# (tools the example needs, the example). Order matters, measured with bench/accuracy.py: calls
# and plain answers alternate so that neither habit dominates, and the last example weighs most
# (a Chinese greeting placed last made the model greet in Chinese and stop calling tools). The
# thoughts name the reason (a calculation or not); "I can do this myself", tried first, was
# copied into arithmetic questions, which then got wrong answers. Tool thoughts are one short
# sentence (every token is decode time: ~0.5 s per tool turn saved on llama.cpp at the same
# accuracy); plain-question thoughts restate the question, which keeps the reply on it.
FEW_SHOT: list[tuple[frozenset[str], TurnResult]] = [
    (
        frozenset({"Calculate"}),
        _example(
            "What is 1234 multiplied by 56?",
            "This is a calculation, so I use the calculator.",
            "1234 multiplied by 56 is 69104.",
            [(_call("Calculate", "1234*56"), ToolResult.value("69104"))],
        ),
    ),
    (
        frozenset(),
        _example(
            "What is the capital of France?",
            "The user asks which city is the capital of France. "
            "This is not a calculation, so no tool is needed; I answer directly.",
            "The capital of France is Paris.",
        ),
    ),
    (
        frozenset({"Calculate"}),
        _example(
            "What is 12.5% of 880?",
            "This is a calculation, so I use the calculator.",
            "12.5% of 880 is 110.",
            [(_call("Calculate", "880*12.5/100"), ToolResult.value("110.0"))],
        ),
    ),
    (
        frozenset(),
        _example(
            "Translate 'good morning' into French.",
            "The user wants 'good morning' in French. "
            "This is not a calculation, so no tool is needed; I answer directly.",
            "'Good morning' in French is 'Bonjour'.",
        ),
    ),
    (
        frozenset({"Solve"}),
        _example(
            "Two numbers add up to 30 and their difference is 8. What are they?",
            "This is a system of equations, so I use the equation solver.",
            "The two numbers are 19 and 11.",
            [(_call("Solve", "x+y=30;x-y=8"), ToolResult.lines(["x = 19", "y = 11"]))],
        ),
    ),
    (
        frozenset(),
        _example(
            "Tell me a short joke.",
            "The user wants a joke. This is not a calculation, so no tool is needed; I answer directly.",
            "Why did the scarecrow win an award? Because he was outstanding in his field!",
        ),
    ),
    (
        frozenset({"Calculate"}),
        _example(
            "What is 91000 divided by 35?",
            "This is a calculation, so I use the calculator.",
            "91000 divided by 35 is 2600.",
            [(_call("Calculate", "91000/35"), ToolResult.value("2600.0"))],
        ),
    ),
    (
        frozenset({"Solve"}),
        _example(
            "Solve 3x + 2y = 16 and x - y = 2.",
            "This is a system of equations, so I use the equation solver.",
            "The solution is x = 4 and y = 2.",
            [(_call("Solve", "3x+2y=16;x-y=2"), ToolResult.lines(["x = 4", "y = 2"]))],
        ),
    ),
    (
        frozenset({"Calculate"}),
        _example(
            "35乘以47等于多少？",
            "这是一个计算问题，所以我使用计算器。",
            "35乘以47等于1645。",
            [(_call("Calculate", "35*47"), ToolResult.value("1645"))],
        ),
    ),
    (
        frozenset(),
        _example(
            "Who painted the Mona Lisa?",
            "The user asks who painted the Mona Lisa. "
            "This is not a calculation, so no tool is needed; I answer directly.",
            "The Mona Lisa was painted by Leonardo da Vinci.",
        ),
    ),
]


def few_shot_text(enabled_tools: Collection[str], framing: Framing = MOSS_FRAMING) -> str:
    """The example turns whose tools are all enabled, rendered in the wire format."""
    return "".join(
        framing.render_turn(example) for needs, example in FEW_SHOT if needs <= set(enabled_tools)
    )


def build_prefix(
    tools: Sequence[ToolInfo],
    *,
    few_shot: bool,
    framing: Framing = MOSS_FRAMING,
    preamble: str = MOSS_PREAMBLE,
) -> str:
    """The text before the first turn: meta instruction, then (for non-MOSS models) examples."""
    if not few_shot:
        return framing.system(render_meta_instruction(capabilities(tools), preamble=preamble))
    meta = render_meta_instruction(capabilities(tools), preamble=preamble + TOOL_RULE)
    return framing.system(meta) + few_shot_text([t.name for t in tools], framing)
