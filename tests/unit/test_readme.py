"""The README's Python keeps working: every name it shows imports from where it shows it, and
its embedding example runs (with the scripted backend standing in for the model)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import agent.agent
from agent.backends.scripted import ScriptedBackend

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
# Names the README's prose shows bare, and the package it means them from.
PROSE_NAMES = {"Agent": "agent", "Session": "agent", "TurnLimits": "agent", "Tool": "tools",
               "SandboxPool": "tools", "McpToolset": "tools.mcp"}


def imports_shown() -> list[tuple[str, str]]:
    """(module, name) for every `from module import name` in the README's code blocks."""
    shown = []
    for block in PYTHON_BLOCKS:
        for line in block.splitlines():
            match = re.match(r"\s*from ([\w.]+) import (.+)", line)
            if match:
                shown += [(match[1], name.strip()) for name in match[2].split(",")]
    return shown


def dotted_names_shown() -> list[str]:
    """Every `agent.x.y` / `tools.x` / `plugins.x` the README writes in backticks."""
    names = re.findall(r"`((?:agent|tools|plugins)(?:\.\w+)+)(?:\(.*?\))?`", README)
    return sorted(set(names))


def resolve(dotted: str) -> object:
    """Import the longest module prefix of `dotted`, then walk attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            value = getattr(value, attribute)
        return value
    raise ModuleNotFoundError(dotted)


def test_the_readme_shows_code_and_names() -> None:
    assert len(PYTHON_BLOCKS) >= 4 and len(imports_shown()) >= 4
    assert {"agent.store.Store", "tools.testing", "tools.sandbox.confine"} <= set(dotted_names_shown())
    for name in PROSE_NAMES:
        assert f"`{name}" in README, f"the README no longer shows {name}; update PROSE_NAMES"


@pytest.mark.parametrize(("module", "name"), imports_shown())
def test_every_import_the_readme_shows_works(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is not None


@pytest.mark.parametrize("dotted", dotted_names_shown())
def test_every_dotted_name_the_readme_shows_resolves(dotted: str) -> None:
    assert resolve(dotted) is not None


@pytest.mark.parametrize(("name", "module"), sorted(PROSE_NAMES.items()))
def test_every_class_the_prose_names_is_public_where_it_lives(name: str, module: str) -> None:
    package = importlib.import_module(module)
    assert name in package.__all__ and getattr(package, name) is not None


def turn(thoughts: str, call: str | None, reply: str) -> list[str]:
    return [f" {thoughts}<eot>", f" {call or 'None'}<eoc>", f" {reply}<eom>"]


def test_the_embedding_example_runs_as_written(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    block = next(b for b in PYTHON_BLOCKS if "with Agent() as agent:" in b)
    script = (turn("A product: the calculator.", 'Calculate("347*29")', "347 multiplied by 29 is 10063.")
              + turn("An equation: the solver.", 'Solve("x^2 = 49")', "x is -7 or 7.")
              + turn("A square.", 'Calculate("12^2")', "12 squared is 144.")
              + turn("Add 10.", 'Calculate("144+10")', "That plus 10 is 154."))
    sessions = []

    class ScriptedAgent(agent.agent.Agent):
        """`Agent()` as the README writes it, with the script for a model."""

        def __init__(self) -> None:
            super().__init__(ScriptedBackend(script), tools=["Calculate", "Solve"])

        def session(self, *args: object, **kwargs: object) -> agent.agent.Session:
            made = super().session(*args, **kwargs)  # type: ignore[arg-type]
            sessions.append(made)
            return made

    monkeypatch.setattr(agent.agent, "Agent", ScriptedAgent)
    exec(compile(ast.parse(block), "README.md", "exec"), {"__name__": "readme"})  # noqa: S102
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("347 multiplied by 29 is 10063. [Call(tool='Calculate'")
    assert {"tool_result", "turn_done"} <= set(printed[1:])
    assert [t.reply for t in sessions[0].turns] == ["12 squared is 144.", "That plus 10 is 154."]
    assert [r.items for t in sessions[0].turns for r in t.results] == [("144",), ("154",)]


def test_every_repository_path_the_readme_names_exists() -> None:
    """Paths rot when files move (the tests were regrouped by kind once): each one named in
    backticks must still be there."""
    root = Path(__file__).resolve().parents[2]
    named = set(re.findall(r"`((?:tests|bench|demos)/[\w./-]+)`", README))
    assert {"tests/unit/test_layout.py", "tests/data/hostile_math.json"} <= named
    assert not sorted(p for p in named if not (root / p).exists())
