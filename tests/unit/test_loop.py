"""The turn loop, driven by the scripted backend: events, canonical transcript, bounds."""

from __future__ import annotations

import pytest

from agent.backends.base import GenerationEnd
from agent.backends.scripted import ScriptedBackend, split_pieces
from agent.errors import BackendError
from agent.events import (
    CommandsIssued,
    ErrorEvent,
    ReplyDone,
    ThoughtsDone,
    TokenEvent,
    ToolResultEvent,
    TurnDone,
    TurnStarted,
    WarningEvent,
)
from agent.format import Call
from agent.loop import TurnLimits, TurnLoop, quote_call, render_turn_text, repeating_tail
from tools import ToolResult

PREFIX = "meta instruction\n"


def arithmetic(calls: list[Call]) -> list[ToolResult]:
    """A tiny stand-in tool runner: multiplies `a*b`, fails on anything else."""
    out = []
    for call in calls:
        try:
            a, b = call.args[0].split("*")
            out.append(ToolResult.value(str(int(a) * int(b))))
        except ValueError:
            out.append(ToolResult.failure("refused", "not a product"))
    return out


def run(script: list[str], limits: TurnLimits | None = None, question: str = "What is 347*29?"):
    backend = ScriptedBackend(script)
    backend.reset(PREFIX)
    loop = TurnLoop(backend, arithmetic, limits=limits, known_tools=["Calculate"])
    events = list(loop.run(question))
    return backend, events, events[-1].result


def test_a_tool_turn_emits_every_stage_in_order_and_a_canonical_transcript() -> None:
    backend, events, result = run(
        [" I need to multiply.<eot>\n", ' Calculate("347*29")<eoc>', " 347 times 29 is 10063.<eom>"]
    )
    kinds = [type(e) for e in events if not isinstance(e, TokenEvent)]
    assert kinds == [TurnStarted, ThoughtsDone, CommandsIssued, ToolResultEvent, ReplyDone, TurnDone]
    assert result.thoughts == "I need to multiply."
    assert result.calls == [Call(tool="Calculate", args=("347*29",), text='Calculate("347*29")')]
    assert result.results[0].items == ("10063",)
    assert result.reply == "347 times 29 is 10063."
    assert result.warnings == [] and result.ok
    assert "".join(e.text for e in events if isinstance(e, TokenEvent) and e.segment == "reply") == " 347 times 29 is 10063."
    assert backend.transcript == PREFIX + render_turn_text(result)
    assert render_turn_text(result) == (
        "<|Human|>: What is 347*29?<eoh>\n<|Inner Thoughts|>: I need to multiply.<eot>\n"
        '<|Commands|>: Calculate("347*29")<eoc>\n<|Results|>:\nCalculate("347*29") => 10063\n<eor>\n'
        "<|MOSS|>: 347 times 29 is 10063.<eom>\n"
    )
    # the model saw the Results before writing its reply
    assert 'Calculate("347*29") => 10063' in backend.calls[2]


def test_no_token_event_ever_carries_part_of_a_tag() -> None:
    _, events, _ = run([" a<eot> ignored", " None<eoc>", " fine<eom>"])
    for event in events:
        if isinstance(event, TokenEvent):
            assert "<" not in event.text


def test_a_stray_marker_ends_the_segment_and_is_replaced_by_the_canonical_one() -> None:
    backend, _, result = run([" thinking\n<|Commands|>: junk", " None<eoc>", " ok<eom>"])
    assert result.thoughts == "thinking"
    assert [w.kind for w in result.warnings] == ["stray_marker"]
    assert backend.transcript == PREFIX + render_turn_text(result)


def test_a_reply_that_goes_on_into_made_up_search_results_is_cut_there() -> None:
    backend, _, result = run(
        [" look it up<eot>", " None<eoc>", " He founded it in 1993.\n<|4|>: 'made up' ..."]
    )
    assert result.reply == "He founded it in 1993."
    assert [w.kind for w in result.warnings] == ["stray_marker"]
    assert backend.transcript.endswith("<|MOSS|>: He founded it in 1993.<eom>\n")


def test_a_bare_answer_on_the_commands_line_reads_as_none() -> None:
    backend, _, result = run([" easy<eot>", " 10063<eoc>", " It is 10063.<eom>"])
    assert result.commands == "None" and result.calls == []
    assert "no_calls" in [w.kind for w in result.warnings]
    assert "<|Results|>:\nNone\n<eor>\n" in backend.transcript


def test_unquoted_arguments_are_requoted_as_moss_writes_them() -> None:
    call = quote_call(Call(tool="Calculate", args=('say "hi"',), text="Calculate(say hi)"))
    assert call.text == 'Calculate("say \\"hi\\"")'
    backend, _, result = run([" go<eot>", " Calculate(12*3)<eoc>", " 36<eom>"])
    assert result.commands == 'Calculate("12*3")'
    assert 'Calculate("12*3") => 36' in backend.transcript


def test_token_limit_closes_the_segment_with_a_warning() -> None:
    long_thought = " " + "word " * 50
    backend, _, result = run([long_thought, " None<eoc>", " done<eom>"], TurnLimits(thoughts_tokens=5))
    assert "token_limit" in [w.kind for w in result.warnings]
    assert result.thoughts == "word word word word word"
    assert backend.transcript == PREFIX + render_turn_text(result)


def test_repetition_is_cut_to_one_copy() -> None:
    assert repeating_tail("abc" + "la " * 10, 8) == len("la ") * 9
    assert repeating_tail("no repetition here at all", 8) == 0
    sentence = ", which is a tool for interacting with the MOSS Agent"  # 52 characters
    assert repeating_tail("It is a tool" + sentence * 4, 8) == len(sentence) * 3
    assert repeating_tail("It is a tool" + sentence * 3, 8) == 0  # could still be prose
    backend, _, result = run([" t<eot>", " None<eoc>", " Sure." + " ha" * 40 + "<eom>"])
    assert "repetition" in [w.kind for w in result.warnings]
    assert result.reply.count("ha") < 8
    assert backend.transcript == PREFIX + render_turn_text(result)


def test_cancelling_mid_reply_leaves_a_well_formed_transcript() -> None:
    backend = ScriptedBackend([" t<eot>", " None<eoc>", " one two three four five<eom>"])
    backend.reset(PREFIX)
    stream = TurnLoop(backend, arithmetic).run("hi")
    for event in stream:
        if isinstance(event, TokenEvent) and event.segment == "reply":
            break
    stream.close()
    assert backend.transcript.endswith("<|MOSS|>: one<eom>\n")
    assert backend.transcript.count("<eom>") == 1


def test_the_turn_deadline_gives_an_error_and_still_closes_the_turn() -> None:
    backend = ScriptedBackend([" " + " ".join(f"w{i}" for i in range(100)) + "<eot>"], seconds_per_piece=0.01)
    backend.reset(PREFIX)
    events = list(TurnLoop(backend, arithmetic, limits=TurnLimits(turn_seconds=0.2)).run("hi"))
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    assert [e.kind for e in errors] == ["deadline"]
    assert isinstance(events[-1], TurnDone) and not events[-1].result.ok
    assert backend.transcript.endswith("<|Results|>:\nNone\n<eor>\n<|MOSS|>: <eom>\n")


class FailingBackend(ScriptedBackend):
    def generate(self, stop, max_new_tokens, deadline=None):
        if len(self.calls) == 1:
            raise BackendError("the server went away")
        yield from super().generate(stop, max_new_tokens, deadline)


def test_a_backend_failure_is_an_error_event_and_the_session_stays_usable() -> None:
    backend = FailingBackend([" t<eot>"])
    backend.reset(PREFIX)
    events = list(TurnLoop(backend, arithmetic).run("hi"))
    assert [e.kind for e in events if isinstance(e, ErrorEvent)] == ["backend"]
    assert "the server went away" in events[-1].result.error.message
    assert backend.transcript.endswith("<|Commands|>: None<eoc>\n<|Results|>:\nNone\n<eor>\n<|MOSS|>: <eom>\n")


def test_too_many_calls_are_bounded() -> None:
    commands = ", ".join(f'Calculate("{i}*2")' for i in range(12))
    _, events, result = run([" t<eot>", f" {commands}<eoc>", " ok<eom>"], TurnLimits(max_calls=3))
    assert len(result.calls) == 3 and len(result.results) == 3
    assert "too_many_calls" in [w.kind for w in result.warnings]


def test_split_pieces_round_trips_and_looks_like_tokens() -> None:
    text = ' Calculate("2^10")<eoc>\n 你好，世界 done'
    pieces = split_pieces(text)
    assert "".join(pieces) == text
    assert len(pieces) > 10


def test_scripted_backend_honours_stops_across_pieces_and_length() -> None:
    backend = ScriptedBackend([" alpha beta<eoc>tail", " one two three"])
    items = list(backend.generate(["<eoc>"], 100))
    end = items[-1]
    assert isinstance(end, GenerationEnd) and end.reason == "stop" and end.stop == "<eoc>"
    assert end.text == " alpha beta" and backend.transcript == " alpha beta<eoc>"
    items = list(backend.generate(["<eoc>"], 2))
    assert items[-1].reason == "length" and items[-1].text == " one two"


@pytest.mark.parametrize("bad", [-1, 10_000])
def test_scripted_rewind_refuses_impossible_lengths(bad: int) -> None:
    backend = ScriptedBackend([])
    backend.reset("abc")
    with pytest.raises(ValueError):
        backend.rewind(bad)


def test_warnings_are_events_too() -> None:
    _, events, result = run([" t<eot>", " 10063<eoc>", " x<eom>"])
    assert [e for e in events if isinstance(e, WarningEvent)] == result.warnings
