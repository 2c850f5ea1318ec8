"""The Solve plugin: `Solve("x+y=30;x-y=8") =>` then `x = 19` and `y = 11`, as MOSS-003 wrote it.

The dialect, the output form and the limits are described in `plugins._solvecore`; how the
arguments are read (a system in one argument or as several, `Solve("x+y=10", "x-y=2")`, the
variables wanted, definitions) in `plugins._solveinput`. This module is only the tool: it
imports sympy lazily (in `setup`, once per sandbox worker, so discovering the plugin costs
nothing and the first call is not slowed by a second of imports) and turns the core's errors
into MOSS's block failure (`=>` then `No result.` on its own line, the reason beside it).
"""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from plugins._mathdialect import normalize
from plugins._solve_examples import SOLVE_EXAMPLES
from plugins.calculate import calculate_text
from plugins.errors import MathError
from tools import ErrorKind, Tool, ToolResult
from tools.examples import ToolExample


def _core() -> ModuleType:
    from plugins import _solvecore  # imports sympy (slow): only when solving

    return _solvecore


def solve_result(equations: str, *more: str | None) -> ToolResult:
    """Solve and wrap the answer: one line per variable, or a block `No result.` failure.

    Plain arithmetic with no unknowns (`Solve("2^16")`) gets its value, as Calculate would
    give it: a small model that just used Solve tends to reach for it again for the next
    question, and an equation solver asked about a constant can simply say what it is.
    """
    rest = tuple(arg for arg in more if arg is not None)
    if not rest:
        value = _constant_value(equations)
        if value is not None:
            return ToolResult.value(value)
    try:
        return ToolResult.lines(_core().solve_lines(equations, *rest))
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
    """Solve an equation or a system, e.g. Solve("x+y=30;x-y=8") or Solve("x+y=10", "x-y=2");
    an argument without '=' names the variable wanted: Solve("2x+3x=30", "x")."""

    name: ClassVar[str] = "Solve"
    capability: ClassVar[str] = "Equation solver"
    signature: ClassVar[str] = "Solve(equation)"
    examples: ClassVar[tuple[ToolExample, ...]] = SOLVE_EXAMPLES

    def setup(self) -> None:
        _core()

    def run(  # noqa: PLR0913 - the model passes up to ten equations as separate arguments
        self,
        equation: str,
        arg2: str | None = None,
        arg3: str | None = None,
        arg4: str | None = None,
        arg5: str | None = None,
        arg6: str | None = None,
        arg7: str | None = None,
        arg8: str | None = None,
        arg9: str | None = None,
        arg10: str | None = None,
    ) -> ToolResult:
        return solve_result(equation, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10)


Solve = SolveTool()
