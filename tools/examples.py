"""Few-shot examples a tool carries, so a model that never saw MOSS is shown how to call it.

A MOSS model knows Calculate, Solve and Search from its training; any other model learns the
format from example turns placed before the first question (`agent.prompt`). A tool declares
its own examples, built-in or third-party alike, and the runtime shows those of the enabled
tools, merged with the plain (tool-less) examples by `order`:

    @tool(name="Weekday", capability="Calendar", signature="Weekday(date)",
          examples=[ToolExample.one_call(
              "What day of the week was 1 March 2000?", "This is a date question, so I use the calendar.",
              'Weekday("2000-03-01")', ToolResult.value("Wednesday"),
              "1 March 2000 was a Wednesday.")])

Where an example sits matters to a small model (the last ones weigh most): the built-ins use
`order` 0-29 (one per position of the measured sequence); a third-party example defaults to 50,
after them. An example shows only when every tool in `needs` (besides its own) is enabled and
none in `unless`. `style` ties it to one few-shot set (`short` thoughts, the default, or `plan`).

An example marked `retrieved=True` is not in that fixed sequence: it waits in a pool, and when
`TurnPolicy.nearest_examples` is on, the few pool examples whose questions most resemble the
user's are shown right before it (`agent.nearest`). A small model copies the structure of the
example nearest its question far better than one it read two thousand tokens earlier, and a
pool can hold many more examples than a prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.errors import ToolDefinitionError
from tools.result import ToolResult
from tools.wire.call import Call
from tools.wire.commands import parse_commands

Style = Literal["short", "plan"]


class ExampleRound(BaseModel):
    """One tool round of an example: thoughts, calls, and what each call answered."""

    model_config = ConfigDict(frozen=True)

    thoughts: str
    calls: tuple[Call, ...] = ()
    results: tuple[ToolResult, ...] = ()


class ToolExample(BaseModel):
    """One few-shot turn: the question, one or more rounds, the reply, and where it goes."""

    model_config = ConfigDict(frozen=True)

    question: str
    rounds: tuple[ExampleRound, ...] = Field(min_length=1)
    reply: str
    order: float = 50.0
    needs: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()
    style: Style = "short"
    #: In the pool of examples shown only before a question they resemble, not in the prefix.
    retrieved: bool = False

    @classmethod
    def one_call(cls, question: str, thoughts: str, call: str, result: ToolResult, reply: str, *,
                 order: float = 50.0, needs: Sequence[str] = (), unless: Sequence[str] = (),
                 style: Style = "short", retrieved: bool = False) -> ToolExample:
        """An example with one call, written as the model writes it: `'Weekday("2000-03-01")'`."""
        return cls(question=question, rounds=(example_round(thoughts, (call, result)),), reply=reply,
                   order=order, needs=frozenset(needs), unless=frozenset(unless), style=style,
                   retrieved=retrieved)

    def tools(self) -> set[str]:
        """Every tool this example calls."""
        return {c.tool for r in self.rounds for c in r.calls}

    def shown(self, enabled: set[str]) -> bool:
        """Whether the example belongs in a prompt where exactly `enabled` tools are on."""
        return (self.tools() | self.needs) <= enabled and not self.unless & enabled


def example_round(thoughts: str, *calls: tuple[str, ToolResult]) -> ExampleRound:
    """A round from calls written as text (`'Solve("x+y=30;x-y=8")'`) and their results.

    Raises ToolDefinitionError when a call does not read back as exactly one call, so a typo in
    an example fails when the plugin is imported, not in front of the model."""
    parsed = []
    for text, _ in calls:
        found = parse_commands(text)
        loose = [w for w in found.warnings if w.kind != "multiple_args"]  # arity is the tool's
        if len(found.calls) != 1 or found.calls[0].text != text or loose:
            raise ToolDefinitionError(f"example call {text!r} must be one call written as Tool(\"arg\", ...)")
        parsed.append(found.calls[0])
    return ExampleRound(thoughts=thoughts, calls=tuple(parsed), results=tuple(r for _, r in calls))
