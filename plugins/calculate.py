"""The Calculate plugin: `Calculate("2^10") => 1024`, in the dialect MOSS-003 models write.

Accepted (see `_mathdialect` for the text rewriting and `_mathparse` for the grammar): `^` and
`**` as right-associative power (`-3^2` is -9), implicit products (`2x`, `3(4+5)`), `%`
(modulo between operands, percent after one: `6.7%`, `15% of 80`), `mod`, `//`, `!`, the
functions in `_mathparse.FUNCTIONS` (`gcd`, `lcm`, `root(x, n)`, `cbrt`, `round(x, n)` ...),
`factor(n)` alone (a whole number as a product of primes, `13 * 17`, see `_calcfactor`),
`pi` and `e`, binary/hex/octal literals, full-width characters, Chinese units or magnitudes
glued to numbers and English magnitude words after them (`589 million`). A call may define what it uses, `;`-separated, before the expression:
quantities (`y=8-3+2; 5*y`) and functions (`f(x)=2x^2-3; f(7)`, see `_calcdefs`). A call
may instead convert units (`948854.7 nm to km`, `3 days to s`, see `_calcunits`).

What it prints is what a calculator shows (`_mathdisplay`): exact integers in full, floats to
15 significant digits (`0.1+0.2` is `0.3`), a conversion with its unit (`9.488547e-07 km`).
`1/3` is a decimal, `0.333333333333333`: Calculate is a decimal calculator (an integer
division that comes out even stays an integer, `60/6` is `10`); Solve keeps fractions exact.

Refused with a one-line message the model can act on (`No result. <why>` in Results):
equations and comparisons (use Solve), unknown names and functions (with the known ones),
Python syntax (strings, attributes, lambdas, brackets), integers beyond `MAX_INT_DIGITS`
digits, factorials beyond `MAX_FACTORIAL`, float overflow, complex results, definitions that
recurse or expand too far, and input longer or deeper than the parser's limits. Raw text
never reaches `eval`, numexpr or pint's parser.
"""

from __future__ import annotations

import re
from typing import ClassVar

from plugins._calcdefs import (
    Function,
    check_size,
    define,
    definition_head,
    redefines_builtin,
)
from plugins._calceval import CONSTANTS, evaluate
from plugins._calcnum import Number
from plugins._calculate_examples import CALCULATE_EXAMPLES
from plugins._calcfactor import NAME as FACTOR
from plugins._calcfactor import Factored, factor
from plugins._calcunits import Converted, convert, load_registry
from plugins._mathdialect import normalize
from plugins._mathdisplay import format_number
from plugins._mathparse import FUNCTIONS, Call, Name, Part, parse_program
from plugins.errors import MathError, quote
from tools import ErrorKind, Tool, ToolFailure
from tools.examples import ToolExample

MAX_STATEMENTS = 20

_EQUATION = 'this is an equation, not a calculation: use Solve("...") to solve it'


def _define(part: Part, env: dict[str, Number], functions: dict[str, Function]) -> None:
    """Store one `name = value` or `f(x) = body` part, or refuse it."""
    assert part.rhs is not None
    head = definition_head(part.lhs)
    if head is not None:
        name, params = head
        functions[name] = define(name, params, part.rhs, functions, env, set(CONSTANTS))
        return
    refusal = redefines_builtin(part.lhs)
    if refusal is not None:
        raise refusal
    if not isinstance(part.lhs, Name):
        raise MathError(_EQUATION)
    name = part.lhs.id
    if name in CONSTANTS or name in FUNCTIONS:
        raise MathError(f"{name!r} is a built-in constant or function and cannot be assigned")
    check_size(part.rhs, functions)
    env[name] = evaluate(part.rhs, env, functions)


def calculate_value(expression: str) -> Number | Converted | Factored:
    """Evaluate `expression` (MOSS dialect) to an int, a float or a unit conversion's result;
    raise `MathError`."""
    text = normalize(expression)
    try:
        return _evaluate_program(text)
    except MathError as exc:
        if type(exc) is MathError and _words_without_numbers(text):
            raise MathError(_NO_NUMBER.format(quote(text))) from None
        raise


# A small model asked about a company's figures writes them as words
# (`Calculate("Corvell Robotics revenue per robot")`); the parser's complaint about the first
# unknown word ("unknown unit 'Corvell'") does not tell it what it lacks: the numbers.
_NO_NUMBER = (
    "{} holds no number: Calculate needs the numbers themselves; if they are facts "
    "(a price, a count), look them up first"
)


def _words_without_numbers(text: str) -> bool:
    """No digit, and a word that is not a function or constant (`x+y` is algebra, not this)."""
    if any(c.isdigit() for c in text):
        return False
    return any(w.lower() not in FUNCTIONS and w.lower() not in CONSTANTS for w in _WORD.findall(text))


_WORD = re.compile(r"(?<!\w)[^\W\d_]{3,}(?![\w(])")


def _evaluate_program(text: str) -> Number | Converted | Factored:
    parts = parse_program(text, implicit=True, conversions=True)
    if len(parts) > MAX_STATEMENTS:
        raise MathError(f"{len(parts)} statements; the limit is {MAX_STATEMENTS}")
    env: dict[str, Number] = dict(CONSTANTS)
    functions: dict[str, Function] = {}
    *definitions, last = parts
    for part in definitions:
        if part.target is not None:
            raise MathError("a unit conversion must come last: define first, e.g. d=5; d km to m")
        if part.rhs is None:
            raise MathError(
                "only the last ';'-separated part may be a bare expression; "
                "the others must be definitions like r=3 or f(x)=x^2"
            )
        _define(part, env, functions)
    if last.target is not None:
        return convert(last.lhs, last.target, env, functions)
    if last.rhs is not None:
        head = definition_head(last.lhs)
        if isinstance(last.lhs, Name) or head is not None:
            shown = last.lhs.id if isinstance(last.lhs, Name) else f"{head[0] if head else ''}(2)"
            raise MathError(
                f"the input ends with a definition; end it with the expression to compute "
                f"(...; {shown})"
            )
        raise MathError(_EQUATION)
    check_size(last.lhs, functions)
    if isinstance(last.lhs, Call) and last.lhs.func == FACTOR and last.lhs.func not in functions:
        return factor(evaluate(last.lhs.args[0], env, functions))
    return evaluate(last.lhs, env, functions)


def calculate_text(expression: str) -> str:
    """The result as a calculator shows it (`1024`, `0.3`, `9.488547e-07 km`); raise
    `MathError`."""
    value = calculate_value(expression)
    if isinstance(value, Converted):
        return f"{format_number(value.value)} {value.unit}"
    if isinstance(value, Factored):
        return value.text
    return format_number(value)


class CalculateTool(Tool):
    """The calculator as a tool: loads the unit registry in `setup`, refuses with the reason."""

    name: ClassVar[str] = "Calculate"
    capability: ClassVar[str] = "Calculator"
    signature: ClassVar[str] = "Calculate(expression)"
    examples: ClassVar[tuple[ToolExample, ...]] = CALCULATE_EXAMPLES
    description: ClassVar[str] = (
        "Evaluate an arithmetic expression, e.g. Calculate(\"r=3;pi*r^2\"), "
        "Calculate(\"gcd(84, 36)\"), Calculate(\"f(x)=2x^2-3; f(7)\") or "
        "Calculate(\"948854.7 nm to km\")."
    )

    def setup(self) -> None:
        load_registry()  # pint's unit registry, once per worker instead of in the first call

    def run(self, expression: str) -> str:
        try:
            return calculate_text(expression)
        except MathError as exc:
            kind = ErrorKind.NO_RESULT if exc.kind == "no_result" else ErrorKind.REFUSED
            raise ToolFailure(str(exc), kind) from None


Calculate = CalculateTool()
