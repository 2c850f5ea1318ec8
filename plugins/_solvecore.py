"""Solve equations and systems written the way MOSS-003 models write them, with sympy.

The arguments are read by `_solveinput` (equations in one argument or several, the variables
wanted, functions defined in the text) and turned into sympy by `_solvebuild`: sympy's
`sympify`/`parse_expr` (which call `eval`) never see model text. Decimal literals become
exact rationals, so `0.45(10y+x)` is solved exactly and printed back in decimal form.

Unknowns are the names in the equations (`pi` is the constant; `e` is a variable, as in
`a+b+c+d+e=45`). An equation `name = value` whose value is known (numbers, and quantities
known before) is a definition of a known quantity (`y=8-3+2; y*w+5=w`): it is substituted
into the others before sympy solves them, and printed with the solution, as MOSS printed
every variable of the system (`w = -5/6`, `y = 7`). A solution that still contains unknowns
is no solution (`x+y=25` -> `No result.`) unless the variable was named; then the other names
are parameters.

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

import sympy

from plugins._calcdefs import check_size
from plugins._mathdisplay import SOLVER_DIGITS, format_float
from plugins.errors import NoSolution, TooLarge
from plugins._mathparse import Name, Part
from plugins._solvebuild import Build, degree
from plugins._solveinput import Request, read_request

MAX_UNKNOWNS = 10
MAX_EQUATIONS = 10
MAX_DEGREE = 32
SOLVE_SECONDS = 1.2
"""Time budget for sympy inside the worker; hostile input is refused long before this."""

Solution = dict[sympy.Symbol, sympy.Expr]


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so sympy's `except Exception` cannot swallow it."""


RETRY_S = 0.05
"""How soon the time budget's alarm fires again when its first raise was swallowed."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (main thread only; elsewhere the sandbox's wall
    limit is the only bound)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    armed = True

    def _alarm(signum: int, frame: object) -> None:
        if armed:
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, _alarm)
    # The alarm repeats every RETRY_S until the block is left: a raise that lands in an object's
    # finalizer (`__del__` during garbage collection) is swallowed by Python, and the next one
    # still ends the block.
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_S)
    try:
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            armed = False
    except _OutOfTime:
        raise TooLarge(
            f"solving took longer than {seconds:g} s; simplify the equations or split them"
        ) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def solve_lines(equations: str, *more: str) -> list[str]:
    """Solve MOSS-dialect equations and return MOSS's result lines; raise `MathError`
    (`NoSolution` when the input was understood but has no solution to report). `more` are
    further equations or the names of the variables wanted (see `_solveinput`)."""
    request = read_request((equations, *more))
    if not request.equations:
        raise NoSolution("not an equation: Solve needs at least one '=' (e.g. 2x+3=7)")
    degrees: dict[str, float] = {}
    for name, defined in request.functions.items():
        degrees[name] = degree(defined.body, degrees)
    equations_only = [p for p in request.equations if not _maybe_definition(p)]
    if len(equations_only) > MAX_EQUATIONS:
        raise TooLarge(f"{len(equations_only)} equations; the limit is {MAX_EQUATIONS}")
    for part in request.equations:
        assert part.rhs is not None
        for side in (part.lhs, part.rhs):
            check_size(side, request.functions)
            bound = degree(side, degrees)
            if bound > MAX_DEGREE:
                raise TooLarge(f"polynomial degree about {bound:g}; the limit is {MAX_DEGREE}")
    with time_budget(SOLVE_SECONDS):
        return _solve(request)


def _maybe_definition(part: Part) -> bool:
    return isinstance(part.lhs, Name) and part.rhs is not None


def _known_quantities(
    sides: list[tuple[Part, sympy.Expr, sympy.Expr]],
) -> tuple[Solution, list[sympy.Expr]]:
    """Split the equations into definitions of known quantities and the rest (as
    differences), the known values substituted into the rest."""
    known: Solution = {}
    pending = list(sides)
    changed = True
    while changed:
        changed = False
        for item in list(pending):
            part, _, rhs = item
            if not isinstance(part.lhs, Name):
                continue
            symbol = sympy.Symbol(part.lhs.id)
            value = rhs.xreplace(known)
            if symbol not in known and not value.free_symbols:
                known[symbol] = value
                pending.remove(item)
                changed = True
    return known, [(lhs - rhs).xreplace(known) for _, lhs, rhs in pending]


def _solve(request: Request) -> list[str]:
    build = Build(request.functions)
    sides = []
    for part in request.equations:
        assert part.rhs is not None
        sides.append((part, build.expr(part.lhs), build.expr(part.rhs)))
    known, differences = _known_quantities(sides)
    exprs = []
    for difference in differences:
        if difference == 0:
            continue  # an identity such as x = x says nothing
        if not difference.free_symbols:
            raise NoSolution("the equations contradict each other (no solution)")
        exprs.append(difference)
    wanted = [sympy.Symbol(name) for name in request.targets]
    if not exprs:
        if not known:
            raise NoSolution("the equations hold for every value (nothing to solve)")
        return _render(_shown([dict(known)], wanted, known), build.inexact)
    unknowns = sorted(set().union(*(e.free_symbols for e in exprs)), key=str)
    if len(unknowns) > MAX_UNKNOWNS:
        raise TooLarge(f"{len(unknowns)} unknowns; the limit is {MAX_UNKNOWNS}")
    missing = [str(s) for s in wanted if s not in unknowns and s not in known]
    if missing:
        raise NoSolution(f"{', '.join(missing)} does not appear in the equations")
    # Fewer equations than unknowns leave a family of solutions (each equation removes at most
    # one dimension): say so at once instead of letting sympy build the family.
    determined = len(exprs) >= len(unknowns)
    solutions = _complete(_run_solve(exprs, unknowns), unknowns) if determined else []
    asked = [s for s in wanted if s not in known]
    if not solutions and asked and len(asked) == len(exprs):
        solutions = [sol for sol in _run_solve(exprs, asked) if set(asked) <= set(sol)]
    elif not solutions:
        raise NoSolution(_why_none(exprs, unknowns))
    if not solutions:
        raise NoSolution("no solution")
    return _render(_shown(solutions, wanted, known), build.inexact)


def _shown(
    solutions: list[Solution], wanted: list[sympy.Symbol], known: Solution
) -> list[Solution]:
    """Each solution with the known quantities added, cut to the wanted variables if named."""
    full = [{**known, **solution} for solution in solutions]
    if wanted:
        full = [{s: solution[s] for s in wanted if s in solution} for solution in full]
    return _unique(full)


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
    return format_float(float(value), SOLVER_DIGITS)


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
