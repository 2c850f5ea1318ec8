"""The calculator's built-in functions: what each computes, exactly where it can.

Exact where a calculator would be: `sqrt`, `cbrt` and `root(x, n)` of a perfect power of an
integer are that integer (`root(27, 3)` is `3`, `sqrt(2^200)` keeps every digit), `gcd`, `lcm`
and `mod` work on whole numbers of any size up to the digit limit, `sum`, `mean` (also `average`,
`avg`) and `median` of whole numbers stay exact where the answer is whole, and `round(x, n)` rounds
the decimal value shown half away from zero (`round(2.675, 2)` is `2.68`). `sin`, `cos` and
`tan` of a multiple of pi/2 give the exact zero (`sin(pi)` is `0`, not `1.22e-16`) and `tan`
is refused where it has a pole. Every argument is priced: no function runs longer than a
few milliseconds on any input the parser admits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal

from plugins._calcnum import (
    NOISE,
    Number,
    binary,
    factorial,
    finite,
    power,
    short,
    too_large_int,
    whole,
)
from plugins._calcfactor import INSIDE
from plugins.errors import MathError, TooLarge
from plugins._mathtokens import MAX_INT_BITS, MAX_INT_DIGITS

_ORDINALS = {2: "square", 3: "cube"}


def _factor_inside(value: Number) -> Number:
    """`factor` inside arithmetic; alone it is `_calcfactor.factor`, whose text is no number."""
    raise MathError(INSIDE)


def _round(value: Number, ndigits: Number | None = None) -> Number:
    """Round half away from zero on the decimal value shown (2.5 -> 3, 2.675 -> 2.68)."""
    if ndigits is None:
        if isinstance(value, int):
            return value
        quantum = Decimal(1)
    else:
        if isinstance(ndigits, float) and ndigits.is_integer() and abs(ndigits) <= 30:
            ndigits = int(ndigits)
        if not isinstance(ndigits, int) or abs(ndigits) > 30:
            raise MathError("round(x, n) needs a whole number n between -30 and 30")
        quantum = Decimal(1).scaleb(-ndigits)
    exact = Decimal(repr(value) if isinstance(value, float) else value)
    context = Context(prec=MAX_INT_DIGITS + 400)  # every int and float we hold fits exactly
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP, context=context)
    if ndigits is None:
        return int(rounded)
    return int(rounded) if isinstance(value, int) else float(rounded)


def _iroot(x: int, n: int) -> int:
    """The integer part of the n-th root of `x >= 0` (Newton's method on integers)."""
    if x < 2:
        return x
    if n >= x.bit_length():
        return 1  # 2^n > x
    guess = 1 << -(-x.bit_length() // n)  # a power of two at or above the root
    while True:
        better = ((n - 1) * guess + x // guess ** (n - 1)) // n
        if better >= guess:
            return guess
        guess = better


def _float_root(x: Number, n: int) -> float:
    if x == 0:
        return 0.0
    if n == 2:
        return math.sqrt(x) if x < 2**1000 else math.exp(math.log(x) / 2)
    inverse = 1.0 / n if n < 2**1000 else 0.0  # the root of a huge degree is 1 to 16 digits
    if isinstance(x, float) or x < 2**1000:
        return math.pow(float(x), inverse)
    return math.exp(math.log(x) * inverse)  # math.log reads integers of any size


def root(x: Number, n: Number) -> Number:
    """The real n-th root of `x`: an exact integer for a perfect power, odd roots of negative
    numbers negative (`root(-8, 3)` is `-2`), and `x^(1/n)` for a fractional n."""
    if isinstance(n, float) and n.is_integer() and abs(n) < 2**53:
        n = int(n)
    if n == 0:
        raise MathError("root(x, 0) is undefined: the degree n must not be 0")
    if isinstance(n, float):
        return power(x, 1 / n)
    if n < 0:
        value = root(x, -n)
        if value == 0:
            raise MathError("division by zero (a negative root of 0)")
        return binary("/", 1, value)
    if x < 0:
        if n % 2 == 0:
            name = _ORDINALS.get(n, f"{short(n)}th")
            raise MathError(f"no real {name} root of a negative number ({short(x)})")
        return -root(-x, n)
    if isinstance(x, float) and x.is_integer() and x < 2**53:
        exact = root(int(x), n)
        return float(exact)
    if isinstance(x, int):
        nearest = _iroot(x, n)
        if nearest**n == x:
            return nearest
    return _float_root(x, n)


def _sqrt(x: Number) -> Number:
    return root(x, 2)


def _cbrt(x: Number) -> Number:
    return root(x, 3)


def _gcd(*args: Number) -> int:
    return math.gcd(*(whole("gcd", a) for a in args))


def _lcm(*args: Number) -> int:
    result = 1
    for value in args:
        result = math.lcm(result, whole("lcm", value))
        if result.bit_length() > MAX_INT_BITS:
            raise too_large_int(result.bit_length())
    return result


def _mod(a: Number, b: Number) -> Number:
    return binary("%", a, b)


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


def _exact_zero(func: Callable[[float], float]) -> Callable[[Number], float]:
    """`func` with binary noise at a multiple of pi/2 shown as the zero it stands for."""

    def snapped(x: Number) -> float:
        value = func(x)
        return 0.0 if abs(value) < NOISE * abs(x) else value

    return snapped


def _tan(x: Number) -> float:
    if abs(math.cos(x)) < NOISE * abs(x):
        raise MathError("tan is undefined at odd multiples of pi/2 (its value is infinite there)")
    return _exact_zero(math.tan)(x)


def _floor(x: Number) -> int:
    return x if isinstance(x, int) else math.floor(x)


def _ceil(x: Number) -> int:
    return x if isinstance(x, int) else math.ceil(x)


def _sum(*values: Number) -> Number:
    total: Number = 0
    for value in values:
        total = binary("+", total, value)
    return total


def _mean(*values: Number) -> Number:
    """The arithmetic mean, exact when it is a whole number (`mean(2, 4)` is `3`)."""
    return binary("/", _sum(*values), len(values))


def _median(*values: Number) -> Number:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return _mean(ordered[middle - 1], ordered[middle])


_FUNCS: dict[str, Callable[..., Number]] = {
    "sqrt": _sqrt,
    "cbrt": _cbrt,
    "root": root,
    "log": _log,
    "ln": _positive_log(math.log),
    "log10": _positive_log(math.log10),
    "log2": _positive_log(math.log2),
    "exp": math.exp,
    "sin": _exact_zero(math.sin),
    "cos": _exact_zero(math.cos),
    "tan": _tan,
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
    "gcd": _gcd,
    "lcm": _lcm,
    "mod": _mod,
    "max": max,
    "min": min,
    "sum": _sum,
    "mean": _mean,
    "average": _mean,
    "avg": _mean,
    "median": _median,
    "factor": _factor_inside,
}


def call(name: str, args: list[Number]) -> Number:
    """`name(*args)` for a built-in function, refusing overflow and undefined values."""
    try:
        return finite(_FUNCS[name](*args))
    except OverflowError as exc:
        raise TooLarge(f"{name}() overflows floating point") from exc
    except ValueError as exc:
        if isinstance(exc, MathError):
            raise
        shown = ", ".join(short(a) for a in args)
        raise MathError(f"{name}() is undefined for {shown}") from exc

