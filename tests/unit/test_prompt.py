"""The prompt before the first turn: few-shot examples follow the enabled tools, and every
example call gives, through the real tools, exactly the result the example shows."""

from __future__ import annotations

import pytest

from agent.examples import PLAN_RULE, PLAN_THOUGHTS, SEARCH_RULE, SHORT_THOUGHTS, TOOL_RULE, Example
from agent.parse import parse_commands
from agent.prompt import ToolInfo, build_prefix, few_shot_text
from plugins.calculate import Calculate
from plugins.solve import Solve

CALC = ToolInfo(name="Calculate", capability="Calculator", signature="Calculate(expression)")
SOLVE = ToolInfo(name="Solve", capability="Equation solver", signature="Solve(equation)")
SEARCH = ToolInfo(name="Search", capability="Web search", signature="Search(query)")
SETS = pytest.mark.parametrize("examples", [SHORT_THOUGHTS, PLAN_THOUGHTS], ids=["short", "plan"])


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


@SETS
def test_every_example_call_parses_and_names_a_tool_the_example_needs(examples: list[Example]) -> None:
    for example in examples:
        for round_ in example.turn.rounds:
            parsed = parse_commands(round_.commands)
            assert not parsed.warnings, example.turn.question
            assert {c.tool for c in parsed.calls} <= example.needs | {"Calculate"}
            assert len(parsed.calls) == len(round_.results)
        assert {c.tool for c in example.turn.calls} <= example.needs


@SETS
def test_every_example_result_is_what_the_tool_answers(examples: list[Example]) -> None:
    tools = {"Calculate": Calculate, "Solve": Solve}
    checked = 0
    for example in examples:
        for call, shown in zip(example.turn.calls, example.turn.results):
            if call.tool in tools:
                assert tools[call.tool](*call.args).render_body() == shown.render_body(), call.text
                checked += 1
    assert checked >= 5


def test_the_plan_set_names_quantities_and_shows_a_search_then_a_calculation() -> None:
    multi = [e.turn for e in PLAN_THOUGHTS if len(e.turn.rounds) > 1]
    assert [[c.tool for c in t.calls] for t in multi] == [["Search", "Calculate"]]
    assert any("=" in c.args[0] and ";" in c.args[0] for e in PLAN_THOUGHTS for c in e.turn.calls
               if c.tool == "Calculate")
    only_calc = few_shot_text({"Calculate"}, plan_thoughts=True)
    assert "per_minute=18" in only_calc and "Eiffel" not in only_calc
    assert "Eiffel" in few_shot_text({"Calculate", "Search"}, plan_thoughts=True)


def test_search_example_results_number_their_snippets() -> None:
    text = few_shot_text({"Search"})
    assert "\n<|1|>: 'Reykjavik is the capital" in text and "\n<|2|>: " in text
