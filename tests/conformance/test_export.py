"""Export and import against the shared MOSS samples (read in place) and recorded sessions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.agent import Agent
from agent.backends.scripted import ScriptedBackend
from agent.cli import main
from agent.errors import ParseError
from agent.store.export import export_records, from_record, import_into, read_import, write_export
from agent.format import Conversation
from agent.store import Store
from agent.store.record import Recorder

TOOL_TURN = [" I need the calculator.<eot>", ' Calculate("2^10")<eoc>', " It is 1024.<eom>"]
PLAIN_TURN = [" No tool needed.<eot>", " None<eoc>", " You are welcome.<eom>"]


@pytest.fixture(scope="module")
def samples(sft_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Every shared sample imported into one store: (files, ids, store)."""
    files = sorted(sft_dir.glob("*/*.json"))
    store = Store.open(tmp_path_factory.mktemp("samples") / "logs.db")
    ids = import_into(store, [c for f in files for c in read_import(f)])
    yield files, ids, store
    store.close()


def test_every_sample_exports_back_byte_identical(samples, tmp_path: Path) -> None:
    files, ids, store = samples
    assert len(files) == len(ids) == 500
    out = tmp_path / "out.json"
    for path, cid in zip(files, ids):
        write_export(store, [cid], "moss", out)
        assert out.read_bytes() == path.read_bytes(), path.name


def test_sharegpt_export_imports_back_to_the_same_export(samples) -> None:
    _, ids, store = samples
    first = export_records(store, ids, "sharegpt")
    again = export_records(store, import_into(store, [from_record(r) for r in first]), "sharegpt")
    assert again == first
    mix = next(r for r in first if any(m["from"] == "observation" for m in r["conversations"]))
    roles = [m["from"] for m in mix["conversations"]]
    assert roles[0] == "human" and set(roles) <= {"human", "function_call", "observation", "gpt"}
    assert mix["system"].endswith("- Text-to-speech: disabled.\n")


def test_a_recorded_session_becomes_sft_data_the_conformance_parser_reads_back(tmp_path: Path) -> None:
    with Store.open(tmp_path / "logs.db") as store:
        # MOSS framing, so that the transcript the model saw is MOSS text end to end; no
        # nearest examples, which sit before a question in the transcript and in no record
        backend = ScriptedBackend(TOOL_TURN + PLAIN_TURN)
        with Agent(backend, tools=["Calculate"], framing="moss", policy={"nearest_examples": 0}) as agent:
            session, recorder = agent.session(), Recorder(store, agent)
            list(recorder.stream(session, "What is 2^10?"))
            list(recorder.stream(session, "Thanks"))
            meta, history = agent.meta_instruction, agent.prefix
        out = tmp_path / "sft.json"
        write_export(store, [recorder.conversation_id], "moss", out)
    text = out.read_text("utf-8")
    data = json.loads(text)
    assert list(data) == ["conversation_id", "meta_instruction", "num_turns", "chat", "category"]
    assert data["meta_instruction"] == meta and data["num_turns"] == 2 and data["category"] == "tool"
    assert data["chat"]["turn_1"] == {
        "Human": "<|Human|>: What is 2^10?<eoh>\n",
        "Inner Thoughts": "<|Inner Thoughts|>: I need the calculator.<eot>\n",
        "Commands": '<|Commands|>: Calculate("2^10")<eoc>\n',
        "Tool Responses": '<|Results|>:\nCalculate("2^10") => 1024\n<eor>\n',
        "MOSS": "<|MOSS|>: It is 1024.<eom>\n",
    }
    parsed = Conversation.from_moss_json(data)
    assert not parsed.warnings and all(not t.parse_warnings for t in parsed.turns)
    assert json.dumps(parsed.to_moss_json(), ensure_ascii=False, indent=4) == text
    # the chat text equals what the model saw after its prefix
    assert "".join(t.render() for t in parsed.turns) == session.history_text
    assert backend.transcript == history + session.history_text
    # the model's prompt carried the same tools; it adds examples (and a rule) for a non-MOSS model
    capabilities = meta[meta.index("Capabilities and tools that MOSS can possess.") :]
    assert capabilities in history


def test_alpaca_gives_one_record_per_turn_with_the_earlier_pairs(tmp_path: Path) -> None:
    with Store.open(tmp_path / "logs.db") as store:
        with Agent(ScriptedBackend(TOOL_TURN + PLAIN_TURN), tools=["Calculate"]) as agent:
            session, recorder = agent.session(), Recorder(store, agent)
            list(recorder.stream(session, "What is 2^10?"))
            list(recorder.stream(session, "Thanks"))
        records = export_records(store, [recorder.conversation_id], "alpaca")
    assert [r["instruction"] for r in records] == ["What is 2^10?", "Thanks"]
    assert records[1]["history"] == [["What is 2^10?", "It is 1024."]]
    assert records[1]["output"] == "You are welcome." and records[0]["input"] == ""


def test_sharegpt_with_openai_roles_and_thoughts_imports(tmp_path: Path) -> None:
    record = {"messages": [
        {"role": "system", "content": "meta"},
        {"role": "user", "content": "What is 6*7?"},
        {"role": "function_call", "content": 'Calculate("6*7")', "thoughts": "use the calculator"},
        {"role": "observation", "content": 'Calculate("6*7") => 42'},
        {"role": "assistant", "content": "42."},
    ]}
    imported = from_record(record)
    (turn, segments), = imported.turns
    assert imported.meta_instruction == "meta"
    assert turn.thoughts == "use the calculator" and turn.results[0].items == ("42",) and turn.reply == "42."
    assert segments["Tool Responses"] == '<|Results|>:\nCalculate("6*7") => 42\n<eor>\n'


@pytest.mark.parametrize("text, message", [
    ("{not json", "not JSON"),
    ('{"hello": 1}', "neither MOSS SFT"),
    ('{"conversations": [{"from": "gpt", "value": "hi"}]}', "before any human"),
    ('{"meta_instruction": "m", "chat": {"turn_1": {"Human": 3}}}', "lacks text"),
])
def test_a_bad_import_file_names_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=message) as caught:
        read_import(path)
    assert str(path) in str(caught.value)


def test_cli_import_a_folder_then_export_all_as_json_lines(sft_dir: Path, tmp_path: Path) -> None:
    db, out = tmp_path / "logs.db", tmp_path / "all.jsonl"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(sft_dir / "calculator"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "imported 100 conversation(s)" in result.output
    result = runner.invoke(main, ["export", "--format", "sharegpt", "--all", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 100 and all(json.loads(line)["conversations"] for line in lines)
    one = tmp_path / "one.json"
    assert runner.invoke(main, ["export", "1", str(one), "--db", str(db)]).exit_code == 0
    first = sorted((sft_dir / "calculator").glob("*.json"))[0]
    assert one.read_bytes() == first.read_bytes()
    result = runner.invoke(main, ["export", "999", str(one), "--db", str(db)])
    assert result.exit_code == 1 and "no conversation 999" in result.output
    result = runner.invoke(main, ["logs", "--cid", "1", "--db", str(db), "--json"])
    assert result.exit_code == 0 and json.loads(result.output.splitlines()[0])["recorded"]["Human"].startswith("<|Human|>")
