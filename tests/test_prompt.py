"""The prompt before the first turn: few-shot examples follow the enabled tools."""

from __future__ import annotations

from agent.parse import parse_commands
from agent.prompt import FEW_SHOT, SEARCH_RULE, TOOL_RULE, ToolInfo, build_prefix, few_shot_text

CALC = ToolInfo(name="Calculate", capability="Calculator", signature="Calculate(expression)")
SEARCH = ToolInfo(name="Search", capability="Web search", signature="Search(query)")


def test_search_examples_and_rule_only_when_search_is_enabled() -> None:
    without = build_prefix([CALC], few_shot=True)
    assert "Search(" not in without and TOOL_RULE in without
    assert "What is the capital of France?" in without

    with_search = build_prefix([CALC, SEARCH], few_shot=True)
    assert SEARCH_RULE in with_search and TOOL_RULE not in with_search
    assert with_search.count('Search("') >= 4  # each example call and its Results entry
    # plain examples that are questions about facts would teach the model not to search
    assert "What is the capital of France?" not in with_search
    assert "Tell me a short joke." in with_search


def test_every_example_call_parses_and_names_a_tool_the_example_needs() -> None:
    for example in FEW_SHOT:
        parsed = parse_commands(example.turn.commands)
        assert not parsed.warnings, example.turn.question
        assert {c.tool for c in parsed.calls} <= example.needs
        assert len(parsed.calls) == len(example.turn.results)


def test_search_example_results_number_their_snippets() -> None:
    text = few_shot_text({"Search"})
    assert "\n<|1|>: 'Reykjavik is the capital" in text and "\n<|2|>: " in text
