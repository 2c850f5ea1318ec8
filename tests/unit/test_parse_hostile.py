"""Hostile input: the readers return (with warnings) or raise ParseError, and never hang.

Nothing here measures speed (bench/parse.py does). A quadratic scanner would still pass a
timing-free test on small input, so the inputs are large (1 MB, 100,000 levels) and a
generous watchdog turns a hang into a failure instead of a stuck CI job.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.errors import ParseError
from agent.format import Conversation, Turn
from agent.parse import MAX_CHARS, parse_commands, parse_results

MB = 1 << 20
TOOLS = {"Calculate", "Solve", "Search"}

HOSTILE = {
    "1 MB argument": 'Calculate("' + "1+" * (MB // 2) + '")',
    "1 MB of calls": 'Calculate("1"), ' * (MB // 16),
    "100,000 open parentheses": "Calculate(" + "(" * 100_000,
    "100,000 nested, closed": "Calculate(" + "(" * 100_000 + "1" + ")" * 100_001,
    "1 MB of ()": "Calculate(" + "()" * (MB // 2),
    "f(f(f(...": "f(" * (MB // 2),
    "unterminated quote": 'Search("' + "a" * MB,
    "escaped quotes, unterminated": 'Search("' + '\\"' * (MB // 2),
    "quotes only": '"' * MB,
    "NUL bytes": "\0" * MB,
    "NUL inside an argument": 'Search("a\0b")',
    "lone surrogates": "\ud800\udfff\ud800" * (MB // 3),
    "surrogate inside an argument": 'Search("\ud800")',
    "endless Commands markers": "<|Commands|>:" * (MB // 13),
    "numbered list of nothing": "1. " * (MB // 3),
    "comments only": "#\n" * (MB // 2),
    "commas only": "," * MB,
    "None after None": 'Calculate("1"), ' + "None, " * (MB // 6),
    "identifier run": "a" * MB,
    "all other markers": "<eoc><eot><eom><eor><|Results|>:<|MOSS|>:" * 1000,
}


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """Fail a test that hangs (a linear reader finishes these in well under a second)."""

    def hang(signum, frame):  # type: ignore[no-untyped-def]
        raise TimeoutError("the reader did not finish: not linear, or stuck")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("max_chars", [MAX_CHARS, 2 * MB])
def test_hostile_commands_return_with_warnings(name: str, max_chars: int) -> None:
    text = HOSTILE[name]
    parsed = parse_commands(text, known_tools=TOOLS, max_chars=max_chars)
    assert len(parsed.calls) <= 64 and len(parsed.warnings) <= 65
    if len(text) > max_chars:  # nothing this long is clean: something was cut or dropped
        assert {w.kind for w in parsed.warnings} & {"truncated", "trailing_text", "missing_end_marker"}
    for call in parsed.calls:
        assert call.tool in TOOLS and call.text in text


def test_what_the_hostile_inputs_leave() -> None:
    assert parse_commands(HOSTILE["100,000 nested, closed"], max_chars=2 * MB).calls[0].args[0].startswith("((")
    assert parse_commands(HOSTILE["NUL inside an argument"]).calls[0].args == ("a\0b",)
    assert parse_commands(HOSTILE["surrogate inside an argument"]).calls[0].args == ("\ud800",)
    assert [w.kind for w in parse_commands(HOSTILE["unterminated quote"], max_chars=2 * MB).warnings] == [
        "unterminated_string"
    ]
    markers = parse_commands(HOSTILE["endless Commands markers"])
    assert markers.calls == [] and {w.kind for w in markers.warnings} == {"missing_end_marker", "trailing_text", "empty"}
    many = parse_commands(HOSTILE["comments only"], max_chars=2 * MB)
    assert many.warnings[-1].kind == "too_many_warnings" and "comment" in many.warnings[-1].message


@pytest.mark.parametrize("value", [None, b'Calculate("1")', 42, ["Calculate"]])
def test_non_text_raises_parse_error(value: object) -> None:
    with pytest.raises(ParseError):
        parse_commands(value)  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet='()"\',\\#\n 1.NoneCalculate<|>:eoc“”', max_size=300))
def test_arbitrary_text_returns_or_raises_parse_error(text: str) -> None:
    try:
        parsed = parse_commands(text, known_tools=TOOLS if len(text) % 2 else None)
    except ParseError:
        return
    for call in parsed.calls:
        assert call.text in text
    assert not (parsed.none and parsed.calls)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="<|>:Results=>\n 1'No result.eor", max_size=300))
def test_arbitrary_results_segments_are_read(text: str) -> None:
    results, warnings = parse_results(text)
    if not warnings:
        assert results.render() == text


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                    max_leaves=20))
def test_json_of_any_shape_is_a_conversation_or_a_parse_error(data: object) -> None:
    for reader in (Conversation.from_moss_json, Turn.from_moss_json):
        try:
            reader(data)  # type: ignore[arg-type]
        except ParseError:
            pass


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"meta_instruction": "x"},
        {"meta_instruction": "x", "chat": []},
        {"meta_instruction": 3, "chat": {}},
        {"meta_instruction": "x", "chat": {"turn_1": "text"}},
        {"meta_instruction": "x", "chat": {"turn_1": {"Human": "<|Human|>: hi<eoh>\n"}}},
        {"meta_instruction": "x", "chat": {}, "num_turns": "two"},
        {"meta_instruction": "x", "chat": {}, "conversation_id": [1]},
    ],
)
def test_wrong_shapes_raise_parse_error(data: object) -> None:
    with pytest.raises(ParseError):
        Conversation.from_moss_json(data)


def test_irregular_but_readable_conversation_keeps_its_recording() -> None:
    turn = {
        "Human": "hi<eoh>\n",  # no start marker
        "Inner Thoughts": "<|Inner Thoughts|>: hmm",  # no end marker
        "Commands": "<|Commands|>: " + "(" * 100_000 + "<eoc>\n",
        "Tool Responses": "<|Results|>:\n\0\ud800\n<eor>",
        "MOSS": "<|MOSS|>: ok<eom>\n<|Human|>: more",
    }
    data = {"meta_instruction": "no capabilities here", "chat": {"turn_2": turn}, "num_turns": 5}
    conversation = Conversation.from_moss_json(data)
    assert conversation.to_moss_json()["chat"] == {"turn_1": turn}
    assert {w.kind for w in conversation.warnings} == {"turn_keys", "num_turns"}
    kinds = {(w.segment, w.kind) for w in conversation.turns[0].parse_warnings}
    assert {("Human", "missing_start_marker"), ("Inner Thoughts", "missing_end_marker"),
            ("Commands", "junk"), ("Tool Responses", "orphan_result_line"), ("MOSS", "trailing_text")} <= kinds
    json.dumps(conversation.to_moss_json())
