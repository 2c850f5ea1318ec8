"""`moss-agent replay`: the table, `--json`, and folders with files it cannot read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner

from agent.cli import main
from agent.format import Call, Conversation, Turn, capabilities_for, render_meta_instruction
from agent.replay import FolderReport, replay_dir
from tools.result import ToolResult


def conversation(n: int, with_tool: bool = True) -> dict:
    call = Call(tool="Calculate", args=("2^10",), text='Calculate("2^10")')
    turn = Turn(
        question=f"question {n}",
        thoughts="compute",
        calls=(call,) if with_tool else (),
        results=(ToolResult.value("1024"),) if with_tool else (),
        reply="1024",
    )
    meta = render_meta_instruction(capabilities_for({"Calculate"}))
    return Conversation(conversation_id=n, meta_instruction=meta, turns=(turn, turn), category="tool").to_moss_json()


def write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["replay", *args], catch_exceptions=False)


def test_replay_of_the_recorded_conversations(sft_dir: Path) -> None:
    result = invoke(str(sft_dir), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    folders = {f["folder"]: f for f in report["folders"]}
    assert folders["mix"]["calls"] == {"Calculate": 138, "Search": 231, "Solve": 17}
    assert folders["web_search"]["warnings"]["unknown_tool"] == 1
    assert folders["text2img"]["round_trip_turns"] == folders["text2img"]["turns"] == 100
    table = invoke(str(sft_dir))
    assert table.exit_code == 0
    for name in ("calculator", "equation_solver", "mix", "text2img", "web_search", "195/200", "Calculate 187"):
        assert name in table.output


def test_unreadable_files_are_named_and_do_not_stop_the_run(tmp_path: Path) -> None:
    write(tmp_path / "good" / "a.json", json.dumps(conversation(1), ensure_ascii=False))
    write(tmp_path / "good" / "b.json", json.dumps(conversation(2, with_tool=False)))
    write(tmp_path / "good" / "notes.txt", "not a conversation, not a .json: ignored")
    write(tmp_path / "bad" / "not_json.json", "this is not JSON {")
    write(tmp_path / "bad" / "binary.json", b"\xff\xfe\x00garbage")
    write(tmp_path / "bad" / "list.json", "[1, 2, 3]")
    write(tmp_path / "bad" / "no_chat.json", json.dumps({"meta_instruction": "x"}))
    write(tmp_path / "bad" / "turn_is_text.json", json.dumps({"meta_instruction": "x", "chat": {"turn_1": "hi"}}))
    write(tmp_path / "bad" / "deep.json", "[" * 100_000 + "]" * 100_000)
    (tmp_path / "bad" / "a_folder.json").mkdir()
    write(tmp_path / "bad" / "later_good.json", json.dumps(conversation(3)))

    result = invoke(str(tmp_path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    folders = {f["folder"]: f for f in report["folders"]}
    good, bad = folders["good"], folders["bad"]
    assert (good["files"], good["turns"], good["round_trip_turns"], good["calls"]) == (2, 4, 4, {"Calculate": 2})
    assert good["unreadable"] == []
    unreadable = {Path(u["path"]).name: u["reason"] for u in bad["unreadable"]}
    assert set(unreadable) == {"not_json.json", "binary.json", "list.json", "no_chat.json", "turn_is_text.json", "deep.json"}
    assert "not valid JSON" in unreadable["not_json.json"] and "UTF-8" in unreadable["binary.json"]
    assert "turn_1" in unreadable["turn_is_text.json"]
    assert bad["conversations"] == 1 and bad["calls"] == {"Calculate": 2}  # the good file after the bad ones

    table = invoke(str(tmp_path))
    assert table.exit_code == 1
    assert "unreadable" in table.output and "not_json.json" in table.output and "binary.json" in table.output


def test_empty_folder_and_missing_folder(tmp_path: Path) -> None:
    result = invoke(str(tmp_path))
    assert result.exit_code == 0 and "no conversation JSON files found" in result.output
    assert invoke(str(tmp_path / "missing")).exit_code == 2


def test_checks_are_the_place_for_re_running_calls(tmp_path: Path) -> None:
    """A TurnCheck sees every parsed turn; its counters land in the folder report by name."""
    write(tmp_path / "x" / "a.json", json.dumps(conversation(1)))

    class CountRecordedValues:
        name = "recorded"

        def __call__(self, conversation: Conversation, turn: Turn) -> Mapping[str, int]:
            return {"with_entry": sum(entry is not None for _, entry in turn.pairs())}

    report = replay_dir(tmp_path, checks=[CountRecordedValues()])
    folder: FolderReport = report.folders[0]
    assert folder.checks == {"recorded": {"with_entry": 2}}
