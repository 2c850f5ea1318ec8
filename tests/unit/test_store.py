"""The session store: what a recorded turn holds, cancel and crash safety, two writers, bad files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.agent import Agent
from agent.backends.scripted import ScriptedBackend
from agent.events import TokenEvent, TurnDone
from agent.store import Store, StoreError, default_db_path
from agent.store.record import Recorder

TOOL_TURN = [" I need the calculator.<eot>", ' Calculate("2^10")<eoc>', " It is 1024.<eom>"]
PLAIN_TURN = [" No tool needed.<eot>", " None<eoc>", " You are welcome.<eom>"]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "logs.db") as opened:
        yield opened


def test_a_recorded_conversation_holds_every_step_and_resumes_as_the_same_history(store: Store) -> None:
    with Agent(ScriptedBackend(TOOL_TURN + PLAIN_TURN), tools=["Calculate"]) as agent:
        session, recorder = agent.session(), Recorder(store, agent)
        list(recorder.stream(session, "What is 2^10?"))
        list(recorder.stream(session, "Thanks"))
        cid = recorder.conversation_id
        info = store.conversation(cid)
        assert info.meta_instruction == agent.meta_instruction
        assert "Calculator: enabled. API: Calculate(expression)" in info.meta_instruction
        assert "What is 1234 multiplied by 56?" not in info.meta_instruction  # few-shot examples stay out
        assert info.tools == ["Calculate"] and info.model == "scripted" and info.turn_count == 2
        turns = store.turns(cid)
        assert [t.status for t in turns] == ["done", "done"] and [t.seq for t in turns] == [1, 2]
        first = turns[0].result
        assert first.thoughts == "I need the calculator." and first.reply == "It is 1024."
        assert first.results[0].items == ("1024",) and first.results[0].elapsed_s is not None
        assert first.tokens.generated > 0 and first.model == "scripted"
        assert [e["type"] for e in store.events(turns[0].id)] == [
            "turn_started", "thoughts_done", "commands_issued", "tool_result", "reply_done", "turn_done"]
        assert store.history(cid) == session.turns
        # a session resumed from the store renders the same transcript as the live one
        assert agent.session(store.history(cid)).history_text == session.history_text


def test_a_cancelled_turn_keeps_its_partial_reply_and_stays_out_of_the_history(store: Store) -> None:
    long_reply = " " + " ".join(f"word{i}" for i in range(100)) + "<eom>"
    with Agent(ScriptedBackend([" t<eot>", " None<eoc>", long_reply] + PLAIN_TURN), tools=[]) as agent:
        session, recorder = agent.session(), Recorder(store, agent, flush_every=4)
        stream = recorder.stream(session, "Count for me")
        seen = 0
        for event in stream:
            if isinstance(event, TokenEvent) and event.segment == "reply":
                seen += 1
                if seen == 10:
                    break
        stream.close()
        list(recorder.stream(session, "Thanks"))
    cancelled, done = store.turns(recorder.conversation_id)
    assert (cancelled.status, done.status) == ("cancelled", "done")
    assert cancelled.partial_segment == "reply" and cancelled.partial.split()[:3] == ["word0", "word1", "word2"]
    assert store.history(recorder.conversation_id) == session.turns
    assert [t.question for t in session.turns] == ["Thanks"]


CHILD = textwrap.dedent(
    """
    import sys
    from agent.agent import Agent
    from agent.backends.scripted import ScriptedBackend
    from agent.events import TokenEvent, ToolResultEvent
    from agent.store import Store
    from agent.store.record import Recorder

    reply = " " + " ".join(f"word{i}" for i in range(400)) + "<eom>"
    script = {"outputs": [" I need the calculator.<eot>", ' Calculate("6*7")<eoc>', reply]}
    agent = Agent(ScriptedBackend(script["outputs"], seconds_per_piece=0.02), tools=["Calculate"])
    recorder = Recorder(Store.open(sys.argv[1]), agent, flush_every=4)
    reply_tokens = 0
    for event in recorder.stream(agent.session(), "What is 6*7?"):
        if isinstance(event, TokenEvent) and event.segment == "reply":
            reply_tokens += 1
            if reply_tokens == 12:
                print("RECORDED", flush=True)
    print("FINISHED", flush=True)
    """
)


def test_killing_the_process_mid_turn_loses_nothing_recorded(tmp_path: Path) -> None:
    db = tmp_path / "logs.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "RECORDED"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with Store.open(db) as store:
        assert store.integrity() == "ok"
        (turn,) = store.turns()
        assert turn.status == "running" and not turn.finished
        assert turn.result.thoughts == "I need the calculator."
        assert turn.result.commands == 'Calculate("6*7")'
        assert turn.result.results[0].items == ("42",)
        assert turn.partial_segment == "reply" and turn.partial.split()[:8] == [f"word{i}" for i in range(8)]
        assert store.history(turn.conversation_id) == []  # the cut-off turn never became history
        cid = store.new_conversation(model="after")  # and the file takes new writes
        assert store.conversation(cid).model == "after"


WRITER = textwrap.dedent(
    """
    import sys
    from agent.agent import Agent
    from agent.backends.scripted import ScriptedBackend
    from agent.store import Store
    from agent.store.record import Recorder

    turns = int(sys.argv[2])
    script = []
    for i in range(turns):
        script += [f" thinking {i}<eot>", " None<eoc>", f" reply {i} from {sys.argv[3]}<eom>"]
    agent = Agent(ScriptedBackend(script), tools=[])
    store = Store.open(sys.argv[1])
    recorder = Recorder(store, agent, flush_every=1)
    session = agent.session()
    for i in range(turns):
        list(recorder.stream(session, f"question {i}"))
    print(recorder.conversation_id)
    """
)


def test_two_processes_write_to_one_database_at_once(tmp_path: Path) -> None:
    db, turns = tmp_path / "logs.db", 40
    Store.open(db).close()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(turns), name],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
               for name in ("a", "b")]
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], [err for _, err in outputs]
    cids = [int(out.strip()) for out, _ in outputs]
    with Store.open(db) as store:
        assert store.integrity() == "ok"
        assert sorted(cids) == [1, 2]
        for cid, name in zip(cids, ("a", "b")):
            recorded = store.turns(cid)
            assert [t.seq for t in recorded] == list(range(1, turns + 1))
            assert all(t.status == "done" for t in recorded)
            assert [t.result.reply for t in recorded] == [f"reply {i} from {name}" for i in range(turns)]
        assert store.counts()["turns"] == 2 * turns


def test_a_file_that_is_not_a_database_is_reported_with_its_path_and_a_way_out(tmp_path: Path) -> None:
    bad = tmp_path / "logs.db"
    bad.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(bad)
    message = str(caught.value)
    assert str(bad) in message and "mv " in message and "--no-log" in message

    from agent.cli import main

    result = CliRunner().invoke(main, ["logs", "--db", str(bad)])
    assert result.exit_code == 1
    assert "not readable" in result.output and "Traceback" not in result.output


def test_a_damaged_page_is_reported_when_read(tmp_path: Path) -> None:
    db = tmp_path / "logs.db"
    with Store.open(db) as store:
        for i in range(200):
            store.new_conversation(model=f"model {i}" * 20)
    with sqlite3.connect(db) as raw:  # fold the WAL back so the damage lands on the pages read
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    data[4096:12288] = b"\xff" * 8192
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="not readable"):
        with Store.open(db) as store:
            store.conversations()


def test_a_newer_schema_is_refused_rather_than_misread(tmp_path: Path) -> None:
    db = tmp_path / "logs.db"
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer moss-agent"):
        Store.open(db)


def test_the_default_file_lives_in_the_data_folder_that_moss_agent_data_names(tmp_path: Path) -> None:
    assert default_db_path({"MOSS_AGENT_DATA": str(tmp_path)}) == tmp_path / "logs.db"
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_an_unknown_conversation_id_is_a_clear_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no conversation 7"):
        store.history(7)


def test_ask_records_its_turn_unless_told_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.cli.ask as ask_module
    from agent.cli import main

    monkeypatch.setattr(ask_module, "agent_from_options",
                        lambda **_: Agent(ScriptedBackend(PLAIN_TURN), tools=[]))
    db = tmp_path / "logs.db"
    result = CliRunner().invoke(main, ["ask", "Thanks", "--db", str(db)])
    assert result.exit_code == 0 and "You are welcome." in result.output
    result = CliRunner().invoke(main, ["ask", "Thanks", "--db", str(db), "--no-log"])
    assert result.exit_code == 0
    with Store.open(db) as store:
        assert [t.result.question for t in store.turns()] == ["Thanks"]


def test_token_events_are_not_rows_but_every_step_is(store: Store) -> None:
    with Agent(ScriptedBackend(PLAIN_TURN), tools=[]) as agent:
        events = list(Recorder(store, agent).stream(agent.session(), "Thanks"))
    assert isinstance(events[-1], TurnDone)
    assert sum(isinstance(e, TokenEvent) for e in events) > 3
    assert store.counts()["events"] == len([e for e in events if not isinstance(e, TokenEvent)])
