"""`factor(n)`: a whole number as a product of primes, the one answer Calculate gives as text.

"221 is not prime: what are its prime factors?" has no single number for an answer, and a
small model asked it writes `Search("221 factors")` or states factors from memory. Calculate
answers `factor(221)` with `13 * 17` (`factor(360)` with `2^3 * 3^2 * 5`; a prime with
itself). It is the whole expression or nothing: inside arithmetic (`factor(12) + 1`) it is
refused, since a product of primes is not a number to compute on. sympy's `factorint` does the
work, on whole numbers up to `MAX_FACTOR_DIGITS` digits, where it answers in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugins._calcnum import Number
from plugins.errors import MathError, TooLarge

MAX_FACTOR_DIGITS = 18
"""Largest number `factor` takes, in digits: Pollard's rho splits any such number in
milliseconds, where a 40-digit product of two primes could take minutes."""

NAME = "factor"
INSIDE = "factor(n) answers with a product of primes, not a number: use it alone, e.g. factor(360)"


@dataclass(frozen=True)
class Factored:
    """A factorization as a calculator shows it: `2^3 * 3^2 * 5`."""

    text: str


def factor(value: Number) -> Factored:
    """`value` as a product of primes; refuse what has no such product."""
    if isinstance(value, float):
        if not value.is_integer():
            raise MathError(f"factor() takes a whole number, not {value}")
        value = int(value)
    if value < 2:
        raise MathError(f"factor() takes a whole number of 2 or more, not {value}")
    if len(str(value)) > MAX_FACTOR_DIGITS:
        raise TooLarge(f"factor() takes numbers of up to {MAX_FACTOR_DIGITS} digits")
    from sympy import factorint  # only when a call asks for it: sympy takes a while to import

    parts = [f"{p}^{k}" if k > 1 else str(p) for p, k in sorted(factorint(value).items())]
    return Factored(" * ".join(parts))
