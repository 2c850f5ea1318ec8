"""What the model reads before the first turn: the meta instruction and few-shot turns.

A MOSS model needs only the meta instruction. Any other model (the embedded Qwen2.5-Coder
among them) has never seen the format, so a few example turns written in it come first: they
show one call per enabled tool and, just as often, plain questions answered with `None`, since
a small model otherwise copies a call into every turn. The examples are our own text in the
MOSS style, not copies of the MOSS training data (which is licensed for non-commercial use).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from agent.format import (
    MOSS_CAPABILITIES,
    MOSS_PREAMBLE,
    Call,
    Capability,
    Turn,
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


def _example(question: str, thoughts: str, reply: str, calls: Sequence[tuple[Call, ToolResult]] = ()) -> Turn:
    return Turn(question=question, thoughts=thoughts, calls=[c for c, _ in calls],
                results=[r for _, r in calls], reply=reply)


def _call(tool: str, *args: str) -> Call:
    quoted = ", ".join(f'"{a}"' for a in args)
    return Call(tool=tool, args=args, text=f"{tool}({quoted})")


# One line added to MOSS's persona for models that were not trained on it: without it a small
# model decides that arithmetic it "knows" needs no tool, and states wrong numbers.
TOOL_RULE = (
    "- MOSS uses a tool for every calculation, however simple, and for every equation; "
    "for anything else its Commands are None.\n"
)
# With Search enabled the rule also says what to look up: without it the model answers
# questions about facts from memory and invents the answer.
SEARCH_RULE = (
    "- MOSS uses the calculator for every calculation, the equation solver for every equation, "
    "and the search engine for every question about facts: people, companies, places, dates "
    "and figures; for anything else its Commands are None.\n"
)


def tool_rule(enabled_tools: Collection[str]) -> str:
    """The line added to the persona of a model that was not trained on MOSS."""
    return SEARCH_RULE if "Search" in enabled_tools else TOOL_RULE


CALC = "This is a calculation, so I use the calculator."
SOLVE = "This is a system of equations, so I use the equation solver."
SEARCH = "This is a question about facts, so I use the search engine."
NO_TOOL = "This is not a calculation, so no tool is needed; I answer directly."


@dataclass(frozen=True)
class Example:
    """One few-shot turn, shown when every tool in `needs` is enabled and none in `unless`."""

    turn: Turn
    needs: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()

    def shown(self, enabled: set[str]) -> bool:
        return self.needs <= enabled and not self.unless & enabled


def _search(query: str, *snippets: str) -> tuple[Call, ToolResult]:
    return _call("Search", query), ToolResult.snippets([repr(s) for s in snippets])


# Order matters, measured with bench/accuracy.py: calls and plain answers alternate so that
# neither habit dominates, and the last example weighs most (a Chinese greeting placed last
# made the model greet in Chinese and stop calling tools). The thoughts name the reason (a
# calculation, a question about facts, or neither); "I can do this myself", tried first, was
# copied into arithmetic questions, which then got wrong answers. Tool thoughts are one short
# sentence (every token is decode time: ~0.5 s per tool turn saved on llama.cpp at the same
# accuracy); plain-question thoughts restate the question, which keeps the reply on it. With
# Search enabled, the plain examples that are questions about facts give way to searches and a
# plain request (the birthday wish); tried with `bench/accuracy.py --search` on llama.cpp: a
# Chinese plain example made English questions get Chinese replies (chat 16/20), a Chinese
# search last made English questions search in Chinese, a pet-name example last had its reply
# copied into an unrelated question; ending on an English search did best (9/10 searched, 6/10
# right, chat 19/20). A fourth example searching software documentation (a PostgreSQL setting)
# made the model search questions about its own README, but it then wrote prose into
# Calculate ("7.5% of 1200"): 18/22 calculator questions instead of 21/22, so it is left out.
FEW_SHOT: list[Example] = [
    Example(
        _example(
            "What is 1234 multiplied by 56?", CALC, "1234 multiplied by 56 is 69104.",
            [(_call("Calculate", "1234*56"), ToolResult.value("69104"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "What is the capital of France?",
            f"The user asks which city is the capital of France. {NO_TOOL}",
            "The capital of France is Paris.",
        ),
        unless=frozenset({"Search"}),
    ),
    Example(
        _example(
            "How many people live in Reykjavik?", SEARCH,
            "About 139,000 people lived in Reykjavik in 2023.",
            [_search("Reykjavik population",
                     "Reykjavik is the capital and largest city of Iceland. Its population was "
                     "about 139,000 in 2023, and about 240,000 live in the capital region.",
                     "Reykjavik travel guide: museums, hot pools and the old harbour.")],
        ),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example(
            "What is 12.5% of 880?", CALC, "12.5% of 880 is 110.",
            [(_call("Calculate", "880*12.5/100"), ToolResult.value("110.0"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "Translate 'good morning' into French.",
            f"The user wants 'good morning' in French. {NO_TOOL}",
            "'Good morning' in French is 'Bonjour'.",
        ),
    ),
    Example(
        _example(
            "Two numbers add up to 30 and their difference is 8. What are they?", SOLVE,
            "The two numbers are 19 and 11.",
            [(_call("Solve", "x+y=30;x-y=8"), ToolResult.lines(["x = 19", "y = 11"]))],
        ),
        needs=frozenset({"Solve"}),
    ),
    Example(
        _example(
            "索尼公司是哪一年成立的？", "这是一个关于事实的问题，所以我使用搜索引擎。",
            "索尼公司成立于1946年，创始人是井深大和盛田昭夫。",
            [_search("索尼 成立 年份",
                     "索尼公司（Sony）于1946年5月7日由井深大和盛田昭夫在东京创立，最初名为东京通信工业。",
                     "索尼的主要业务包括电子产品、游戏、音乐和电影。")],
        ),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example(
            "Tell me a short joke.",
            f"The user wants a joke. {NO_TOOL}",
            "Why did the scarecrow win an award? Because he was outstanding in his field!",
        ),
    ),
    Example(
        _example(
            "What is 91000 divided by 35?", CALC, "91000 divided by 35 is 2600.",
            [(_call("Calculate", "91000/35"), ToolResult.value("2600.0"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "Solve 3x + 2y = 16 and x - y = 2.", SOLVE, "The solution is x = 4 and y = 2.",
            [(_call("Solve", "3x+2y=16;x-y=2"), ToolResult.lines(["x = 4", "y = 2"]))],
        ),
        needs=frozenset({"Solve"}),
    ),
    Example(
        _example(
            "Write a one-line birthday wish for my sister.",
            f"The user wants a birthday wish for a sister. {NO_TOOL}",
            "Happy birthday to the best sister in the world: may this year bring you joy!",
        ),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example(
            "35乘以47等于多少？", "这是一个计算问题，所以我使用计算器。", "35乘以47等于1645。",
            [(_call("Calculate", "35*47"), ToolResult.value("1645"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "Who founded Samsung, and when?", SEARCH,
            "Samsung was founded by Lee Byung-chul in 1938, in Daegu, Korea.",
            [_search("Samsung founder year",
                     "Samsung was founded by Lee Byung-chul on 1 March 1938 in Daegu as a "
                     "small trading company.",
                     "Samsung Electronics is the largest company of the Samsung Group.")],
        ),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example(
            "Who painted the Mona Lisa?",
            f"The user asks who painted the Mona Lisa. {NO_TOOL}",
            "The Mona Lisa was painted by Leonardo da Vinci.",
        ),
        unless=frozenset({"Search"}),
    ),
]


def few_shot_text(enabled_tools: Collection[str], framing: Framing = MOSS_FRAMING) -> str:
    """The example turns whose tools are all enabled, rendered in the wire format."""
    enabled = set(enabled_tools)
    return "".join(framing.render_turn(e.turn) for e in FEW_SHOT if e.shown(enabled))


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
    meta = render_meta_instruction(capabilities(tools), preamble=preamble + tool_rule(names))
    return framing.system(meta) + few_shot_text(names, framing)
