"""The prompt before the first turn: the enabled tools' own examples merged with the plain
ones, every example call giving, through the real tool, exactly the result it shows, and a
third-party tool's examples shown the same way as the built-ins'."""

from __future__ import annotations

import hashlib

import pytest

from agent.examples import PLAN_RULE, SEARCH_RULE, TOOL_RULE, few_shot_turns
from agent.framing import CHATML_FRAMING
from agent.parse import parse_commands
from agent.prompt import ToolInfo, build_prefix, few_shot_text
from tools import Registry, ToolExample, ToolResult, tool
from tools.errors import ToolDefinitionError

REGISTRY = Registry.discover()


def info(name: str) -> ToolInfo:
    t = REGISTRY.get(name)
    return ToolInfo(name=t.name, capability=t.capability, signature=t.signature, examples=t.examples)


CALC, SOLVE, SEARCH = info("Calculate"), info("Solve"), info("Search")
BUILT_IN = [e for t in (CALC, SOLVE, SEARCH) for e in t.examples]


@pytest.mark.parametrize(("tools", "sha256"), [
    ([CALC, SOLVE, SEARCH], "22063adb19974dda742b511ee6d25f79f95e9c1ea90ab3f15b28bcb419ceb8ab"),
    ([CALC, SOLVE], "c8b35e187332ce736f5343b0e78aed812f4192ed698d0ae77383574b4b0efd00"),
    ([CALC], "7a12c3e2c658cc189b0ddc6b925221726ff3f3e94e16f036be19aae14e736f14"),
    ([], "fcd12440a5e051cfeef34cc27e5b1f9f3900b0c146aba422c90a850c0a57d957"),
], ids=["all", "calc+solve", "calc", "none"])
def test_the_built_ins_prefix_is_pinned(tools: list[ToolInfo], sha256: str) -> None:
    """The default prefix, byte for byte: examples moved onto their tools rendered the same as
    when they lived in the agent, and any later change to it is a measured, deliberate one."""
    text = build_prefix(tools, few_shot=True, framing=CHATML_FRAMING)
    assert hashlib.sha256(text.encode()).hexdigest() == sha256


@pytest.mark.parametrize("plan", [False, True])
def test_search_examples_and_rule_only_when_search_is_enabled(plan: bool) -> None:
    without = build_prefix([CALC], few_shot=True, plan_thoughts=plan)
    assert "Search(" not in without and (PLAN_RULE if plan else TOOL_RULE) in without
    assert "What is the capital of France?" in without

    with_search = build_prefix([CALC, SEARCH], few_shot=True, plan_thoughts=plan)
    assert "search engine for every question about facts" in with_search and TOOL_RULE not in with_search
    assert plan or SEARCH_RULE in with_search
    assert with_search.count('Search("') >= 4  # each example call and its Results entry
    # plain examples that are questions about facts would teach the model not to search
    assert "What is the capital of France?" not in with_search
    assert "Tell me a short joke." in with_search


def test_every_example_call_parses_and_is_of_a_tool_it_needs() -> None:
    for example in BUILT_IN:
        for round_ in example.rounds:
            commands = ", ".join(c.text for c in round_.calls)
            parsed = parse_commands(commands)
            assert not parsed.warnings, example.question
            assert len(parsed.calls) == len(round_.results)
        assert example.tools() <= {"Calculate", "Solve", "Search"}


def test_every_example_result_is_what_the_tool_answers() -> None:
    tools = {"Calculate": REGISTRY.get("Calculate"), "Solve": REGISTRY.get("Solve")}
    checked = 0
    for example in BUILT_IN:
        for round_ in example.rounds:
            for call, shown in zip(round_.calls, round_.results):
                if call.tool in tools:
                    assert tools[call.tool](*call.args).render_body() == shown.render_body(), call.text
                    checked += 1
    assert checked >= 20


def test_the_plan_style_has_its_own_examples_and_a_search_then_a_calculation() -> None:
    plan = [e for e in BUILT_IN if e.style == "plan"]
    assert [sorted(e.tools()) for e in plan if len(e.rounds) > 1] == [["Calculate", "Search"]]
    only_calc = few_shot_text([CALC], plan_thoughts=True)
    assert "per_minute=18" in only_calc and "Eiffel" not in only_calc
    assert "Eiffel" in few_shot_text([CALC, SEARCH], plan_thoughts=True)
    assert "per_minute=18" not in few_shot_text([CALC])


def test_search_example_results_number_their_snippets() -> None:
    text = few_shot_text([SEARCH])
    assert "\n<|1|>: 'Reykjavik is the capital" in text and "\n<|2|>: " in text


def test_a_third_party_tools_examples_are_shown_in_their_place() -> None:
    example = ToolExample.one_call(
        "What day of the week was 1 March 2000?", "This is a date question, so I use the calendar.",
        'Weekday("2000-03-01")', ToolResult.value("Wednesday"), "1 March 2000 was a Wednesday.")

    @tool(name="Weekday", capability="Calendar", signature="Weekday(date)", examples=[example])
    def weekday(date: str) -> str:
        return "Wednesday"

    mine = ToolInfo(name="Weekday", capability="Calendar", signature="Weekday(date)", examples=weekday.examples)
    turns = few_shot_turns([*CALC.examples, *mine.examples], ["Calculate", "Weekday"])
    questions = [t.question for t in turns]
    assert "What day of the week was 1 March 2000?" in questions
    assert questions.index("What day of the week was 1 March 2000?") > questions.index("What is 1234 multiplied by 56?")
    assert 'Weekday("2000-03-01") => Wednesday' in few_shot_text([CALC, mine])
    assert "Weekday(" not in few_shot_text([CALC])  # not shown when its tool is not enabled


def test_an_example_call_that_does_not_read_back_is_refused_at_import() -> None:
    with pytest.raises(ToolDefinitionError, match="must be one call"):
        ToolExample.one_call("q", "t", "Weekday(2000-03-01)", ToolResult.value("x"), "r")
