"""The Commands parser on every irregularity NOTICE.md lists, plus the contracts others rely on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.format import Call
from agent.parse import ParsedCommands, parse_commands, parse_results

TOOLS = {"Calculate", "Solve", "Search", "Text2Image"}


def kinds(parsed: ParsedCommands) -> list[str]:
    return [w.kind for w in parsed.warnings]


def args(parsed: ParsedCommands) -> list[tuple[str, ...]]:
    return [c.args for c in parsed.calls]


def test_canonical_segment_with_and_without_markers() -> None:
    for text in ('<|Commands|>: Search("a"), Calculate("2^10")<eoc>\n', 'Search("a"), Calculate("2^10")'):
        parsed = parse_commands(text)
        assert parsed.calls == [
            Call(tool="Search", args=("a",), text='Search("a")'),
            Call(tool="Calculate", args=("2^10",), text='Calculate("2^10")'),
        ]
        assert parsed.warnings == [] and parsed.well_formed and not parsed.none


def test_none() -> None:
    parsed = parse_commands("<|Commands|>: None<eoc>\n")
    assert parsed.none and parsed.calls == [] and parsed.warnings == []


def test_malformed_none_spellings() -> None:
    for text in ("None.", "Non", "None (This question doesn't require any external API calls.)", "None. \n\nsqrt((3600 + x^4) / x^2)"):
        parsed = parse_commands(text)
        assert parsed.none and parsed.calls == [], text
        assert kinds(parsed) == ["malformed_none"]
        assert parsed.warnings[0].text == text


def test_none_after_calls_is_dropped() -> None:
    parsed = parse_commands('Search("美国 GDP 增长"), None')
    assert args(parsed) == [("美国 GDP 增长",)] and not parsed.none
    assert kinds(parsed) == ["none_with_calls"]


def test_trailing_commas_and_newline_separators() -> None:
    parsed = parse_commands('Search("a"), Search("b"), \nCalculate("325/(325+285)"),')
    assert args(parsed) == [("a",), ("b",), ("325/(325+285)",)]
    assert kinds(parsed) == ["irregular_spacing", "trailing_comma"]
    parsed = parse_commands('Solve("a+b=c;b-d=e;c*f=15") \nCalculate("(c-b)*f=15")\nCalculate("c-d+f")')
    assert [c.tool for c in parsed.calls] == ["Solve", "Calculate", "Calculate"]
    assert kinds(parsed) == ["newline_separator", "newline_separator"]
    assert kinds(parse_commands('Calculate("1") Calculate("2")')) == ["missing_separator"]
    assert kinds(parse_commands('Calculate("1") , Calculate("2")')) == ["irregular_spacing"]


def test_numbered_list_with_comments() -> None:
    text = '1. Calculate("20/2")  # 计算出球的半径\n2. Calculate("(4/3)*3.14*(10**3)*(3/5)")  # 体积'
    parsed = parse_commands(text)
    assert args(parsed) == [("20/2",), ("(4/3)*3.14*(10**3)*(3/5)",)]
    assert kinds(parsed) == ["numbering", "comment", "numbering", "comment"]
    assert [w.text for w in parsed.warnings if w.kind == "comment"] == ["# 计算出球的半径", "# 体积"]


def test_two_argument_solve_is_kept() -> None:
    parsed = parse_commands('Solve("4/3*pi*r^3=13*x^3", "x")')
    assert parsed.calls == [Call(tool="Solve", args=("4/3*pi*r^3=13*x^3", "x"), text='Solve("4/3*pi*r^3=13*x^3", "x")')]
    assert kinds(parsed) == ["multiple_args"]


def test_unknown_tools() -> None:
    text = 'Search("top 10 AI companies"), Count("AI companies")'
    assert [c.tool for c in parse_commands(text).calls] == ["Search", "Count"]
    parsed = parse_commands(text, known_tools=TOOLS)
    assert [c.tool for c in parsed.calls] == ["Search"]
    assert kinds(parsed) == ["unknown_tool"] and parsed.warnings[0].text == 'Count("AI companies")'


def test_chinese_and_full_width_punctuation_inside_arguments() -> None:
    parsed = parse_commands('Search("泰坦尼克号，头等舱（乘客）数量"), Calculate("３＋４")')
    assert args(parsed) == [("泰坦尼克号，头等舱（乘客）数量",), ("３＋４",)] and parsed.well_formed
    parsed = parse_commands("Search(“北京天气”)")
    assert args(parsed) == [("北京天气",)] and kinds(parsed) == ["full_width_quotes"]


def test_escaped_quotes_and_single_quotes() -> None:
    parsed = parse_commands(r'Search("say \"hi\", she said"), Search(' + "'it\\'s'" + r'), Calculate("\\frac")')
    assert args(parsed) == [('say "hi", she said',), ("it's",), ("\\frac",)]
    assert parsed.calls[0].text == r'Search("say \"hi\", she said")'


def test_unquoted_and_expression_arguments_are_kept_as_written() -> None:
    parsed = parse_commands("Calculate(2^20)")
    assert args(parsed) == [("2^20",)] and kinds(parsed) == ["unquoted_args"]
    parsed = parse_commands('Calculate("("+ str(2) + str(-4) + ")" + "*" + str(6))')
    assert args(parsed) == [('"("+ str(2) + str(-4) + ")" + "*" + str(6)',)]
    assert kinds(parsed) == ["expression_arg"]
    assert parse_commands("Search()").calls[0].args == ()


def test_junk_between_calls_is_dropped() -> None:
    parsed = parse_commands('Calculate("d/dx (4 * 900 / x^2 + x^2)") = 0, Solve("900 / x^2 - x^2 = 0")')
    assert [c.tool for c in parsed.calls] == ["Calculate", "Solve"]
    assert kinds(parsed) == ["junk"] and parsed.warnings[0].text == "= 0"
    parsed = parse_commands('I will use Calculate("1+1") now', known_tools=TOOLS)
    assert args(parsed) == [("1+1",)] and kinds(parsed) == ["junk", "junk"]


def test_missing_end_marker_and_trailing_text() -> None:
    parsed = parse_commands('<|Commands|>: Calculate("1+1")')
    assert args(parsed) == [("1+1",)] and kinds(parsed) == ["missing_end_marker"]
    parsed = parse_commands('<|Commands|>: Calculate("1+1")<eoc>\n<|Results|>:\nCalculate("1+1") => 2\n<eor>')
    assert args(parsed) == [("1+1",)] and kinds(parsed) == ["trailing_text"]
    parsed = parse_commands('<|Commands|>: Calculate("1+1")<|Results|>: made up')
    assert kinds(parsed) == ["missing_end_marker", "trailing_text"]


def test_broken_calls_are_dropped_and_the_next_line_is_read() -> None:
    parsed = parse_commands('Calculate("1+1)\nSearch("ok")')
    assert args(parsed) == [("ok",)] and kinds(parsed) == ["unterminated_string"]
    parsed = parse_commands('Calculate("1+1"\nSearch("ok")')
    assert args(parsed) == [("ok",)] and kinds(parsed) == ["unterminated_call"]


def test_empty_segment_is_not_none() -> None:
    parsed = parse_commands("<|Commands|>: <eoc>")
    assert not parsed.none and parsed.calls == [] and kinds(parsed) == ["empty"]


def test_call_limit() -> None:
    parsed = parse_commands(", ".join(f'Calculate("{i}")' for i in range(10)), max_calls=3)
    assert args(parsed) == [("0",), ("1",), ("2",)]
    assert kinds(parsed) == ["too_many_calls"] and parsed.warnings[0].text.startswith('Calculate("3")')


def test_recorded_results_layouts() -> None:
    calls = parse_commands('Calculate("(c-b)*f=15"), Solve("a+b=c")').calls
    segment = '<|Results|>:\nSolve("a+b=c") =>\nNo result.\nCalculate("(c-b)*f=15") => \'No result.\'\n<eor>\n'
    results, warnings = parse_results(segment, calls)
    assert warnings == [] and results.render() == segment
    assert [e.command for e in results.entries] == ['Solve("a+b=c")', 'Calculate("(c-b)*f=15")']
    assert results.entry_for(calls[1]).block and all(e.failed for e in results.entries)
    results, warnings = parse_results("<|Results|>: Image generated successfully.<eor>\n")
    assert warnings == [] and results.inline == "Image generated successfully."
    results, warnings = parse_results("stray line\nCalculate(\"1\") => 1\n<eor>\n")
    assert [w.kind for w in warnings] == ["missing_start_marker"]
    results, warnings = parse_results("<|Results|>:\nstray line\nCalculate(\"1\") => 1\n<eor>\n")
    assert [w.kind for w in warnings] == ["orphan_result_line"] and len(results.entries) == 1


# Arguments a model could write between quotes: anything on one line.
one_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40)
names = st.sampled_from(sorted(TOOLS) + ["Count", "my_tool"])


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(names, st.lists(one_line, min_size=1, max_size=3)), min_size=1, max_size=5))
def test_rendered_calls_parse_back(calls: list[tuple[str, list[str]]]) -> None:
    """Whatever the arguments hold, the canonical spelling of calls reads back exactly."""
    texts = [f"{tool}({', '.join(quote(a) for a in arguments)})" for tool, arguments in calls]
    parsed = parse_commands(f"<|Commands|>: {', '.join(texts)}<eoc>\n")
    assert [(c.tool, list(c.args), c.text) for c in parsed.calls] == [
        (tool, arguments, text) for (tool, arguments), text in zip(calls, texts)
    ]
    assert {w.kind for w in parsed.warnings} <= {"multiple_args"}
