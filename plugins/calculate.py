"""The Calculate plugin: `Calculate("2^10") => 1024`, in the dialect MOSS-003 models write.

Accepted (see `_mathdialect` for the text rewriting and `_mathparse` for the grammar): `^` and
`**` as right-associative power (`-3^2` is -9), `;`-separated assignments ending in an
expression (`r=3;pi*r^2`), `%` (modulo between operands, percent after one: `6.7%`), `//`,
`!`, the functions in `_mathparse.FUNCTIONS`, `pi` and `e`, binary/hex/octal literals,
full-width characters and Chinese units or magnitudes glued to numbers.

Refused with a clear message (`No result.` on the wire): equations and comparisons (use
Solve), unknown names, Python syntax (strings, attributes, lambdas, brackets), integers beyond
`MAX_INT_DIGITS` digits, factorials beyond `MAX_FACTORIAL`, float overflow, complex results,
and input longer or deeper than the parser's limits. Raw text never reaches `eval` or numexpr.
"""

from __future__ import annotations

from tools import ErrorKind, ToolFailure, tool

from plugins._calceval import CONSTANTS, Number, evaluate, format_number
from plugins._mathdialect import normalize
from plugins._matherrors import MathError
from plugins._mathparse import FUNCTIONS, Name, parse_program

MAX_STATEMENTS = 20


def calculate_value(expression: str) -> Number:
    """Evaluate `expression` (MOSS dialect) to an int or a float; raise `MathError`."""
    parts = parse_program(normalize(expression))
    if len(parts) > MAX_STATEMENTS:
        raise MathError(f"{len(parts)} statements; the limit is {MAX_STATEMENTS}")
    env: dict[str, Number] = dict(CONSTANTS)
    *assignments, last = parts
    for part in assignments:
        if part.rhs is None:
            raise MathError(
                "only the last ';'-separated part may be a bare expression; "
                "the others must be assignments like r=3"
            )
        if not isinstance(part.lhs, Name):
            raise MathError(
                "this is an equation, not a calculation: use Solve(\"...\") to solve it"
            )
        name = part.lhs.id
        if name in CONSTANTS or name in FUNCTIONS:
            raise MathError(f"{name!r} is a built-in constant or function and cannot be assigned")
        env[name] = evaluate(part.rhs, env)
    if last.rhs is not None:
        if isinstance(last.lhs, Name):
            raise MathError(
                f"the input ends with an assignment to {last.lhs.id!r}; end it with the "
                f"expression to compute (...; {last.lhs.id})"
            )
        raise MathError("this is an equation, not a calculation: use Solve(\"...\") to solve it")
    return evaluate(last.lhs, env)


def calculate_text(expression: str) -> str:
    """The result as MOSS prints it (`1024`, `10.0`, `0.3333333333333333`); raise `MathError`."""
    return format_number(calculate_value(expression))


@tool(name="Calculate", capability="Calculator", signature="Calculate(expression)")
def Calculate(expression: str) -> str:  # noqa: N802 - the entry point names the tool object
    """Evaluate an arithmetic expression, e.g. Calculate("r=3;pi*r^2") or Calculate("2^10")."""
    try:
        return calculate_text(expression)
    except MathError as exc:
        kind = ErrorKind.NO_RESULT if exc.kind == "no_result" else ErrorKind.REFUSED
        raise ToolFailure(str(exc), kind) from None
