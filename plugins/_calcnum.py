"""The calculator's number arithmetic: exact integers, IEEE doubles, and a price on both.

MOSS-003's calculator ran numexpr, whose results are Python's own numbers: integer arithmetic
stays integer (`2^10` is `1024`) and anything touching a float is an IEEE double. We keep
Python ints and floats (numexpr's float64 arithmetic is the same IEEE arithmetic) without
numexpr's int64 wrap-around: an integer is exact up to `MAX_INT_DIGITS` digits and refused
beyond, never wrapped. Two rules make the numbers what a calculator shows:

- `a / b` of two integers is an exact integer when `b` divides `a` (`60/6` is `10`,
  `2^100/2^50` keeps every digit); otherwise it is the correctly rounded double.
- A float sum or difference that cancels down to binary noise (below 2^-50 of the larger
  operand, i.e. beyond the 15 digits shown) is zero: `0.1+0.2-0.3` is `0`, not `5.55e-17`.

Every costly operation is priced before it runs: integer powers and products by the bit length
of their result, factorials by the digits of theirs (Stirling via `lgamma`); a float overflow,
`nan` or complex result is refused, not printed.
"""

from __future__ import annotations

import math

from plugins.errors import MathError, TooLarge
from plugins._mathtokens import MAX_INT_BITS, MAX_INT_DIGITS

Number = int | float

MAX_FACTORIAL = 449
"""449! has 997 digits, 450! has 1001: the largest factorial under the integer limit."""

NOISE = 2.0**-50
"""Relative size below which a float result is rounding noise (about 4 units in the last
place; the display shows 15 significant digits, well above it)."""

_LOG2_10 = math.log2(10)


def too_large_int(bits: float) -> TooLarge:
    """The refusal for an integer result of about `bits` bits."""
    digits = f"about {int(bits / _LOG2_10) + 1}" if math.isfinite(bits) else "astronomically many"
    return TooLarge(f"the result would have {digits} digits; the limit is {MAX_INT_DIGITS}")


def short(value: Number) -> str:
    """A number for an error message: in full when short, else its size."""
    text = str(value)
    return text if len(text) <= 24 else f"a {len(text.lstrip('-'))}-digit number"


def finite(value: Number) -> Number:
    """`value` if it is a finite float or an integer under the digit limit; else refuse."""
    if isinstance(value, float):
        if math.isnan(value):
            raise MathError("the result is undefined (not a number)")
        if math.isinf(value):
            raise TooLarge("the result is too large for floating point")
    elif value.bit_length() > MAX_INT_BITS:
        raise too_large_int(value.bit_length())
    return value


def as_float(value: Number) -> float:
    """`float(value)`, refusing an integer beyond the float range."""
    try:
        return float(value)
    except OverflowError as exc:
        raise TooLarge("a number is too large for floating point") from exc


def whole(name: str, value: Number) -> int:
    """`value` as an int for a function that needs whole numbers (`gcd`, `n!`)."""
    if isinstance(value, float):
        if not value.is_integer():
            raise MathError(f"{name} needs whole numbers, not {short(value)}")
        return int(value)
    return value


def power(base: Number, exponent: Number) -> Number:
    """`base ^ exponent` with Python's types, priced before it is computed."""
    if isinstance(base, int) and isinstance(exponent, int):
        if exponent >= 0:
            if abs(base) > 1:
                if exponent > MAX_INT_BITS:  # |base| >= 2: at least `exponent` bits
                    bits = exponent * math.log2(abs(base)) if exponent < 1e300 else math.inf
                    raise too_large_int(bits)
                if exponent * math.log2(abs(base)) > MAX_INT_BITS:
                    raise too_large_int(exponent * math.log2(abs(base)))
            return base**exponent
        if base == 0:
            raise MathError("division by zero (0 to a negative power)")
    b, x = as_float(base), as_float(exponent)
    if b < 0 and not x.is_integer():
        raise MathError(
            f"a negative number to a fractional power has no real value "
            f"(({short(base)})^{short(exponent)}); for an odd root use root(x, n)"
        )
    if b == 0 and x < 0:
        raise MathError("division by zero (0 to a negative power)")
    try:
        return finite(math.pow(b, x))
    except OverflowError as exc:
        raise TooLarge("the result is too large for floating point") from exc


def factorial(value: Number) -> int:
    """`n!` for a non-negative integer (or integral float), refused above `MAX_FACTORIAL`."""
    value = whole("factorial", value)
    if value < 0:
        raise MathError(f"factorial of a negative number ({short(value)}) is undefined")
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


def _cancel(result: float, a: Number, b: Number) -> Number:
    if result and abs(result) < NOISE * max(abs(a), abs(b)):
        return 0.0
    return result


def binary(op: str, a: Number, b: Number) -> Number:
    """`a op b` for the parser's operators, exact for integers and priced."""
    if op in ("/", "//", "%") and b == 0:
        raise MathError("division by zero")
    try:
        if op in ("+", "-"):
            result = a + b if op == "+" else a - b
            if isinstance(result, float):
                return finite(_cancel(result, a, b))
            return finite(result)
        if op == "*":
            if isinstance(a, int) and isinstance(b, int):
                bits = a.bit_length() + b.bit_length()
                if bits > MAX_INT_BITS + 1:
                    raise too_large_int(bits)
            return finite(a * b)
        if op == "/":
            if isinstance(a, int) and isinstance(b, int) and a % b == 0:
                return a // b
            return finite(a / b)
        if op == "//":
            return finite(a // b)
        if op == "%":
            return finite(a % b)
    except OverflowError as exc:
        raise TooLarge("a number is too large for floating point") from exc
    raise MathError(f"unknown operator {op!r}")  # pragma: no cover - the parser emits no other
