"""`moss-agent chat` driven as a user would: through a pseudo-terminal, with a scripted model.

Assertions are on what the screen shows (escape codes stripped) and on what the log recorded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from agent.store import Store

REPO = Path(__file__).resolve().parents[2]
TOOL_TURN = [" I need the calculator.<eot>", ' Calculate("2^10")<eoc>', " It is 1024.<eom>"]
PLAIN_TURN = [" No tool needed.<eot>", " None<eoc>", " You are welcome.<eom>"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]")
PROMPT = "you>"


def screen(text: str) -> str:
    return ANSI.sub("", text)


class Chat:
    """One `moss-agent chat` in a pseudo-terminal; `seen` is the screen text since the last expect."""

    def __init__(self, tmp_path: Path, outputs: list[str], *args: str, delay: float = 0.0) -> None:
        script = tmp_path / f"script{len(list(tmp_path.glob('script*')))}.json"
        script.write_text(json.dumps({"outputs": outputs, "seconds_per_piece": delay}), encoding="utf-8")
        env = dict(os.environ, MOSS_AGENT_DATA=str(tmp_path / "data"), PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
        self.db = tmp_path / "logs.db"
        self.child = pexpect.spawn(
            sys.executable, ["-m", "agent", "chat", "--script", str(script), "--tools", "Calculate",
                             "--db", str(self.db), *args],
            env=env, cwd=str(REPO), encoding="utf-8", dimensions=(40, 120), timeout=30,
        )
        self.raw = ""

    @property
    def seen(self) -> str:
        """The screen text since the last `say` (prompt_toolkit redraws the prompt as one
        types, so waiting for the prompt alone says nothing: wait for the answer)."""
        return screen(self.raw)

    def expect(self, pattern: str) -> str:
        self.child.expect(pattern)
        self.raw += self.child.before + self.child.after
        return self.seen

    def say(self, text: str) -> None:
        self.raw = ""
        self.child.send(text + "\r")

    def quit(self) -> int:
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus


def test_a_tool_turn_streams_the_reply_with_dimmed_thoughts_and_a_tool_panel(tmp_path: Path) -> None:
    chat = Chat(tmp_path, TOOL_TURN + PLAIN_TURN)
    start = chat.expect(PROMPT)
    assert "ready: scripted · tools: Calculate" in start and "Ctrl-D quits" in start
    chat.say("What is 2^10?")
    chat.expect("It is 1024.")
    assert "thinking: I need the calculator." in chat.seen
    assert "examples shown first: " in chat.seen  # the nearest pool examples, named
    assert re.search(r"\x1b\[2(;3)?m(\x1b\[[0-9;]*m)*thinking: ", chat.raw), "thoughts are dimmed"
    assert re.search(r"╭─ Calculate · [0-9.]+ s ─+╮", chat.seen)
    assert 'Calculate("2^10") => 1024' in chat.seen
    chat.expect(PROMPT)
    chat.say("/thoughts off")
    chat.expect("thoughts off")
    chat.expect(PROMPT)
    chat.say("Thanks")
    chat.expect("You are welcome.")
    assert "thinking" not in chat.seen and "No tool needed" not in chat.seen and "examples shown" not in chat.seen
    chat.expect(PROMPT)
    chat.say("/history")
    history = chat.expect("You are welcome")
    assert "1. you: What is 2^10?" in history and "moss: It is 1024. (Calculate)" in history
    assert "2. you: Thanks" in history
    chat.expect(PROMPT)
    exported = tmp_path / "out.json"
    chat.say(f"/export moss {exported}")
    chat.expect("exported 2 turns")
    chat.expect(PROMPT)
    chat.say("/nonsense")
    chat.expect("unknown command /nonsense")
    chat.expect(PROMPT)
    chat.child.send("half a line")
    chat.child.sendcontrol("c")  # Ctrl-C at the prompt clears the line, the chat goes on
    chat.say("/thoughts")
    chat.expect("thoughts off")
    chat.expect(PROMPT)  # the next prompt is up (Ctrl-D between prompts would reach the tty, not us)
    assert chat.quit() == 0
    data = json.loads(exported.read_text("utf-8"))
    assert data["num_turns"] == 2 and data["chat"]["turn_1"]["MOSS"] == "<|MOSS|>: It is 1024.<eom>\n"
    with Store.open(chat.db) as store:
        assert [t.result.question for t in store.turns()] == ["What is 2^10?", "Thanks"]


def test_ctrl_c_cancels_the_answer_in_flight_and_keeps_the_session(tmp_path: Path) -> None:
    long_reply = " " + " ".join(f"word{i}" for i in range(300)) + "<eom>"
    chat = Chat(tmp_path, [" t<eot>", " None<eoc>", long_reply] + PLAIN_TURN, delay=0.02)
    chat.expect(PROMPT)
    chat.say("Count to three hundred")
    chat.expect("word5")
    chat.child.sendcontrol("c")
    chat.expect("cancelled")
    assert "word299" not in chat.seen
    chat.expect(PROMPT)
    chat.say("Thanks")
    chat.expect("You are welcome.")
    chat.expect(PROMPT)
    assert chat.quit() == 0
    with Store.open(chat.db) as store:
        cancelled, done = store.turns()
        assert (cancelled.status, done.status) == ("cancelled", "done")
        assert cancelled.partial.startswith("word0 word1")
        assert [t.question for t in store.history(done.conversation_id)] == ["Thanks"]


def test_continue_resumes_the_last_conversation_with_its_history(tmp_path: Path) -> None:
    first = Chat(tmp_path, TOOL_TURN, "--no-thoughts")
    first.expect(PROMPT)
    first.child.send("What is\x1b\r2^10?\r")  # Esc Enter: a second line in the same message
    first.expect("It is 1024.")
    assert "used Calculate" in first.seen and "thinking" not in first.seen
    first.expect(PROMPT)
    assert first.quit() == 0

    second = Chat(tmp_path, PLAIN_TURN, "--continue")
    second.expect("resumed conversation 1: 1 turns")
    second.expect(PROMPT)
    second.say("/history")
    assert "1. you: What is" in second.expect("It is 1024")
    second.expect(PROMPT)
    second.say("Thanks")
    second.expect("You are welcome.")
    second.expect(PROMPT)
    assert second.quit() == 0
    with Store.open(second.db) as store:
        (conversation,) = store.conversations()
        assert conversation.turn_count == 2
        assert [t.question for t in store.history(conversation.id)] == ["What is\n2^10?", "Thanks"]


def test_piped_input_is_answered_line_by_line(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps(PLAIN_TURN), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "agent", "chat", "--script", str(script), "--tools", "Calculate", "--no-log"],
        input="Thanks\n/model\n", capture_output=True, text=True, cwd=REPO, timeout=60,
        env=dict(os.environ, MOSS_AGENT_DATA=str(tmp_path / "data")),
    )
    assert result.returncode == 0, result.stderr
    assert "You are welcome." in result.stdout and "log: off" in result.stdout
    assert not (tmp_path / "data" / "logs.db").exists()


def test_the_testing_option_stays_out_of_help_and_resuming_needs_the_log() -> None:
    from agent.cli import main

    runner = CliRunner()
    help_text = runner.invoke(main, ["chat", "--help"]).output
    assert "--continue" in help_text and "--cid" in help_text and "--script" not in help_text
    result = runner.invoke(main, ["chat", "--continue", "--no-log"])
    assert result.exit_code != 0 and "cannot go with --no-log" in result.output


@pytest.mark.parametrize("text", ["\x1b]0;owned\x07", "\x1b[2J"])
def test_control_sequences_from_the_model_never_reach_the_terminal(text: str) -> None:
    from agent.repl.render import safe

    assert "\x1b" not in safe(f"before {text} after") and safe("a\nb\tc") == "a\nb\tc"


def test_a_named_tool_that_cannot_answer_is_explained_not_silently_dropped(tmp_path: Path) -> None:
    chat = Chat(tmp_path, PLAIN_TURN, "--tools", "Calculate,Search", "--no-log")
    start = chat.expect(PROMPT)
    assert "warning: Search is not offered to the model: no search index" in start
    assert "Traceback" not in start and ".py:" not in start  # one line, not Python's format
    chat.say("/tools")
    table = chat.expect("unavailable: no search index")
    assert re.search(r"Calculate\s+Calculate\(expression\)\s+on", table)
    chat.expect(PROMPT)
    assert chat.quit() == 0
