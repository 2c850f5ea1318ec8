"""The Solve plugin: `Solve("x+y=30;x-y=8") =>` then `x = 19` and `y = 11`, as MOSS-003 wrote it.

The dialect, the output form and the limits are described in `plugins._solvecore`. This module
is only the tool: it imports sympy lazily (in `setup`, once per sandbox worker, so discovering
the plugin costs nothing and the first call is not slowed by a second of imports) and turns
the core's errors into MOSS's block failure (`=>` then `No result.` on its own line).
"""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from tools import ErrorKind, Tool, ToolResult

from plugins._mathdialect import normalize
from plugins._matherrors import MathError
from plugins.calculate import calculate_text


def _core() -> ModuleType:
    from plugins import _solvecore  # imports sympy (slow): only when solving

    return _solvecore


def solve_result(equations: str, variable: str | None = None) -> ToolResult:
    """Solve and wrap the answer: one line per variable, or a block `No result.` failure.

    Plain arithmetic with no unknowns (`Solve("2^16")`) gets its value, as Calculate would
    give it: a small model that just used Solve tends to reach for it again for the next
    question, and an equation solver asked about a constant can simply say what it is.
    """
    if variable is None:
        value = _constant_value(equations)
        if value is not None:
            return ToolResult.value(value)
    try:
        return ToolResult.lines(_core().solve_lines(equations, variable))
    except MathError as exc:
        kind = ErrorKind.NO_RESULT if exc.kind == "no_result" else ErrorKind.REFUSED
        return ToolResult.failure(kind, str(exc), block=True)


def _constant_value(text: str) -> str | None:
    """The value of `text` when it is arithmetic without an equation or unknowns, else None."""
    try:
        return None if "=" in normalize(text) else calculate_text(text)
    except MathError:
        return None


class SolveTool(Tool):
    """Solve an equation or a `;`-separated system, e.g. Solve("x+y=30;x-y=8");
    an optional second argument names the variable: Solve("2x+3x=30", "x")."""

    name: ClassVar[str] = "Solve"
    capability: ClassVar[str] = "Equation solver"
    signature: ClassVar[str] = "Solve(equation)"

    def setup(self) -> None:
        _core()

    def run(self, equation: str, variable: str | None = None) -> ToolResult:
        return solve_result(equation, variable)


Solve = SolveTool()
