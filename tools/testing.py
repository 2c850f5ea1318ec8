"""Testing helpers for plugin authors: run command text through the real sandbox.

In a plugin's `conftest.py`:

    pytest_plugins = ["tools.testing"]

then in a test:

    def test_weekday(moss_sandbox):
        run = moss_sandbox.run('Weekday("2024-02-29")')
        assert run.text == 'Weekday("2024-02-29") => Thursday'

`moss_sandbox` runs the text exactly as the runtime will: the project's tolerant parser reads
it, each call runs in a confined sandbox worker (not in the test process), and `text` is the
Results entries as the model sees them. By default the tools are every installed plugin
(`Registry.discover()`); override the session-scoped `moss_tools` fixture to choose them.

The parser and the Results renderer are `tools.wire`'s, the same the runtime uses, so a
plugin's tests need nothing of `agent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pytest

from tools.registry import Registry
from tools.result import ToolResult
from tools.sandbox import Limits, SandboxPool
from tools.tool import Tool
from tools.wire import Call, ParseWarning, parse_commands, results_text

ToolSource = Registry | Iterable[Tool | type[Tool]] | None


@dataclass(frozen=True)
class CommandRun:
    """One Commands segment's outcome, as the runtime would feed it back to the model."""

    command: str
    calls: list[Call]
    results: list[ToolResult]
    text: str  # the Results entries without the segment markers
    warnings: list[ParseWarning] = field(default_factory=list)  # what the parser repaired

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def result(self) -> ToolResult:
        """The only call's result (raises if the text held several calls or none)."""
        if len(self.results) != 1:
            raise ValueError(f"{len(self.results)} calls in {self.command!r}, not one")
        return self.results[0]


def run_in_pool(pool: SandboxPool, command: str) -> CommandRun:
    """Parse `command` (a Commands segment's content) and run its calls in `pool`."""
    parsed = parse_commands(command)
    calls = list(parsed.calls)
    results = pool.run_many([(c.tool, c.args) for c in calls])
    return CommandRun(
        command=command,
        calls=calls,
        results=results,
        text=results_text(list(zip(calls, results))),
        warnings=list(parsed.warnings),
    )


def as_registry(tools: ToolSource) -> Registry:
    if tools is None:
        return Registry.discover()
    if isinstance(tools, Registry):
        return tools
    return Registry(tools=tools)


def run_command(command: str, *, tools: ToolSource = None, limits: Limits | None = None) -> CommandRun:
    """Run one command text through a fresh sandbox pool, as the runtime will.

    Starting a pool costs a fraction of a second; for many calls use the `moss_sandbox`
    fixture, which keeps one pool for the whole test session.
    """
    with SandboxPool(as_registry(tools), workers=1, limits=limits or Limits()) as pool:
        return run_in_pool(pool, command)


class SandboxRunner:
    """What the `moss_sandbox` fixture gives a test: a warm pool and two ways to call it."""

    def __init__(self, pool: SandboxPool) -> None:
        self.pool = pool

    def run(self, command: str) -> CommandRun:
        """Parse and run a Commands segment's content, e.g. `Weekday("2024-02-29")`."""
        return run_in_pool(self.pool, command)

    def call(self, tool: str, *args: str) -> ToolResult:
        """Run one call by name and arguments, skipping the parser."""
        return self.pool.run(tool, args)


@pytest.fixture(scope="session")
def moss_tools() -> ToolSource:
    """The tools `moss_sandbox` serves: None means every installed plugin. Override it."""
    return None


@pytest.fixture(scope="session")
def moss_limits() -> Limits:
    """The limits `moss_sandbox` runs calls under. Override it to test your tool's bounds."""
    return Limits()


@pytest.fixture(scope="session")
def moss_sandbox(moss_tools: ToolSource, moss_limits: Limits) -> Iterator[SandboxRunner]:
    """A warm sandbox pool for the test session, running calls as the runtime does."""
    with SandboxPool(as_registry(moss_tools), workers=2, limits=moss_limits) as pool:
        yield SandboxRunner(pool)
