"""Evaluate a parsed calculator tree exactly where it can, and refuse where it cannot.

MOSS-003's calculator ran numexpr; its recorded results are Python's own numbers: integer
arithmetic stays integer (`2^10` is `1024`, `8*8*8` is `512`), true division and anything
touching a float is an IEEE double printed by `repr` (`60/6` is `10.0`, `4*6.5*0.9` is
`23.400000000000002`). We evaluate the tree with Python ints and floats, which gives those same
numbers (numexpr's float64 arithmetic is the same IEEE arithmetic) without numexpr's int64
wrap-around: an integer is exact up to `MAX_INT_DIGITS` digits and refused beyond, never wrapped.
Numexpr would add nothing for one scalar and would need its string API, so it is not called.

Every costly operation is priced before it runs: integer powers and products by the bit length
of their result, factorials by the digits of theirs (Stirling via `lgamma`); a float overflow,
`nan` or complex result is refused, not printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal

from plugins._matherrors import MathError, TooLarge
from plugins._mathparse import (
    MAX_INT_BITS,
    MAX_INT_DIGITS,
    Call,
    Chain,
    Name,
    Neg,
    Node,
    Num,
    Pow,
    Postfix,
)

Number = int | float

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

MAX_FACTORIAL = 449
"""449! has 997 digits, 450! has 1001: the largest factorial under the integer limit."""

_LOG2_10 = math.log2(10)


def _too_large_int(bits: float) -> TooLarge:
    digits = f"about {int(bits / _LOG2_10) + 1}" if math.isfinite(bits) else "astronomically many"
    return TooLarge(f"the result would have {digits} digits; the limit is {MAX_INT_DIGITS}")


def short(value: Number) -> str:
    """A number for an error message: in full when short, else its size."""
    text = str(value)
    return text if len(text) <= 24 else f"a {len(text.lstrip('-'))}-digit number"


def _finite(value: Number) -> Number:
    if isinstance(value, float):
        if math.isnan(value):
            raise MathError("the result is undefined (not a number)")
        if math.isinf(value):
            raise TooLarge("the result is too large for floating point")
    elif value.bit_length() > MAX_INT_BITS:
        raise _too_large_int(value.bit_length())
    return value


def _as_float(value: Number) -> float:
    try:
        return float(value)
    except OverflowError as exc:
        raise TooLarge("a number is too large for floating point") from exc


def power(base: Number, exponent: Number) -> Number:
    """`base ^ exponent` with Python's types, priced before it is computed."""
    if isinstance(base, int) and isinstance(exponent, int):
        if exponent >= 0:
            if abs(base) > 1:
                if exponent > MAX_INT_BITS:  # |base| >= 2: at least `exponent` bits
                    bits = exponent * math.log2(abs(base)) if exponent < 1e300 else math.inf
                    raise _too_large_int(bits)
                if exponent * math.log2(abs(base)) > MAX_INT_BITS:
                    raise _too_large_int(exponent * math.log2(abs(base)))
            return base**exponent
        if base == 0:
            raise MathError("division by zero (0 to a negative power)")
    b, x = _as_float(base), _as_float(exponent)
    if b < 0 and not x.is_integer():
        raise MathError(
            f"a negative number to a fractional power has no real value (({base})^{exponent})"
        )
    if b == 0 and x < 0:
        raise MathError("division by zero (0 to a negative power)")
    try:
        return _finite(math.pow(b, x))
    except OverflowError as exc:
        raise TooLarge("the result is too large for floating point") from exc


def factorial(value: Number) -> int:
    """`n!` for a non-negative integer (or integral float), refused above `MAX_FACTORIAL`."""
    if isinstance(value, float):
        if not value.is_integer():
            raise MathError(f"factorial needs a whole number, not {value!r}")
        value = int(value)
    if value < 0:
        raise MathError(f"factorial of a negative number ({value}) is undefined")
    if value > MAX_FACTORIAL:
        digits = (
            f"about {int(math.lgamma(value + 1) / math.log(10)) + 1}"
            if value < 1e300
            else "astronomically many"
        )
        raise TooLarge(
            f"{value if value < 10**24 else '(' + short(value) + ')'}! would have {digits} digits; "
            f"the limit is {MAX_INT_DIGITS} "
            f"(largest factorial: {MAX_FACTORIAL}!)"
        )
    return math.factorial(value)


def _round(value: Number, ndigits: Number | None = None) -> Number:
    """Round half away from zero on the decimal value shown (2.5 -> 3, 2.675 -> 2.68)."""
    if ndigits is None:
        if isinstance(value, int):
            return value
        quantum = Decimal(1)
    else:
        if not isinstance(ndigits, int) or abs(ndigits) > 30:
            raise MathError("round(x, n) needs a whole number n between -30 and 30")
        quantum = Decimal(1).scaleb(-ndigits)
    exact = Decimal(repr(value) if isinstance(value, float) else value)
    context = Context(prec=MAX_INT_DIGITS + 400)  # every int and float we hold fits exactly
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP, context=context)
    if ndigits is None:
        return int(rounded)
    return int(rounded) if isinstance(value, int) else float(rounded)


def _sqrt(x: Number) -> float:
    if x < 0:
        raise MathError(f"no real square root of a negative number ({x})")
    return math.sqrt(x)


def _log(x: Number, base: Number | None = None) -> float:
    if x <= 0 or (base is not None and (base <= 0 or base == 1)):
        raise MathError("logarithm undefined here: the number must be > 0, the base > 0 and not 1")
    return math.log(x) if base is None else math.log(x, base)


def _positive_log(func: Callable[[float], float]) -> Callable[[Number], float]:
    def checked(x: Number) -> float:
        if x <= 0:
            raise MathError("logarithm of a non-positive number is undefined")
        return func(x)

    return checked


def _floor(x: Number) -> int:
    return x if isinstance(x, int) else math.floor(x)


def _ceil(x: Number) -> int:
    return x if isinstance(x, int) else math.ceil(x)


def _cbrt(x: Number) -> float:
    return math.copysign(abs(_as_float(x)) ** (1 / 3), x)


_FUNCS: dict[str, Callable[..., Number]] = {
    "sqrt": _sqrt,
    "cbrt": _cbrt,
    "log": _log,
    "ln": _positive_log(math.log),
    "log10": _positive_log(math.log10),
    "log2": _positive_log(math.log2),
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "arcsin": math.asin,
    "arccos": math.acos,
    "arctan": math.atan,
    "abs": abs,
    "round": _round,
    "floor": _floor,
    "ceil": _ceil,
    "factorial": factorial,
    "pow": power,
    "max": max,
    "min": min,
}


def _call(name: str, args: list[Number]) -> Number:
    try:
        return _finite(_FUNCS[name](*args))
    except OverflowError as exc:
        raise TooLarge(f"{name}() overflows floating point") from exc
    except ValueError as exc:
        if isinstance(exc, MathError):
            raise
        raise MathError(f"{name}() is undefined for {', '.join(map(repr, args))}") from exc


def _binary(op: str, a: Number, b: Number) -> Number:
    if op in ("/", "//", "%") and b == 0:
        raise MathError("division by zero")
    try:
        if op == "+":
            return _finite(a + b)
        if op == "-":
            return _finite(a - b)
        if op == "*":
            if isinstance(a, int) and isinstance(b, int):
                bits = a.bit_length() + b.bit_length()
                if bits > MAX_INT_BITS + 1:
                    raise _too_large_int(bits)
            return _finite(a * b)
        if op == "/":
            return _finite(a / b)
        if op == "//":
            return _finite(a // b)
        if op == "%":
            return _finite(a % b)
    except OverflowError as exc:
        raise TooLarge("a number is too large for floating point") from exc
    raise MathError(f"unknown operator {op!r}")  # pragma: no cover - the parser emits no other


def evaluate(node: Node, env: dict[str, Number]) -> Number:
    """The value of `node`, names looked up in `env` (constants included by the caller)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        try:
            return env[node.id]
        except KeyError:
            raise MathError(
                f"unknown name {node.id!r}: Calculate computes numbers; define it first "
                f"({node.id}=...; ...) or use Solve for an equation"
            ) from None
    if isinstance(node, Chain):
        value = evaluate(node.first, env)
        for op, operand in node.rest:
            value = _binary(op, value, evaluate(operand, env))
        return value
    if isinstance(node, Neg):
        return -evaluate(node.operand, env)
    if isinstance(node, Pow):
        return power(evaluate(node.base, env), evaluate(node.exponent, env))
    if isinstance(node, Postfix):
        value = evaluate(node.operand, env)
        return factorial(value) if node.op == "!" else _finite(value / 100)
    if isinstance(node, Call):
        return _call(node.func, [evaluate(arg, env) for arg in node.args])
    raise MathError(f"cannot evaluate {node!r}")  # pragma: no cover


def format_number(value: Number) -> str:
    """Integers as integers (`1024`), floats as Python prints them (`10.0`, `0.3333333333333333`)."""
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0.0"  # never "-0.0"
    return repr(value)
