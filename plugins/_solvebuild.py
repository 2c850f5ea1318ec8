"""Turn Solve's parsed tree into sympy, node by node, and bound it before sympy works on it.

sympy's `sympify`/`parse_expr` call `eval`, so model text never reaches them: every sympy
object is built here from our parser's tree. Decimal literals become exact rationals (and
mark the result inexact, printed in decimal form). A call of a function defined in the text
builds its body once, with a private symbol per parameter, and substitutes the arguments.

Bounds, checked before sympy computes: a numeric exponent above `MAX_EXPONENT`, or an exact
power whose digits would pass the integer limit, is refused when the power is built (sympy
would otherwise compute `2^(3^1000)` in C, where no alarm can stop it); `degree` is an upper
bound of an equation's polynomial degree, defined functions included, checked by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy

from plugins._calcdefs import Function
from plugins._calceval import evaluate as evaluate_number
from plugins._calcnum import short
from plugins.errors import MathError, TooLarge
from plugins._mathparse import (
    OPERATORS,
    Call,
    Chain,
    Name,
    Neg,
    Node,
    Num,
    Postfix,
    Pow,
    children,
    has_names,
)
from plugins._mathtokens import MAX_INT_BITS

MAX_EXPONENT = 1000

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
}


@dataclass
class Build:
    """Turns parsed nodes into sympy, remembering whether any number was a decimal."""

    functions: Mapping[str, Function] = field(default_factory=dict)
    inexact: bool = False
    _bodies: dict[str, tuple[sympy.Expr, tuple[sympy.Dummy, ...]]] = field(default_factory=dict)

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
            return _power(self.expr(node.base), self.expr(node.exponent))
        if isinstance(node, Postfix):
            if node.op == "%":
                return self.expr(node.operand) / 100
            raise MathError("factorial (!) is not supported in Solve; use Calculate")
        if isinstance(node, Call):
            return self._call(node)
        raise MathError(f"cannot read {node!r}")  # pragma: no cover

    def _call(self, node: Call) -> sympy.Expr:
        if node.func in self.functions:
            body, params = self._body(node.func)
            args = [self.expr(arg) for arg in node.args]
            return body.xreplace(dict(zip(params, args)))
        if node.func == "pow":
            return self.expr(Pow(node.args[0], node.args[1]))
        if node.func in ("sum", "mean", "average", "avg"):  # "mean(63, 97, 71, x) = 80"
            total = sympy.Add(*(self.expr(arg) for arg in node.args))
            return total if node.func == "sum" else total / len(node.args)
        if node.func == "factor":  # Calculate's factor() splits whole numbers, not polynomials
            raise MathError("factor() is not supported in Solve: write the equation itself (x^2-1=0) "
                            "for its roots, or Calculate factor(n) to split a whole number into primes")
        if node.func not in _FUNCTIONS and node.func != "root":
            raise MathError(f"{node.func}() is not supported in Solve; use Calculate for it")
        args = [self.expr(arg) for arg in node.args]
        if node.func == "log" and len(args) == 2:
            return sympy.log(args[0], args[1])
        if node.func == "root":
            if args[1] == 0:
                raise MathError("root(x, 0) is undefined: the degree n must not be 0")
            return _power(args[0], 1 / args[1])
        return _FUNCTIONS[node.func](*args)

    def _body(self, name: str) -> tuple[sympy.Expr, tuple[sympy.Dummy, ...]]:
        if name not in self._bodies:
            defined = self.functions[name]
            params = tuple(sympy.Dummy(param) for param in defined.params)
            body = self.expr(defined.body).xreplace(
                {sympy.Symbol(p): d for p, d in zip(defined.params, params)}
            )
            self._bodies[name] = (body, params)
        return self._bodies[name]

    @staticmethod
    def _binary(op: str, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
        if op not in OPERATORS:
            raise MathError(f"the operator {op!r} is not supported in Solve; use Calculate for it")
        if op == "/" and b == 0:
            raise MathError("division by zero")
        return OPERATORS[op](a, b)


def _power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """`base ** exponent`, refusing a numeric exponent or an exact power beyond the limits."""
    if exponent.is_number:
        try:
            size = float(abs(exponent))
        except (TypeError, ValueError):
            size = float("inf")
        if size > MAX_EXPONENT:
            shown = short(int(exponent)) if exponent.is_Integer else short(size)
            raise TooLarge(f"the exponent {shown} is too large; the limit is {MAX_EXPONENT}")
        if base.is_Rational and base != 0:
            bits = (abs(base.p).bit_length() + base.q.bit_length()) * size
            if bits > MAX_INT_BITS:
                raise TooLarge(
                    f"a number in the equations would pass {MAX_INT_BITS // 3} digits; "
                    "use smaller powers"
                )
    elif base == 0:
        raise MathError("0 to a power with unknowns: write the equation without it")
    return sympy.Pow(base, exponent)


def degree(node: Node, degrees: Mapping[str, float]) -> float:
    """An upper bound of the polynomial degree of `node` in its names (`degrees` holds each
    defined function's bound), recursing only as deep as the parser's depth limit."""
    if isinstance(node, Num):
        return 0
    if isinstance(node, Name):
        return 0 if node.id == "pi" else 1
    if isinstance(node, Chain):
        parts = [degree(node.first, degrees)] + [degree(x, degrees) for _, x in node.rest]
        if any(op in ("*", "/") for op, _ in node.rest):
            return sum(parts)
        return max(parts)
    if isinstance(node, Pow):
        base = degree(node.base, degrees)
        if base == 0:
            return 0 if not has_names(node.exponent) else 1
        if has_names(node.exponent):
            return base
        try:
            return base * abs(float(evaluate_number(node.exponent, {})))
        except (MathError, OverflowError):
            return float("inf")
    inner = max((degree(child, degrees) for child in children(node)), default=0)
    if isinstance(node, Call) and node.func in degrees:
        return degrees[node.func] * max(1, inner)
    return inner
