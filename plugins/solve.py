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

from plugins._matherrors import MathError


def _core() -> ModuleType:
    from plugins import _solvecore  # imports sympy (slow): only when solving

    return _solvecore


def solve_result(equations: str, variable: str | None = None) -> ToolResult:
    """Solve and wrap the answer: one line per variable, or a block `No result.` failure."""
    try:
        return ToolResult.lines(_core().solve_lines(equations, variable))
    except MathError as exc:
        kind = ErrorKind.NO_RESULT if exc.kind == "no_result" else ErrorKind.REFUSED
        return ToolResult.failure(kind, str(exc), block=True)


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
