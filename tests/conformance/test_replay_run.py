"""`replay --run`: recorded Calculate and Solve calls re-run in the sandbox agree with MOSS's
recorded results, except the reviewed recording errors (agent/replay/reviewed.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.replay.run import RunReport, agrees, load_reviewed, number, run_replay
from tools.wire.results import ResultEntry
from tools import ErrorKind, Registry, SandboxPool, ToolResult


def _entry(body: str) -> ResultEntry:
    return ResultEntry(command='X("1")', body=body)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("36", 36),
        ("'36'", 36),
        ("-3.80000000000000", -3.8),
        ("160/3", 160 / 3),
        ("-sqrt(15)", -(15**0.5)),
        ("2*5**(1/4)", 2 * 5**0.25),
        ("-2.1 - 3.6*I", complex(-2.1, -3.6)),
        ("sqrt(30)*I", complex(0, 30**0.5)),
        ("2^10", 1024),
    ],
)
def test_recorded_numbers_are_read_without_eval(text: str, value: complex) -> None:
    got = number(text)
    assert got is not None and abs(got - value) < 1e-12 * max(1, abs(value))


@pytest.mark.parametrize(
    "text", ["x", "__import__('os')", "(1).real", "lambda: 1", "9**9**9", "[1]", "No result.", ""]
)
def test_non_numbers_are_not_numbers(text: str) -> None:
    assert number(text) is None


def test_agreement_rules() -> None:
    assert agrees(_entry(" '36'"), ToolResult.value("36"))
    assert agrees(_entry(" 36.0"), ToolResult.value("36"))
    assert agrees(_entry(" '9.0139808682855'"), ToolResult.value("9.013980868285500"))
    assert not agrees(_entry(" '36'"), ToolResult.value("37"))
    assert not agrees(_entry(" '36'"), ToolResult.failure(ErrorKind.REFUSED, "no"))
    failed = ToolResult.failure(ErrorKind.NO_RESULT, "none", block=True)
    for spelling in (" No result.", " 'No result.'", " No calculation results.", "\nNo result."):
        assert agrees(_entry(spelling), failed)
    # Solve lines compare as sets: suffixes and order ignored, values numerically
    recorded = _entry("\nx_0 = 12.0000000000000\nx_1 = -12")
    assert agrees(recorded, ToolResult.lines(["x_0 = -12", "x_1 = 12"]))
    assert agrees(_entry("\nx = 53.3333333333333"), ToolResult.lines(["x = 160/3"]))
    assert not agrees(_entry("\nx = 19\ny = 11"), ToolResult.lines(["x = 19", "y = 12"]))
    assert not agrees(_entry("\nx = 19\ny = 11"), ToolResult.lines(["x = 19"]))
    assert not agrees(_entry("\nx = 19"), ToolResult.lines(["y = 19"]))


def test_reviewed_list_has_a_reason_for_each_entry() -> None:
    reviewed = load_reviewed()
    assert len(reviewed) >= 12
    assert all(len(reason) > 10 and "\n" not in reason for reason in reviewed.values())


@pytest.fixture(scope="module")
def replay_report(sft_dir: Path) -> RunReport:
    with SandboxPool(Registry.discover(), workers=2) as pool:
        return run_replay(sft_dir, pool)


def test_every_disagreement_is_a_reviewed_recording_error(replay_report: RunReport) -> None:
    unexplained = [(d.file, d.command, d.recorded, d.ours) for d in replay_report.unexplained]
    assert not unexplained
    assert not replay_report.stale_reviews  # every reviewed entry still disagrees
    assert not replay_report.unreadable


def test_agreement_and_coverage(replay_report: RunReport) -> None:
    folders = {f.folder: f for f in replay_report.folders}
    assert set(folders) == {"calculator", "equation_solver", "mix"}
    assert folders["calculator"].calls["Calculate"] >= 180
    assert folders["equation_solver"].calls["Solve"] >= 90
    assert folders["mix"].calls["Calculate"] >= 130
    assert replay_report.agreement >= 0.99
    assert sum(f.reviewed for f in folders.values()) == len(load_reviewed())


def test_cli_reports_an_unreviewed_disagreement(sft_dir: Path, tmp_path: Path) -> None:
    source = sft_dir / "calculator" / "calculator_plugin_conversation_8.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    tampered = data["chat"]["turn_1"]["Tool Responses"].replace("'512'", "'513'")
    assert tampered != data["chat"]["turn_1"]["Tool Responses"]
    data["chat"]["turn_1"]["Tool Responses"] = tampered
    folder = tmp_path / "calculator"
    folder.mkdir()
    (folder / source.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "agent", "replay", str(tmp_path), "--run"],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert 'DISAGREES calculator/calculator_plugin_conversation_8.json: Calculate("8*8*8")' in out.stdout
    assert "recorded: '513'" in out.stdout and "ours:     512" in out.stdout
