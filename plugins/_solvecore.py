"""Solve equations and systems written the way MOSS-003 models write them, with sympy.

The text is normalized and parsed by our own parser (`_mathparse`, implicit multiplication on)
and the tree is turned into sympy objects node by node: sympy's `sympify`/`parse_expr` (which
call `eval`) never see model text. Decimal literals become exact rationals, so `0.45(10y+x)`
is solved exactly and printed back in decimal form.

Reading the input, as the recorded samples use it: parts are separated by `;` or `,`; a part
with `=` is an equation; a part that is a bare name (`4x=72;x`, `"2t+6t+t=1, t"`) names the
variable wanted, like the optional second argument; any other bare expression (`6x^2=2400;x^3`)
is a note to self and is ignored. Unknowns are the names in the equations (`pi` is the
constant; `e` is a variable, as in `a+b+c+d+e=45`). A solution that still contains unknowns is
no solution (`x+y=25` -> `No result.`) unless the variable was named; then the other names are
parameters.

Output, one line per variable as MOSS wrote it: `x = 19`; several roots `x_0 = -6` / `x_1 = 4`
(several solutions of a system: `x_0`, `y_0`, `x_1`, `y_1`); integers without `.0`, exact
rationals as `160/3`, surds as sympy prints them (`-sqrt(15)`), and 15 significant digits for
anything from decimal input or transcendental (`x = -3.8`, `r_0 = 4.21716332650874`).

Limits are checked before sympy starts: unknowns, equations, polynomial degree and numeric
powers; solving itself runs under a time budget (`SOLVE_SECONDS`), interrupted by SIGALRM when
called on a main thread (the sandbox worker's), with the sandbox's own limits behind it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sympy

from plugins._calceval import evaluate as evaluate_number
from plugins._calceval import short
from plugins._mathdialect import check_length, normalize
from plugins._matherrors import MathError, NoSolution, TooLarge
from plugins._mathparse import (
    Call,
    Chain,
    Name,
    Neg,
    Node,
    Num,
    Part,
    Pow,
    Postfix,
    children,
    has_names,
    parse_program,
)

MAX_UNKNOWNS = 10
MAX_EQUATIONS = 10
MAX_DEGREE = 32
MAX_EXPONENT = 1000
SOLVE_SECONDS = 1.2
"""Time budget for sympy inside the worker; hostile input is refused long before this."""

_FUNCTIONS = {
    "sqrt": sympy.sqrt,
    "cbrt": sympy.cbrt,
    "ln": sympy.log,
    "log": sympy.log,
    "log10": lambda x: sympy.log(x, 10),
    "log2": lambda x: sympy.log(x, 2),
    "exp": sympy.exp,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "abs": sympy.Abs,
    "floor": sympy.floor,
    "ceil": sympy.ceiling,
    "pow": sympy.Pow,
}


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so sympy's `except Exception` cannot swallow it."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (main thread only; elsewhere the sandbox's wall
    limit is the only bound)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def _alarm(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _OutOfTime:
        raise TooLarge(
            f"solving took longer than {seconds:g} s; simplify the equations or split them"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class _Build:
    """Turns parsed nodes into sympy, remembering whether any number was a decimal."""

    inexact: bool = False

    def expr(self, node: Node) -> sympy.Expr:
        if isinstance(node, Num):
            if isinstance(node.value, float):
                self.inexact = True
                return sympy.Rational(node.text)
            return sympy.Integer(node.value)
        if isinstance(node, Name):
            return sympy.pi if node.id == "pi" else sympy.Symbol(node.id)
        if isinstance(node, Neg):
            return -self.expr(node.operand)
        if isinstance(node, Chain):
            value = self.expr(node.first)
            for op, operand in node.rest:
                value = self._binary(op, value, self.expr(operand))
            return value
        if isinstance(node, Pow):
            self._check_power(node)
            return sympy.Pow(self.expr(node.base), self.expr(node.exponent))
        if isinstance(node, Postfix):
            if node.op == "%":
                return self.expr(node.operand) / 100
            raise MathError("factorial (!) is not supported in Solve; use Calculate")
        if isinstance(node, Call):
            if node.func not in _FUNCTIONS:
                raise MathError(f"{node.func}() is not supported in Solve")
            if node.func == "pow":
                return self.expr(Pow(node.args[0], node.args[1]))
            args = [self.expr(arg) for arg in node.args]
            if node.func == "log" and len(args) == 2:
                return sympy.log(args[0], args[1])
            return _FUNCTIONS[node.func](*args)
        raise MathError(f"cannot read {node!r}")  # pragma: no cover

    @staticmethod
    def _binary(op: str, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                raise MathError("division by zero")
            return a / b
        raise MathError(f"the operator {op!r} is not supported in Solve")

    @staticmethod
    def _check_power(node: Pow) -> None:
        """Refuse huge numeric powers before sympy expands them exactly."""
        if has_names(node.exponent):
            return
        exponent = evaluate_number(node.exponent, {})
        if abs(exponent) > MAX_EXPONENT:
            raise TooLarge(f"the exponent {short(exponent)} is too large; the limit is {MAX_EXPONENT}")
        if not has_names(node.base):
            evaluate_number(node, {})  # prices the number (raises TooLarge) before sympy


def _degree(node: Node) -> float:
    """An upper bound of the polynomial degree of `node` in its names, iteratively bounded by
    the parser's depth limit."""
    if isinstance(node, Num):
        return 0
    if isinstance(node, Name):
        return 0 if node.id == "pi" else 1
    if isinstance(node, Chain):
        degrees = [_degree(node.first)] + [_degree(operand) for _, operand in node.rest]
        if any(op in ("*", "/") for op, _ in node.rest):
            return sum(degrees)
        return max(degrees)
    if isinstance(node, Pow):
        base = _degree(node.base)
        if base == 0:
            return 0 if not has_names(node.exponent) else 1
        if has_names(node.exponent):
            return base
        try:
            return base * abs(float(evaluate_number(node.exponent, {})))
        except (MathError, OverflowError):
            return float("inf")
    return max((_degree(child) for child in children(node)), default=0)


def _split(parts: list[Part]) -> tuple[list[Part], list[str]]:
    equations = [part for part in parts if part.rhs is not None]
    targets = [part.lhs.id for part in parts if part.rhs is None and isinstance(part.lhs, Name)]
    return equations, targets


def _parse_variables(variable: str) -> list[str]:
    check_length(variable)
    names = [name for name in variable.replace(",", " ").replace(";", " ").split() if name]
    for name in names:
        if not name.isidentifier() or "__" in name or not name.isascii():
            raise MathError(f"{name!r} is not a variable name")
    return names


def _strip_braces(text: str) -> str:
    stripped = text.strip()
    if len(stripped) >= 2 and (stripped[0], stripped[-1]) in (("{", "}"), ("[", "]")):
        return stripped[1:-1]
    return stripped


def solve_lines(equations: str, variable: str | None = None) -> list[str]:
    """Solve MOSS-dialect `equations` and return MOSS's result lines; raise `MathError`
    (`NoSolution` when the input was understood but has no solution to report)."""
    text = _strip_braces(normalize(equations))
    parts = parse_program(text, implicit=True, comma_separates=True)
    eq_parts, targets = _split(parts)
    if variable:
        targets = _parse_variables(variable)
    if not eq_parts:
        raise NoSolution("not an equation: Solve needs at least one '=' (e.g. 2x+3=7)")
    if len(eq_parts) > MAX_EQUATIONS:
        raise TooLarge(f"{len(eq_parts)} equations; the limit is {MAX_EQUATIONS}")
    for part in eq_parts:
        degree = max(_degree(part.lhs), _degree(part.rhs))  # type: ignore[arg-type]
        if degree > MAX_DEGREE:
            raise TooLarge(f"polynomial degree about {degree:g}; the limit is {MAX_DEGREE}")
    with time_budget(SOLVE_SECONDS):
        return _solve(eq_parts, targets)


def _solve(eq_parts: list[Part], targets: list[str]) -> list[str]:
    build = _Build()
    exprs = []
    for part in eq_parts:
        difference = build.expr(part.lhs) - build.expr(part.rhs)  # type: ignore[arg-type]
        if difference == 0:
            continue  # an identity such as x = x says nothing
        if not difference.free_symbols:
            raise NoSolution("the equations contradict each other (no solution)")
        exprs.append(difference)
    if not exprs:
        raise NoSolution("the equations hold for every value (nothing to solve)")
    unknowns = sorted(set().union(*(e.free_symbols for e in exprs)), key=str)
    if len(unknowns) > MAX_UNKNOWNS:
        raise TooLarge(f"{len(unknowns)} unknowns; the limit is {MAX_UNKNOWNS}")
    wanted = [sympy.Symbol(name) for name in targets]
    missing = [str(s) for s in wanted if s not in unknowns]
    if missing:
        raise NoSolution(f"{', '.join(missing)} does not appear in the equations")
    # Fewer equations than unknowns leave a family of solutions (each equation removes at most
    # one dimension): say so at once instead of letting sympy build the family.
    determined = len(exprs) >= len(unknowns)
    solutions = _complete(_run_solve(exprs, unknowns), unknowns) if determined else []
    if solutions:
        shown = wanted or unknowns
        solutions = _unique([{s: sol[s] for s in shown} for sol in solutions])
    elif wanted and len(wanted) == len(exprs):
        solutions = [sol for sol in _run_solve(exprs, wanted) if set(wanted) <= set(sol)]
    else:
        raise NoSolution(_why_none(exprs, unknowns))
    if not solutions:
        raise NoSolution("no solution")
    return _render(solutions, build.inexact)


def _run_solve(exprs: list[sympy.Expr], unknowns: list[sympy.Symbol]) -> list[dict]:
    # One equation in one unknown goes through sympy's scalar path: its system path answers
    # [] for polynomials it cannot factor (degree 31), which would read as "no solution".
    equations = exprs[0] if len(exprs) == 1 else exprs
    symbols = unknowns[0] if len(unknowns) == 1 else unknowns
    try:
        if len(exprs) == 1 and len(unknowns) == 1:
            found = _polynomial_roots(exprs[0], unknowns[0])
            if found is not None:
                return found
        return sympy.solve(equations, symbols, dict=True)
    except (NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        raise NoSolution("sympy cannot solve this kind of equation") from None


def _polynomial_roots(expr: sympy.Expr, symbol: sympy.Symbol) -> list[dict] | None:
    """Roots of a univariate polynomial of degree 5 and up, exact where sympy finds them and
    numeric (15 digits) otherwise: `solve` spends seconds building CRootOf objects there.
    Returns None for anything else, which goes through `sympy.solve`."""
    numerator, denominator = sympy.fraction(sympy.together(expr))
    if not numerator.is_polynomial(symbol) or not denominator.is_polynomial(symbol):
        return None
    poly = sympy.Poly(numerator, symbol)
    if poly.degree() < 5 or not poly.free_symbols_in_domain == set():
        return None
    exact = sympy.roots(poly)
    if sum(exact.values()) == poly.degree():
        found = list(exact)
    else:
        try:
            found = poly.sqf_part().nroots(n=15, maxsteps=200)
        except sympy.polys.polyerrors.PolynomialError:
            return None
        except Exception as exc:  # mpmath's NoConvergence
            raise NoSolution(f"the roots could not be found numerically ({exc})") from None
    return [{symbol: root} for root in found if denominator.subs(symbol, root) != 0]


def _complete(solutions: list[dict], unknowns: list[sympy.Symbol]) -> list[dict]:
    """Solutions that fix every unknown to a number (no free parameters)."""
    return [
        sol
        for sol in solutions
        if all(s in sol and not sol[s].free_symbols for s in unknowns)
    ]


def _unique(solutions: list[dict]) -> list[dict]:
    seen: list[dict] = []
    for sol in solutions:
        if sol not in seen:
            seen.append(sol)
    return seen


def _why_none(exprs: list[sympy.Expr], unknowns: list[sympy.Symbol]) -> str:
    names = ", ".join(map(str, unknowns))
    if len(exprs) < len(unknowns):
        return (
            f"underdetermined: {len(exprs)} equation(s) in {len(unknowns)} unknowns ({names}); "
            "add equations or name the variable to solve for"
        )
    return "no solution"


def _decimal(value: sympy.Expr) -> str:
    text = format(float(value), ".15g")
    return "0" if text == "-0" else text


def render_value(value: sympy.Expr, inexact: bool) -> str:
    """One solution value as MOSS printed it (see the module docstring)."""
    if value.free_symbols:
        return str(value)
    if value.is_Integer:
        return str(int(value))
    if value.is_Rational:
        return _decimal(value) if inexact else str(value)
    exact = str(value)
    simple = not value.atoms(sympy.Function, sympy.NumberSymbol) and not value.has(
        sympy.RootOf
    )
    if not inexact and simple and len(exact) <= 40:
        return exact
    real, imag = (part for part in sympy.N(value, 17).as_real_imag())
    if imag == 0:
        return _decimal(real)
    sign = "-" if imag < 0 else "+"
    if real == 0:
        return f"{'-' if imag < 0 else ''}{_decimal(abs(imag))}*I"
    return f"{_decimal(real)} {sign} {_decimal(abs(imag))}*I"


def _render(solutions: list[dict], inexact: bool) -> list[str]:
    lines = []
    indexed = len(solutions) > 1
    for i, solution in enumerate(solutions):
        for symbol in sorted(solution, key=str):
            name = f"{symbol}_{i}" if indexed else str(symbol)
            lines.append(f"{name} = {render_value(solution[symbol], inexact)}")
    return lines
