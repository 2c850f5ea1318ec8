"""The few-shot turns a model that never saw MOSS reads before the first question.

Two sets, chosen by `TurnPolicy.plan_thoughts`:

- `SHORT_THOUGHTS`: tool thoughts are one fixed sentence ("This is a calculation, so I use the
  calculator."), the fastest to write; the set the first release shipped.
- `PLAN_THOUGHTS`: the thoughts name the quantities the question gives before the call, which
  defines them by name and computes from them (`per_minute=18; minutes=2.5*60;
  per_minute*minutes`), as a program would; the calls show what the calculator knows (named quantities, averages, percentages with rounding when asked, definitions, unit
  conversions, lcm, roots, quadratics), and with Search enabled one turn searches and then
  calculates on what it found.

The examples are our own text in the MOSS style, not copies of the MOSS training data (which is
licensed for non-commercial use), and none is taken from the development questions in `bench/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent.format import Call, Round, Turn
from tools import ToolResult


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


CALC = "This is a calculation, so I use the calculator."
SOLVE = "This is a system of equations, so I use the equation solver."
SEARCH = "This is a question about facts, so I use the search engine."
NO_TOOL = "This is not a calculation, so no tool is needed; I answer directly."
EQUATION = "This is an equation, so I use the equation solver."


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
SHORT_THOUGHTS: list[Example] = [
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
            [(_call("Calculate", "880*12.5/100"), ToolResult.value("110"))],
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
            "Four runners finished in 62, 58, 65 and 61 seconds. What was their average time?", CALC,
            "Their average time was 61.5 seconds.",
            [(_call("Calculate", "(62+58+65+61)/4"), ToolResult.value("61.5"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "What is 91000 divided by 35?", CALC, "91000 divided by 35 is 2600.",
            [(_call("Calculate", "91000/35"), ToolResult.value("2600"))],
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
            "Find x if x^2 - 5x - 14 = 0.", EQUATION, "The solutions are x = -2 and x = 7.",
            [(_call("Solve", "x^2-5x-14=0"), ToolResult.lines(["x_0 = -2", "x_1 = 7"]))],
        ),
        needs=frozenset({"Solve"}),
    ),
    Example(
        _example(
            "用一句话介绍一下长城。", "用户想要一句话介绍长城。这不是计算问题，不需要工具，我直接回答。",
            "长城是中国古代修建的军事防御工程，绵延上万里，是世界上最著名的建筑奇迹之一。",
        ),
    ),
    Example(
        _example(
            "What is the cube root of 2744?", CALC, "The cube root of 2744 is 14.",
            [(_call("Calculate", "root(2744, 3)"), ToolResult.value("14"))],
        ),
        needs=frozenset({"Calculate"}),
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
            "妈妈买了4千克苹果，每千克6.5元，付了50元，应找回多少元？", "这是一个计算问题，所以我使用计算器。",
            "应找回24元。",
            [(_call("Calculate", "50-4*6.5"), ToolResult.value("24"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "Two lamps blink every 12 and 18 seconds. They blink together now; after how many seconds "
            "do they next blink together?", CALC, "They next blink together after 36 seconds.",
            [(_call("Calculate", "lcm(12, 18)"), ToolResult.value("36"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "Let f(x) = 3x - 1. What is f(4)?", CALC, "f(4) is 11.",
            [(_call("Calculate", "f(x)=3x-1; f(4)"), ToolResult.value("11"))],
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
            "How many metres are in 3.2 miles?", CALC, "3.2 miles are about 5150 metres.",
            [(_call("Calculate", "3.2 mi to m"), ToolResult.value("5149.9008 m"))],
        ),
        needs=frozenset({"Calculate"}),
    ),
    Example(
        _example(
            "What is 100 divided by 7, rounded to 2 decimal places?", CALC,
            "100 divided by 7 is 14.29, rounded to 2 decimal places.",
            [(_call("Calculate", "round(100/7, 2)"), ToolResult.value("14.29"))],
        ),
        needs=frozenset({"Calculate"}),
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


# -- thoughts that plan the call ------------------------------------------------------------------
# Measured on the tuning split (bench/accuracy.py --split tune, llama.cpp): a first plan set whose
# thoughts wrote the whole formula in words and whose examples combined an average with rounding,
# and showed a failed `gcf(...)` fixed in a second round, was copied: averages of any count were
# divided by 5 and rounded, and replies read "The calculator has no X; it calls it Y" (13% of tool
# questions right). Qwen2.5-Coder writes code far better than prose arithmetic, so this set's calls
# name the quantities the way a program would (`price=3.5; count=12; price*count`), which the
# calculator evaluates, and each example shows a different structure. That second set (thoughts
# that only restated the quantities) lost to the short set on the tuning subset, 22.9% against
# 28.2%: with no decision sentence first the model solved quadratics and looked up facts in its
# thoughts instead of calling a tool (quadratics 1/10 against 7/10, lookups 1/5 against 5/5). So
# every tool thought here opens with the short set's decision sentence, then the plan.
PLAN_RULE = (
    "- MOSS uses a tool for every calculation, however simple, and for every equation; "
    "for anything else its Commands are None. With several quantities, its call names them "
    "and computes the answer from them (price=3.5; count=12; price*count).\n"
    "- The calculator knows + - * / ^ %, sqrt, root(x, n), round(x, n), gcd, lcm, mod, unit "
    "conversions (5 km to m) and definitions (f(x)=2x+1; f(3)). The solver takes equations "
    "separated by ; and returns every solution.\n"
)
PLAN_SEARCH_RULE = (
    "- MOSS uses the calculator for every calculation, the equation solver for every equation, "
    "and the search engine for every question about facts: people, companies, places, dates "
    "and figures; for anything else its Commands are None. With several quantities, its call "
    "names them and computes the answer from them (price=3.5; count=12; price*count).\n"
    "- The calculator knows + - * / ^ %, sqrt, root(x, n), round(x, n), gcd, lcm, mod, unit "
    "conversions (5 km to m) and definitions (f(x)=2x+1; f(3)). The solver takes equations "
    "separated by ; and returns every solution.\n"
)
PLAN_NO_TOOL = NO_TOOL


def _rounds(question: str, reply: str, *rounds: tuple[str, Sequence[tuple[Call, ToolResult]]]) -> Turn:
    return Turn(question=question, reply=reply, rounds=tuple(
        Round(thoughts=t, calls=tuple(c for c, _ in calls), results=tuple(r for _, r in calls)) for t, calls in rounds))


CALC_ONLY = frozenset({"Calculate"})
SOLVE_ONLY = frozenset({"Solve"})
NO_SEARCH = frozenset({"Search"})
# The same alternation as the short set (a call, a plain answer, ...), ending on an English turn.
PLAN_THOUGHTS: list[Example] = [
    Example(
        _example("What is 1234 multiplied by 56?", f"{CALC} 1234 x 56.",
                 "1234 multiplied by 56 is 69104.",
                 [(_call("Calculate", "1234*56"), ToolResult.value("69104"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("What is the capital of France?",
                 f"The user asks which city is the capital of France. {PLAN_NO_TOOL}",
                 "The capital of France is Paris."),
        unless=NO_SEARCH,
    ),
    Example(
        _example("How many people live in Reykjavik?", SEARCH,
                 "About 139,000 people lived in Reykjavik in 2023.",
                 [_search("Reykjavik population",
                          "Reykjavik is the capital and largest city of Iceland. Its population was "
                          "about 139,000 in 2023, and about 240,000 live in the capital region.",
                          "Reykjavik travel guide: museums, hot pools and the old harbour.")]),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example("A printer prints 18 pages per minute. How many pages does it print in 2.5 hours?",
                 f"{CALC} 18 pages a minute for 2.5 x 60 minutes.",
                 "It prints 2700 pages in 2.5 hours.",
                 [(_call("Calculate", "per_minute=18; minutes=2.5*60; per_minute*minutes"), ToolResult.value("2700"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Translate 'good morning' into French.",
                 f"The user wants 'good morning' in French. {PLAN_NO_TOOL}",
                 "'Good morning' in French is 'Bonjour'."),
    ),
    Example(
        _example("Two numbers add up to 30 and their difference is 8. What are they?",
                 f"{SOLVE} x + y = 30 and x - y = 8.",
                 "The two numbers are 19 and 11.",
                 [(_call("Solve", "x+y=30;x-y=8"), ToolResult.lines(["x = 19", "y = 11"]))]),
        needs=SOLVE_ONLY,
    ),
    Example(
        _example("索尼公司是哪一年成立的？", "这是一个关于事实的问题，所以我使用搜索引擎。",
                 "索尼公司成立于1946年，创始人是井深大和盛田昭夫。",
                 [_search("索尼 成立 年份",
                          "索尼公司（Sony）于1946年5月7日由井深大和盛田昭夫在东京创立，最初名为东京通信工业。",
                          "索尼的主要业务包括电子产品、游戏、音乐和电影。")]),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example("妈妈买了4千克苹果，每千克6.5元，付了50元，应找回多少元？",
                 "这是一个计算问题，所以我使用计算器。4千克，每千克6.5元，付了50元。",
                 "应找回24元。",
                 [(_call("Calculate", "cost=4*6.5; paid=50; paid-cost"), ToolResult.value("24"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Tell me a short joke.", f"The user wants a joke. {PLAN_NO_TOOL}",
                 "Why did the scarecrow win an award? Because he was outstanding in his field!"),
    ),
    Example(
        _example("A runner's lap times were 62, 58, 65 and 61 seconds. What was her average lap time?",
                 f"{CALC} The sum of the 4 lap times, divided by 4.",
                 "Her average lap time was 61.5 seconds.",
                 [(_call("Calculate", "total=62+58+65+61; count=4; total/count"), ToolResult.value("61.5"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Solve x^2 - 5x - 14 = 0.", f"{EQUATION} x^2 - 5x - 14 = 0.",
                 "The solutions are x = -2 and x = 7.",
                 [(_call("Solve", "x^2-5x-14=0"), ToolResult.lines(["x_0 = -2", "x_1 = 7"]))]),
        needs=SOLVE_ONLY,
    ),
    Example(
        _example("用一句话介绍一下长城。", "用户想要一句话介绍长城。这不是计算问题，不需要工具，我直接回答。",
                 "长城是中国古代修建的军事防御工程，东西绵延上万里，是世界上最著名的建筑奇迹之一。"),
    ),
    Example(
        _example("A jacket costs $80. It is 15% off, and 8% tax is added to the sale price. What do I "
                 "pay, rounded to the nearest cent?",
                 f"{CALC} 80 less 15%, plus 8% tax, rounded to 2 decimals.",
                 "You pay $73.44.",
                 [(_call("Calculate", "sale=80*(1-15/100); final=sale*(1+8/100); round(final, 2)"),
                   ToolResult.value("73.44"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Let f(x) = 3x - 1. What is f(4)?", f"{CALC} f(x) = 3x - 1 at x = 4.",
                 "f(4) is 11.",
                 [(_call("Calculate", "f(x)=3x-1; f(4)"), ToolResult.value("11"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Write a one-line birthday wish for my sister.",
                 f"The user wants a birthday wish for a sister. {PLAN_NO_TOOL}",
                 "Happy birthday to the best sister in the world: may this year bring you joy!"),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example("Let k = 2*3 - 1. Solve k*t - 4 = 3*t for t.",
                 f"{EQUATION} k = 2*3 - 1 and k*t - 4 = 3*t.",
                 "t = 2 (with k = 5).",
                 [(_call("Solve", "k=2*3-1; k*t-4=3*t"), ToolResult.lines(["k = 5", "t = 2"]))]),
        needs=SOLVE_ONLY,
    ),
    Example(
        _example("What is the cube root of 2744?", f"{CALC} The cube root of 2744.",
                 "The cube root of 2744 is 14.",
                 [(_call("Calculate", "root(2744, 3)"), ToolResult.value("14"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _rounds(
            "How tall is the Eiffel Tower in feet?",
            "The Eiffel Tower is 330 metres tall, which is about 1083 feet.",
            (f"{SEARCH} The height of the Eiffel Tower first, then feet.",
             [_search("Eiffel Tower height",
                      "The Eiffel Tower in Paris is 330 metres tall including its antennas.",
                      "The Eiffel Tower was completed in 1889 for the World's Fair.")]),
            (f"{CALC} 330 metres in feet.",
             [(_call("Calculate", "330 m to ft"), ToolResult.value("1082.67716535 ft"))]),
        ),
        needs=frozenset({"Search", "Calculate"}),
    ),
    Example(
        _example("35乘以47等于多少？", "这是一个计算问题，所以我使用计算器。", "35乘以47等于1645。",
                 [(_call("Calculate", "35*47"), ToolResult.value("1645"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Two lamps blink every 12 and 18 seconds. They blink together now; after how many "
                 "seconds do they next blink together?",
                 f"{CALC} The least common multiple of 12 and 18.",
                 "They next blink together after 36 seconds.",
                 [(_call("Calculate", "lcm(12, 18)"), ToolResult.value("36"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Who founded Samsung, and when?", SEARCH,
                 "Samsung was founded by Lee Byung-chul in 1938, in Daegu, Korea.",
                 [_search("Samsung founder year",
                          "Samsung was founded by Lee Byung-chul on 1 March 1938 in Daegu as a "
                          "small trading company.",
                          "Samsung Electronics is the largest company of the Samsung Group.")]),
        needs=frozenset({"Search"}),
    ),
    Example(
        _example("How many miles is a marathon of 42.195 km?", f"{CALC} 42.195 km in miles.",
                 "A marathon of 42.195 km is about 26.2 miles.",
                 [(_call("Calculate", "42.195 km to mi"), ToolResult.value("26.2187574565 mi"))]),
        needs=CALC_ONLY,
    ),
    Example(
        _example("Who painted the Mona Lisa?",
                 f"The user asks who painted the Mona Lisa. {PLAN_NO_TOOL}",
                 "The Mona Lisa was painted by Leonardo da Vinci."),
        unless=NO_SEARCH,
    ),
]


def examples(plan_thoughts: bool) -> list[Example]:
    """The few-shot set for the thoughts' style."""
    return PLAN_THOUGHTS if plan_thoughts else SHORT_THOUGHTS


def tool_rule(enabled_tools: Sequence[str] | set[str] | frozenset[str], plan_thoughts: bool = False) -> str:
    """The line(s) added to the persona of a model that was not trained on MOSS."""
    search = "Search" in enabled_tools
    if plan_thoughts:
        return PLAN_SEARCH_RULE if search else PLAN_RULE
    return SEARCH_RULE if search else TOOL_RULE
