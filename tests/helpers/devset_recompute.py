"""Recompute the development set's answers without the generator's arithmetic.

The generator builds questions from their answers with Fractions and Decimals; this module
works back from what the question shows (its `params`, or a hand-written question's `check`
formulas) with sympy: equations are parsed and solved, units converted with
`sympy.physics.units`, roots found as polynomial roots. Used by tests/unit/test_devset.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal

import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    rationalize,
    standard_transformations,
)
from sympy.physics import units as u

TRANSFORMS = (*standard_transformations, implicit_multiplication_application, convert_xor, rationalize)  # 0.1 is 1/10
R = sp.Rational


def parse(text: str, names: Mapping[str, object] | None = None) -> sp.Expr:
    return parse_expr(text, local_dict=dict(names or {}), transformations=TRANSFORMS)


def equation(text: str, names: Mapping[str, object] | None = None) -> sp.Eq:
    left, right = text.split("=")
    return sp.Eq(parse(left, names), parse(right, names))


def round_half_up(value: sp.Expr, places: int) -> sp.Rational:
    exact = Decimal(str(sp.N(value, 60)))
    return R(str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)))


def real_roots(text: str, var: str | None = None) -> list[sp.Expr]:
    eq = equation(text)
    expr = eq.lhs - eq.rhs
    symbol = sp.Symbol(var) if var else next(iter(expr.free_symbols))
    return sorted(set(sp.real_roots(sp.Poly(expr, symbol))), key=float)


def solve_system(texts: list[str], names: list[str] | None = None) -> list[sp.Expr]:
    eqs = [equation(t) for t in texts]
    symbols = [sp.Symbol(n) for n in names] if names else sorted(set().union(*(e.free_symbols for e in eqs)), key=str)
    solution = sp.solve(eqs, symbols, dict=True)
    assert len(solution) == 1, f"{texts} has {len(solution)} solutions"
    return [solution[0][s] for s in symbols]


def evaluate_check(check: str) -> list[sp.Expr]:
    """The values a hand-written `check` formula gives (see bench/data/devset_handwritten.jsonl)."""
    if check.startswith("roots:"):
        return real_roots(check.removeprefix("roots:").strip())
    if check.startswith("solve:"):
        return solve_system([t.strip() for t in check.removeprefix("solve:").split(";")])
    rounding = re.fullmatch(r"round\((.*), (\d+)\)", check)
    if rounding:
        return [round_half_up(parse(rounding[1]), int(rounding[2]))]
    return [parse(check)]


# -- the generator's templates, one recomputation each ----------------------------------------------

TIME = {"second": u.second, "minute": u.minute, "hour": u.hour, "day": u.day, "week": 7 * u.day}
UNITS = {
    "nm": u.nanometer, "um": u.micrometer, "mm": u.millimeter, "cm": u.centimeter, "m": u.meter, "km": u.kilometer,
    "mg": u.milligram, "g": u.gram, "kg": u.kilogram, "t": u.tonne, "mL": u.milliliter, "L": u.liter,
    "m3": u.meter**3, "inch": u.inch, "foot": u.foot, "mile": u.mile, "pound": u.pound, "yard": u.yard,
    "gallon": R(3785411784, 10**9) * u.liter,  # the US gallon is defined as 231 cubic inches
}
SPEED = {"km/h": u.kilometer / u.hour, "m/s": u.meter / u.second}


def convert(value: object, source: sp.Expr, target: sp.Expr) -> sp.Expr:
    return sp.nsimplify(u.convert_to(R(str(value)) * source, target) / target)


def v(params: Mapping[str, object], key: str) -> sp.Rational:
    return R(str(params[key]))


def mean(values: list[int]) -> sp.Rational:
    return R(sum(values), len(values))


def _units_speed(p: Mapping[str, object]) -> list[sp.Expr]:
    if "speed" in p:
        return [convert(p["speed"], SPEED[str(p["from"])], SPEED[str(p["to"])])]
    return [sp.nsimplify(u.convert_to(v(p, "distance") * u.kilometer / (v(p, "minutes") * u.minute), SPEED["km/h"]) / SPEED["km/h"])]


def _defined(p: Mapping[str, object]) -> dict[str, sp.Expr]:
    names: dict[str, sp.Expr] = {}
    for text in p.get("definitions") or [p["definition"]]:  # type: ignore[union-attr]
        name, expr = str(text).split("=", 1)
        names[name.strip()] = parse(expr, names)
    return names


def _function(text: str) -> tuple[str, sp.Lambda]:
    head, body = text.split("=", 1)
    name, var = re.fullmatch(r"\s*(\w+)\((\w+)\)\s*", head).groups()  # type: ignore[union-attr]
    return name, sp.Lambda(sp.Symbol(var), parse(body))


def _solve_word(p: Mapping[str, object], equations: str, names: str) -> list[sp.Expr]:
    texts = [e.format(**{k: str(val) for k, val in p.items()}) for e in equations.split(";")]
    return solve_system(texts, names.split())


RECOMPUTE: dict[str, Callable[[Mapping[str, object]], list[sp.Expr]]] = {
    "arith_mul_sub": lambda p: [v(p, "a") * v(p, "b") - v(p, "c")],
    "arith_sum_mul_sub": lambda p: [(v(p, "a") + v(p, "b")) * v(p, "c") - v(p, "d")],
    "arith_change": lambda p: [v(p, "bill") - v(p, "n") * v(p, "price")],
    "arith_div_add": lambda p: [v(p, "a") / v(p, "b") + v(p, "c")],
    "arith_two_items": lambda p: [v(p, "n1") * v(p, "p1") + v(p, "n2") * v(p, "p2")],
    "arith_power_mix": lambda p: [v(p, "a") ** v(p, "k") - v(p, "b") * v(p, "c")],
    "units_time": lambda p: [convert(p["value"], TIME[str(p["from"])], TIME[str(p["to"])])],
    "units_metric": lambda p: [convert(p["value"], UNITS[str(p["from"])], UNITS[str(p["to"])])],
    "units_imperial": lambda p: [convert(p["value"], UNITS[str(p["from"])], UNITS[str(p["to"])])],
    "units_speed": _units_speed,
    "units_years": lambda p: [v(p, "years") / {"millennia": 1000, "centuries": 100, "decades": 10}[str(p["unit"])]],
    "units_box_volume": lambda p: [convert(v(p, "x") * v(p, "y") * v(p, "z"), UNITS[str(p["unit"])] ** 3, u.liter)],
    "rates_proportion": lambda p: [v(p, "p1") / v(p, "n1") * v(p, "n2")],
    "rates_work": lambda p: [1 / (1 / v(p, "a") + 1 / v(p, "b"))],
    "rates_travel": lambda p: [v(p, "distance") / v(p, "speed") * (60 if p["unit"] == "minutes" else 1)],
    "rates_machine": lambda p: [v(p, "count") / v(p, "minutes") * 60 * v(p, "hours")],
    "rates_fuel": lambda p: [v(p, "per100") * v(p, "distance") / 100],
    "rates_wage": lambda p: [v(p, "wage") * v(p, "hours") * v(p, "weeks")],
    "avg_list": lambda p: [mean(p["values"])],  # type: ignore[arg-type]
    "avg_needed": lambda p: [v(p, "target") * (len(p["scores"]) + 1) - sum(p["scores"])],  # type: ignore[arg-type]
    "avg_groups": lambda p: [(v(p, "n1") * v(p, "a1") + v(p, "n2") * v(p, "a2")) / (v(p, "n1") + v(p, "n2"))],
    "pct_of": lambda p: [v(p, "percent") / 100 * v(p, "n")],
    "pct_increase": lambda p: [(v(p, "to") - v(p, "from")) / v(p, "from") * 100],
    "pct_discount_tax": lambda p: [round_half_up(v(p, "price") * (1 - v(p, "discount") / 100) * (1 + v(p, "tax") / 100), 2)],
    "pct_share": lambda p: [v(p, "part") / v(p, "whole") * 100],
    "pct_sale_price": lambda p: [v(p, "price") * v(p, "zhe") / 10 if "zhe" in p else v(p, "price") * (1 - v(p, "discount") / 100)],
    "pct_original": lambda p: [v(p, "sale") / (1 - v(p, "discount") / 100)],
    "round_div": lambda p: [round_half_up(v(p, "a") / v(p, "b"), int(p["places"]))],  # type: ignore[arg-type]
    "round_sqrt": lambda p: [round_half_up(sp.sqrt(v(p, "n")), int(p["places"]))],  # type: ignore[arg-type]
    "round_share": lambda p: [round_half_up(v(p, "total") / v(p, "people"), 2)],
    "round_circle": lambda p: [round_half_up(sp.pi * v(p, "radius") ** 2 if p["area"] else 2 * sp.pi * v(p, "radius"),
                                             int(p["places"]))],  # type: ignore[arg-type]
    "round_mean": lambda p: [round_half_up(mean(p["values"]), 0)],  # type: ignore[arg-type]
    "sys_linear2": lambda p: solve_system(p["equations"], p["vars"]),  # type: ignore[arg-type]
    "sys_linear3": lambda p: solve_system(p["equations"], p["vars"]),  # type: ignore[arg-type]
    "sys_tickets": lambda p: _solve_word(p, "a + c = {tickets}; {adult}*a + {child}*c = {revenue}", "a c"),
    "sys_heads_legs": lambda p: _solve_word(p, "c + r = {heads}; 2*c + 4*r = {legs}", "c r"),
    "sys_ages": lambda p: _solve_word(p, "o + y = {sum}; o - y = {difference}", "o y"),
    "sys_mixture": lambda p: _solve_word(p, "a + b = {volume}; {low}*a + {high}*b = {target}*{volume}", "a b"),
    "quad_solve": lambda p: real_roots(str(p["equation"]), str(p["var"])),
    "quad_rearranged": lambda p: real_roots(str(p["equation"]), str(p["var"])),
    "quad_rectangle": lambda p: [w for r in real_roots(f"w*(w + {p['extra']}) = {p['area']}") if r > 0
                                 for w in (r, r + v(p, "extra"))],
    "quad_consecutive": lambda p: [m for r in real_roots(f"n*(n + {p['step']}) = {p['product']}") if r > 0
                                   for m in (r, r + v(p, "step"))],
    "poly_cubic": lambda p: real_roots(str(p["equation"]), str(p["var"])),
    "poly_biquadratic": lambda p: real_roots(str(p["equation"]), str(p["var"])),
    "poly_single_real": lambda p: real_roots(str(p["equation"]), str(p["var"])),
    "nt_gcd": lambda p: [sp.gcd_list(p["numbers"])],  # type: ignore[arg-type]
    "nt_lcm": lambda p: [sp.lcm_list(p["numbers"])],  # type: ignore[arg-type]
    "nt_remainder": lambda p: [sp.Mod(v(p, "a"), v(p, "b"))],
    "nt_buses": lambda p: [sp.lcm_list(p["numbers"])],  # type: ignore[arg-type]
    "nt_ribbons": lambda p: [sp.gcd_list(p["numbers"])],  # type: ignore[arg-type]
    "nt_power_mod": lambda p: [sp.Mod(v(p, "base") ** v(p, "exp"), v(p, "mod"))],
    "nt_common_denominator": lambda p: [sp.lcm_list([R(f).q for f in p["fractions"]])],  # type: ignore[union-attr]
    "def_solve": lambda p: sp.solve(equation(str(p["equation"]), _defined(p)), sp.Symbol(str(p["var"]))),
    "def_function": lambda p: [_function(str(p["function"]))[1](v(p, "at"))],
    "def_compose": lambda p: [parse(str(p["ask"]), dict(_function(str(f)) for f in p["functions"]))],  # type: ignore[union-attr]
    "def_chain": lambda p: [parse(str(p["ask"]), _defined(p))],
    "roots_cube": lambda p: [sp.real_root(v(p, "n"), int(p["index"]))],  # type: ignore[arg-type]
    "roots_nth": lambda p: [sp.real_root(v(p, "n"), int(p["index"]))],  # type: ignore[arg-type]
    "roots_square": lambda p: [sp.real_root(v(p, "n"), int(p["index"]))],  # type: ignore[arg-type]
    "roots_rounded": lambda p: [round_half_up(sp.real_root(v(p, "n"), int(p["index"])), int(p["places"]))],  # type: ignore[arg-type]
    "roots_cube_volume": lambda p: [sp.real_root(v(p, "volume"), 3)],
}


def agrees(values: list[sp.Expr], expect: tuple[str, ...], approx: bool) -> bool:
    """The recomputed values are the expected numbers, in any order; an approximate expected
    number is right to within half a unit of its last digit (it was rounded there)."""
    if len(values) != len(expect):
        return False
    remaining = [R(e) for e in expect]
    units = {R(e): R(1, 10 ** len(e.split(".")[1])) if "." in e else R(1) for e in expect}
    for value in values:
        for e in remaining:
            if (sp.Abs(value - e) <= units[e] / 2) if approx else sp.simplify(value - e) == 0:
                remaining.remove(e)
                break
        else:
            return False
    return True
