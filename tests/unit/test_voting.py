"""Voting over sampled Commands (self-consistency), driven by the scripted backend."""

from __future__ import annotations

from agent.backends.scripted import ScriptedBackend
from agent.events import CommandsVoted, TokenEvent
from agent.format import Call
from agent.loop import TurnLoop, TurnPolicy, render_turn_text
from agent.voting import choose
from tools import ToolResult

PREFIX = "meta\n"


def calc(text: str) -> Call:
    return Call(tool="Calculate", args=(text,), text=f'Calculate("{text}")')


class Runner:
    """Multiplies `a*b`; records every batch of calls it was asked to run."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, calls: list[Call]) -> list[ToolResult]:
        self.batches.append([c.text for c in calls])
        out = []
        for call in calls:
            try:
                a, b = call.args[0].split("*")
                out.append(ToolResult.value(str(int(a) * int(b))))
            except ValueError:
                out.append(ToolResult.failure("refused", "write a*b"))
        return out


def run(script: list[str], vote: int = 3, tools: tuple[str, ...] = ("Calculate",)):  # type: ignore[no-untyped-def]
    backend = ScriptedBackend(script, samples=True)
    backend.reset(PREFIX)
    runner = Runner()
    policy = TurnPolicy(vote=vote, more_rounds=False, retry_failed=False, constrain_commands=False)
    events = list(TurnLoop(backend, runner, policy=policy, known_tools=list(tools)).run("What is 12 times 3?"))
    return backend, runner, events, events[-1].result


def test_the_result_most_samples_agree_on_wins_and_the_transcript_holds_it() -> None:
    backend, runner, events, result = run([
        " Multiply 12 by 3.<eot>", ' Calculate("12*4")<eoc>', ' Calculate("3*12")<eoc>', ' Calculate("12*3")<eoc>',
        " It is 36.<eom>",
    ])
    [vote] = [e for e in events if isinstance(e, CommandsVoted)]
    assert vote.samples == ['Calculate("12*4")', 'Calculate("3*12")', 'Calculate("12*3")']
    assert (vote.chosen, vote.votes) == (1, 2)
    assert result.calls == [calc("3*12")] and result.results[0].items == ("36",)
    assert runner.batches == [['Calculate("12*4")', 'Calculate("3*12")', 'Calculate("12*3")']]  # one batch, no rerun
    assert backend.transcript == PREFIX + render_turn_text(result)
    # samples are drawn hot from the same point (right after the Commands tag), the greedy one is not
    temperatures = [o["temperature"] for o in backend.options]
    assert temperatures == [None, None, 0.7, 0.7, None]
    assert backend.calls[2] == backend.calls[1] == backend.calls[3]
    # only the greedy sample streamed its tokens
    streamed = "".join(e.text for e in events if isinstance(e, TokenEvent) and e.segment == "commands")
    assert streamed == ' Calculate("12*4")'


def test_a_tie_keeps_the_greedy_call() -> None:
    _, _, events, result = run([
        " t<eot>", ' Calculate("12*3")<eoc>', ' Calculate("12*4")<eoc>', ' Calculate("12*5")<eoc>', " r<eom>",
    ])
    [vote] = [e for e in events if isinstance(e, CommandsVoted)]
    assert (vote.chosen, vote.votes) == (0, 1) and result.calls == [calc("12*3")]


def test_failed_or_empty_samples_have_no_say() -> None:
    _, _, events, result = run([
        " t<eot>", ' Calculate("twelve*3")<eoc>', " None<eoc>", ' Calculate("12*3")<eoc>', " r<eom>",
    ])
    [vote] = [e for e in events if isinstance(e, CommandsVoted)]
    assert vote.chosen == 2 and result.calls == [calc("12*3")] and result.results[0].ok


def test_a_round_that_calls_a_tool_with_side_effects_does_not_vote() -> None:
    backend, runner, events, result = run(
        [" t<eot>", ' Search("a")<eoc>', " r<eom>"], tools=("Search", "Calculate"))
    assert not [e for e in events if isinstance(e, CommandsVoted)]
    assert len(backend.options) == 3 and runner.batches == [['Search("a")']]


def test_no_vote_when_the_greedy_segment_calls_nothing() -> None:
    backend, _, events, result = run([" t<eot>", " None<eoc>", " hello<eom>"])
    assert not [e for e in events if isinstance(e, CommandsVoted)] and result.reply == "hello"


def test_choose_directly() -> None:
    ok = {"a": ToolResult.value("1"), "b": ToolResult.value("1"), "c": ToolResult.value("2"),
          "x": ToolResult.failure("refused", "no")}
    c = {k: Call(tool="T", args=(k,), text=k) for k in ok}
    assert choose([[c["c"]], [c["a"]], [c["b"]]], ok) == (1, 2)
    assert choose([[c["x"]], [c["x"]]], ok) == (0, 0)
    assert choose([[c["x"]], [c["c"]], [c["a"]]], ok) == (1, 1)


def test_voting_is_off_by_default_and_never_over_a_script_without_samples() -> None:
    assert TurnPolicy().vote == 0 and not TurnPolicy().voting
    script = [" t<eot>", ' Calculate("12*3")<eoc>', " r<eom>"]
    backend = ScriptedBackend(script, samples=True)
    backend.reset(PREFIX)
    events = list(TurnLoop(backend, Runner(), known_tools=["Calculate"]).run("What is 12 times 3?"))
    assert not [e for e in events if isinstance(e, CommandsVoted)]  # the default: no vote
    three = TurnPolicy(vote=3)
    backend = ScriptedBackend(script)  # one path, no samples in it
    backend.reset(PREFIX)
    events = list(TurnLoop(backend, Runner(), known_tools=["Calculate"], policy=three).run("What is 12 times 3?"))
    assert not [e for e in events if isinstance(e, CommandsVoted)]
    assert events[-1].result.reply == "r" and backend.remaining == 0
    voted = ScriptedBackend([*script[:2], ' Calculate("3*12")<eoc>', ' Calculate("12*3")<eoc>', " r<eom>"], samples=True)
    voted.reset(PREFIX)
    events = list(TurnLoop(voted, Runner(), known_tools=["Calculate"], policy=three).run("What is 12 times 3?"))
    [vote] = [e for e in events if isinstance(e, CommandsVoted)]
    assert len(vote.samples) == 3 and events[-1].result.reply == "r"
