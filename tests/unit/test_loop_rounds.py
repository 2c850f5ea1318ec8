"""Several tool rounds in one turn: the model's choice, the retry after a failure, the bounds,
and turns with rounds recorded, exported and imported without loss."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from agent.agent import Agent
from agent.backends.base import TextTranscript, prefer, prefer_by_writing
from agent.backends.scripted import ScriptedBackend
from agent.events import CommandsIssued, RoundStarted, ThoughtsDone, TokenEvent, ToolResultEvent, TurnDone
from agent.store.export import export_records, from_record, import_into, session_records, to_moss
from agent.format import INNER_THOUGHTS, MOSS, Call, Conversation, Turn
from agent.loop import TurnLimits, TurnLoop, TurnPolicy, render_turn_text
from agent.store import Store
from agent.store.record import Recorder
from tools import ToolResult

PREFIX = "meta instruction\n"
AGAIN = INNER_THOUGHTS  # a script entry that opens another round


def arithmetic(calls: list[Call]) -> list[ToolResult]:
    """Multiplies `a*b`; anything else fails with a reason."""
    out = []
    for call in calls:
        try:
            a, b = call.args[0].split("*")
            out.append(ToolResult.value(str(int(a) * int(b))))
        except ValueError:
            out.append(ToolResult.failure("refused", f"cannot read {call.args[0]!r}; write a*b with numbers"))
    return out


#: The retry is off by default (it did not pay with the embedded model); these tests are about it
#: and about further rounds, which are on.
ROUNDS_ON = TurnPolicy(more_rounds=True, retry_failed=True)


def run(script: list[str], limits: TurnLimits | None = None, policy: TurnPolicy | None = None,
        question: str = "What is 12 times 3, times 2?"):
    backend = ScriptedBackend(script)
    backend.reset(PREFIX)
    policy = policy or ROUNDS_ON
    loop = TurnLoop(backend, arithmetic, limits=limits, policy=policy, known_tools=["Calculate"])
    events = list(loop.run(question))
    return backend, events, events[-1].result


TWO_ROUNDS = [
    " 12 times 3 first.<eot>", ' Calculate("12*3")<eoc>', AGAIN,
    " Now 36 times 2.<eot>", ' Calculate("36*2")<eoc>', " It is 72.<eom>",
]


def test_the_model_may_open_a_second_round_and_the_transcript_is_its_rendering() -> None:
    backend, events, result = run(TWO_ROUNDS)
    assert [r.thoughts for r in result.rounds] == ["12 times 3 first.", "Now 36 times 2."]
    assert [c.text for c in result.calls] == ['Calculate("12*3")', 'Calculate("36*2")']
    assert [r.items for r in result.results] == [("36",), ("72",)]
    assert result.reply == "It is 72." and result.ok
    assert [e for e in events if isinstance(e, RoundStarted)] == [RoundStarted(round=2, reason="model")]
    assert [e.round for e in events if isinstance(e, (ThoughtsDone, CommandsIssued, ToolResultEvent))] == [1, 1, 1, 2, 2, 2]
    assert backend.transcript == PREFIX + render_turn_text(result)
    assert render_turn_text(result) == (
        "<|Human|>: What is 12 times 3, times 2?<eoh>\n"
        "<|Inner Thoughts|>: 12 times 3 first.<eot>\n<|Commands|>: Calculate(\"12*3\")<eoc>\n"
        "<|Results|>:\nCalculate(\"12*3\") => 36\n<eor>\n"
        "<|Inner Thoughts|>: Now 36 times 2.<eot>\n<|Commands|>: Calculate(\"36*2\")<eoc>\n"
        "<|Results|>:\nCalculate(\"36*2\") => 72\n<eor>\n"
        "<|MOSS|>: It is 72.<eom>\n"
    )
    # the second round's thoughts were written after the first round's Results
    assert 'Calculate("12*3") => 36\n<eor>\n<|Inner Thoughts|>:' in backend.calls[2]


def test_further_rounds_are_on_by_default_and_the_retry_is_off() -> None:
    assert TurnPolicy().more_rounds and not TurnPolicy().retry_failed
    _, events, result = run(TWO_ROUNDS, policy=TurnPolicy())
    assert [c.text for c in result.calls] == ['Calculate("12*3")', 'Calculate("36*2")'] and result.reply == "It is 72."
    _, events, result = run([" Multiply.<eot>", ' Calculate("twelve*3")<eoc>', " It failed.<eom>"], policy=TurnPolicy())
    assert not [e for e in events if isinstance(e, RoundStarted)] and result.reply == "It failed."


def test_without_more_rounds_the_reply_follows_the_first_results() -> None:
    _, events, result = run(TWO_ROUNDS, policy=TurnPolicy(more_rounds=False, retry_failed=True))
    assert len(result.rounds) == 1 and not [e for e in events if isinstance(e, RoundStarted)]
    # the script's "open another round" entry was never consumed as a choice, so it was read
    # as the reply's text and ended it at once on the stray marker
    assert result.reply == ""


def test_a_failed_call_gets_one_retry_round_with_the_reason_in_results() -> None:
    backend, events, result = run([
        " Multiply.<eot>", ' Calculate("twelve*3")<eoc>',
        " Numbers only.<eot>", ' Calculate("12*3")<eoc>', " It is 36.<eom>",
    ])
    assert [e for e in events if isinstance(e, RoundStarted)] == [RoundStarted(round=2, reason="retry")]
    assert "Calculate(\"twelve*3\") => No result. cannot read 'twelve*3'; write a*b with numbers" in backend.calls[2]
    assert [r.ok for r in result.results] == [False, True] and result.reply == "It is 36."
    assert backend.transcript == PREFIX + render_turn_text(result)


def test_the_retry_happens_once_and_a_failed_retry_goes_to_the_reply() -> None:
    # the model would open a third round (AGAIN), but a retry that failed too ends the rounds
    _, events, result = run([
        " a<eot>", ' Calculate("x")<eoc>', " b<eot>", ' Calculate("y")<eoc>', AGAIN, " I could not compute it.<eom>",
    ])
    assert [e.reason for e in events if isinstance(e, RoundStarted)] == ["retry"]
    assert len(result.rounds) == 2
    assert result.reply == ""  # AGAIN was read as the reply, which ended on the stray marker


def test_after_a_successful_retry_the_model_may_still_go_on() -> None:
    _, events, result = run([
        " a<eot>", ' Calculate("x")<eoc>', " b<eot>", ' Calculate("12*3")<eoc>', AGAIN,
        " c<eot>", ' Calculate("36*2")<eoc>', " 72<eom>",
    ])
    assert [e.reason for e in events if isinstance(e, RoundStarted)] == ["retry", "model"]
    assert len(result.rounds) == 3 and result.reply == "72"


def test_no_retry_when_switched_off() -> None:
    _, _, result = run([" a<eot>", ' Calculate("x")<eoc>', " It failed.<eom>"], policy=TurnPolicy(more_rounds=True, retry_failed=False))
    assert len(result.rounds) == 1 and result.reply == "It failed."


def test_a_round_without_calls_goes_to_the_reply_and_no_choice_is_asked() -> None:
    backend, events, result = run([" chat<eot>", " None<eoc>", AGAIN, " hello<eom>"])
    assert len(result.rounds) == 1 and result.reply == ""  # AGAIN was read as reply text: no choice asked
    assert backend.transcript == PREFIX + render_turn_text(result)


def test_rounds_stop_at_max_rounds_and_the_turn_still_replies() -> None:
    script = []
    for i in range(5):
        script += [f" step {i}<eot>", f' Calculate("{i}*2")<eoc>', AGAIN]
    script += [" done<eom>"]
    backend, events, result = run(script, limits=TurnLimits(max_rounds=3))
    assert len(result.rounds) == 3 and result.ok
    assert backend.transcript.endswith("<eor>\n<|MOSS|>: <eom>\n") or result.reply
    assert backend.transcript == PREFIX + render_turn_text(result)


def test_calls_are_bounded_over_all_rounds() -> None:
    many = ", ".join(f'Calculate("{i}*2")' for i in range(3))
    _, events, result = run([" a<eot>", f" {many}<eoc>", AGAIN, " b<eot>", f" {many}<eoc>", " ok<eom>"],
                            limits=TurnLimits(max_calls=4))
    assert len(result.calls) == 4 and [len(r.calls) for r in result.rounds] == [3, 1]
    assert "too_many_calls" in [w.kind for w in result.warnings]


def test_cancelling_in_the_second_round_leaves_a_well_formed_transcript() -> None:
    backend = ScriptedBackend(TWO_ROUNDS[:3] + [" " + " ".join(f"w{i}" for i in range(50)) + "<eot>"])
    backend.reset(PREFIX)
    stream = TurnLoop(backend, arithmetic, policy=ROUNDS_ON).run("q")
    seen_round_two = False
    for event in stream:
        seen_round_two |= isinstance(event, RoundStarted)
        if seen_round_two and isinstance(event, TokenEvent):
            break
    stream.close()
    text = backend.transcript
    assert text.count("<|Inner Thoughts|>:") == 2 and text.endswith("<|Results|>:\nNone\n<eor>\n<|MOSS|>: <eom>\n")


def test_search_snippets_are_numbered_across_rounds() -> None:
    call = Call(tool="Search", args=("a",), text='Search("a")')
    turn = Turn(question="q", rounds=[
        {"thoughts": "look", "calls": [call], "results": [ToolResult.snippets(["s1", "s2"])]},
        {"thoughts": "again", "calls": [call], "results": [ToolResult.snippets(["s3"])]},
    ], reply="r")
    assert "<|3|>: s3" in turn.render() and "<|1|>: s3" not in turn.render()


# -- choosing between another round and the reply ----------------------------------------------
class Writer(TextTranscript):
    """A backend that can only write, like an HTTP server: it writes `text` when asked."""

    name = "writer"

    def __init__(self, text: str) -> None:
        self.text = text

    def generate(self, stop, max_new_tokens, deadline=None):  # type: ignore[no-untyped-def]
        from agent.backends.base import GenerationEnd

        self.append(self.text)
        yield self.text
        yield GenerationEnd(reason="length", text=self.text)


@pytest.mark.parametrize(("written", "choice"), [
    ("<|Inner Thoughts|>: I should", 0), ("\n<|MOSS|>: The", 1), ("The answer is", 1), ("<|", 1),
])
def test_a_backend_that_only_writes_is_read_by_what_it_writes_and_rewound(written: str, choice: int) -> None:
    backend = Writer(written)
    backend.reset("before")
    assert prefer(backend, (INNER_THOUGHTS, MOSS)) == choice
    assert prefer_by_writing(backend, (INNER_THOUGHTS, MOSS)) == choice
    assert backend.transcript == "before"


# -- recorded, exported, imported --------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "logs.db") as opened:
        yield opened


def record_two_round_session(store: Store):  # type: ignore[no-untyped-def]
    script = [s.replace("12*3", "2^10") for s in TWO_ROUNDS] + [" Hi.<eot>", " None<eoc>", " Hello!<eom>"]
    agent = Agent(ScriptedBackend(script), tools=["Calculate"], policy=ROUNDS_ON)
    session, recorder = agent.session(), Recorder(store, agent)
    list(recorder.stream(session, "What is 2^10 times 2?"))
    list(recorder.stream(session, "Hi"))
    return agent, session, recorder.conversation_id


def test_a_turn_with_rounds_is_stored_and_resumes_as_the_same_history(store: Store) -> None:
    agent, session, cid = record_two_round_session(store)
    with agent:
        live = session.turns[0]
        assert len(live.rounds) == 2 and live.results[0].items == ("1024",)
        stored = store.history(cid)
        assert [r.thoughts for r in stored[0].rounds] == [r.thoughts for r in live.rounds]
        assert [[c.text for c in r.calls] for r in stored[0].rounds] == [[c.text for c in r.calls] for r in live.rounds]
        assert agent.session(stored).history_text == session.history_text
        assert "round_started" in [e["type"] for e in store.events(store.turns(cid)[0].id)]


def test_moss_export_of_rounds_reads_back_and_imports_to_the_same_export(store: Store, tmp_path: Path) -> None:
    agent, session, cid = record_two_round_session(store)
    with agent:
        record = export_records(store, [cid], "moss")[0]
        keys = list(record["chat"]["turn_1"])
        assert keys == ["Human", "Inner Thoughts", "Commands", "Tool Responses",
                        "Inner Thoughts 2", "Commands 2", "Tool Responses 2", "MOSS"]
        turn = Conversation.from_moss_json(record).turns[0]
        assert turn.round_trips and not turn.parse_warnings and len(turn.rounds) == 2
        assert "".join(record["chat"]["turn_1"].values()) == render_turn_text(session.turns[0])
        with Store.open(tmp_path / "other.db") as other:
            [new_id] = import_into(other, [from_record(json.loads(json.dumps(record)))])
            assert export_records(other, [new_id], "moss")[0]["chat"] == record["chat"]


def test_sharegpt_export_of_rounds_imports_back_to_the_same_turns(store: Store) -> None:
    agent, session, cid = record_two_round_session(store)
    with agent:
        record = export_records(store, [cid], "sharegpt")[0]
        roles = [m["from"] for m in record["conversations"]]
        assert roles == ["human", "function_call", "observation", "function_call", "observation", "gpt", "human", "gpt"]
        assert record["conversations"][3]["thoughts"] == "Now 36 times 2."
        imported = from_record(record)
        back = imported.turns[0][0]
        assert [r.thoughts for r in back.rounds] == [r.thoughts for r in session.turns[0].rounds]
        assert back.render() == session.turns[0].render()
        assert session_records(agent.meta_instruction, session.turns, "sharegpt")[0]["conversations"] == record["conversations"]


def test_a_schema_1_database_is_upgraded_in_place_and_its_turns_read_as_one_round(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL,
            updated_at REAL NOT NULL, model TEXT NOT NULL DEFAULT '', meta_instruction TEXT NOT NULL DEFAULT '',
            tools TEXT NOT NULL DEFAULT '[]', source TEXT NOT NULL DEFAULT 'recorded', source_id TEXT,
            category TEXT, num_turns INTEGER);
        CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER NOT NULL, seq INTEGER NOT NULL,
            status TEXT NOT NULL, question TEXT NOT NULL, thoughts TEXT NOT NULL DEFAULT '',
            commands TEXT NOT NULL DEFAULT 'None', reply TEXT NOT NULL DEFAULT '', partial_segment TEXT,
            partial TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '', tools TEXT NOT NULL DEFAULT '[]',
            prompt_tokens INTEGER NOT NULL DEFAULT 0, generated_tokens INTEGER NOT NULL DEFAULT 0, timings TEXT,
            error_kind TEXT, error_message TEXT, recorded TEXT, started_at REAL NOT NULL, ended_at REAL,
            UNIQUE (conversation_id, seq));
        CREATE TABLE calls (turn_id INTEGER NOT NULL, idx INTEGER NOT NULL, tool TEXT NOT NULL, text TEXT NOT NULL,
            args TEXT NOT NULL, result TEXT, elapsed_s REAL, error_kind TEXT, PRIMARY KEY (turn_id, idx));
        CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, turn_id INTEGER NOT NULL, at REAL NOT NULL,
            type TEXT NOT NULL, data TEXT NOT NULL);
        INSERT INTO conversations (id, created_at, updated_at) VALUES (1, 0, 0);
        INSERT INTO turns (id, conversation_id, seq, status, question, thoughts, commands, reply, started_at)
            VALUES (1, 1, 1, 'done', 'What is 2^10?', 'calc', 'Calculate("2^10")', '1024.', 0);
        INSERT INTO calls (turn_id, idx, tool, text, args, result)
            VALUES (1, 0, 'Calculate', 'Calculate("2^10")', '["2^10"]', '{"shape": "value", "items": ["1024"]}');
        PRAGMA user_version = 1;
    """)
    db.close()
    with Store.open(path) as store:
        [turn] = store.history(1)
        assert len(turn.rounds) == 1 and turn.thoughts == "calc" and turn.results[0].items == ("1024",)
        assert to_moss(store.conversation(1), store.turns(1))["chat"]["turn_1"]["Tool Responses"] == (
            '<|Results|>:\nCalculate("2^10") => 1024\n<eor>\n')
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_moss_model_keeps_one_round_a_turn() -> None:
    script = [" t<eot>", ' Calculate("x")<eoc>', AGAIN, " r<eom>"]
    with Agent(ScriptedBackend(script), tools=["Calculate"], few_shot=False) as agent:
        assert not agent.policy.more_rounds and not agent.policy.retry_failed
        result = agent.run("q")
    assert len(result.rounds) == 1


def test_a_turn_dumped_as_json_reads_back_the_same() -> None:
    _, _, result = run(TWO_ROUNDS)
    data = json.loads(result.model_dump_json())
    assert data["thoughts"] == "12 times 3 first." and len(data["calls"]) == 2 and len(data["rounds"]) == 2
    assert type(result).model_validate(data) == result


def test_every_round_turn_event_is_in_the_stream_before_turn_done() -> None:
    _, events, _ = run(TWO_ROUNDS)
    assert isinstance(events[-1], TurnDone)


def test_the_repl_and_ask_say_when_a_round_is_a_retry() -> None:
    import io

    from rich.console import Console

    from agent.repl.render import TurnRenderer

    _, events, _ = run([" Multiply.<eot>", ' Calculate("twelve*3")<eoc>', " Numbers.<eot>", ' Calculate("12*3")<eoc>', " 36<eom>"])
    out = io.StringIO()
    renderer = TurnRenderer(Console(file=out, width=100, color_system=None))
    for event in events:
        renderer.show(event)
    text = out.getvalue()
    assert "round 2: a call failed: one more round to fix it" in text
    assert text.index("twelve") < text.index("round 2") < text.index('Calculate("12*3")')
