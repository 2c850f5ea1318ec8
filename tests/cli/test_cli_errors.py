"""A sandbox that cannot start is one line saying what to do, on every CLI path.

Two real ways to break it: pinning `MOSS_SANDBOX_FILESYSTEM=none` without allowing it (the pool
refuses to start), and a zygote that dies before it answers (its bootstrap replaced by one that
exits). Before the single error root, `SandboxError` was not a `MossAgentError`, so `ask`,
`chat` and the REPL, which catch only that, printed a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from agent import Agent
from agent.backends.scripted import ScriptedBackend
from agent.cli import main
from agent.repl import Repl
from tools.sandbox import launch

REPO = Path(__file__).resolve().parents[2]
REFUSED = "pass --unsafe-no-fs-isolation to moss-agent"
# Nothing listens on port 9 (discard): the model is never reached, the sandbox fails first.
HTTP_MODEL = ["--backend", "http", "--base-url", "http://127.0.0.1:9/v1", "--model", "none"]


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("script") / "outputs.json"
    path.write_text(json.dumps([" x<eot>", ' Calculate("1+1")<eoc>', " 2<eom>"]), encoding="utf-8")
    return path


def run_refused(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MOSS_SANDBOX_FILESYSTEM="none", MOSS_AGENT_DATA=str(tmp_path))
    env.pop("MOSS_SANDBOX_UNSAFE_NO_FS_ISOLATION", None)
    return subprocess.run([sys.executable, "-m", "agent", *args], input="hi\n", capture_output=True,
                          text=True, timeout=120, env=env, cwd=REPO)


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lower().startswith("error")]


@pytest.mark.parametrize("command", [
    ["ask", *HTTP_MODEL, "What is 1+1?"],
    ["call", 'Calculate("1+1")'],
    ["mcp"],
    ["serve", "--port", "0", "--script", "SCRIPT"],
    ["chat", "--no-log", "--script", "SCRIPT"],
], ids=["ask", "call", "mcp", "serve", "chat"])
def test_a_refused_sandbox_is_one_line_saying_what_to_do(tmp_path: Path, script: Path,
                                                          command: list[str]) -> None:
    done = run_refused(tmp_path, *[str(script) if a == "SCRIPT" else a for a in command])
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = error_lines(done.stderr + "\n" + done.stdout)
    assert len(lines) == 1 and REFUSED in lines[0], done.stderr + done.stdout


@pytest.fixture
def dead_zygote(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pool started in this process gets a zygote that exits before it says hello."""
    monkeypatch.setattr(launch, "BOOTSTRAP", "import os; os._exit(3)")


@pytest.mark.parametrize("command", [
    ["ask", *HTTP_MODEL, "What is 1+1?"],
    ["call", 'Calculate("1+1")'],
], ids=["ask", "call"])
def test_a_zygote_that_dies_at_start_is_one_line_naming_what_to_try(
    dead_zygote: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("MOSS_AGENT_DATA", str(tmp_path))
    done = CliRunner().invoke(main, command)
    assert done.exit_code == 1
    assert not isinstance(done.exception, Exception) or isinstance(done.exception, SystemExit)
    lines = error_lines(done.output)
    assert len(lines) == 1, done.output
    assert "the sandbox could not start" in lines[0] and "moss-agent tools list" in lines[0]


def test_the_repl_reports_a_turn_whose_sandbox_fails_and_keeps_going(dead_zygote: None) -> None:
    console = Console(record=True, width=300, force_terminal=False)
    backend = ScriptedBackend([" x<eot>", ' Calculate("1+1")<eoc>', " 2<eom>"] * 2)
    with Agent(backend, ["Calculate"]) as agent:
        repl = Repl(agent, reader=None, console=console)  # type: ignore[arg-type]
        repl.answer("What is 1+1?")
        repl.answer("And again?")
    lines = error_lines(console.export_text())
    assert len(lines) == 2 and all("the sandbox could not start" in line for line in lines), lines
