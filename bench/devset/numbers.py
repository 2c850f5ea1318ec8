"""Numbers as a reply writes them, and exact values as the data file writes them.

Model output is untrusted text: `numbers_in` reads every number a reply states, however it is
spelled (`10,063`, `-3`, `−3`, `±3`, `1/3`, `\\frac{1}{3}`, `9.49e-07`, `9.49 × 10^-7`,
full-width digits, `2.4亿` and `458万` as well as their digits), and never raises.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TIMES_TEN = re.compile(r"(\d(?:\.\d+)?)\s*(?:×|x|\*|·)\s*10\s*(?:\^|\*\*)\s*\(?\s*([-+]?\d+)\s*\)?")
_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*(-?\d+)\s*\}\s*\{\s*(\d+)\s*\}")
# A number not glued to a Latin letter or another number (`x2`, `v1.2` are not numbers here;
# Chinese text around a number is fine: `等于1645。`), nor an exponent (`x^2`, `x**2`).
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.^])(?<!\*\*)(±|\+/-)?(-)?(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:\s*/\s*(\d+)(?![\d.]))?")

Number = tuple[Decimal, int]  # the value, and the exponent of its last written digit
#: Chinese magnitude words written right after a number: 2.4亿 is 240,000,000.
_MAGNITUDES = (("万亿", 12), ("亿", 8), ("万", 4))


def normalize(text: str) -> str:
    """Full-width digits, Unicode minus signs, thousands separators and LaTeX fractions made
    plain, so one pattern reads them all."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2212", "-").replace("\u2013", "-")
    text = _THOUSANDS.sub("", text)
    text = _FRAC.sub(r"\1/\2", text)
    return _TIMES_TEN.sub(r"\1e\2", text)


def numbers_in(text: str) -> list[Number]:
    """Every number the text states: each as (exact value, exponent of its last digit).

    `±3` counts as 3 and -3; `a/b` counts as the fraction and as its two numbers.
    """
    found: list[Number] = []
    normalized = normalize(text)
    for match in _NUMBER.finditer(normalized):
        both_signs, minus, digits, denominator = match.groups()
        try:
            value = Decimal(digits)
        except InvalidOperation:
            continue
        if not value.is_finite():
            continue
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        signs = (1, -1) if both_signs else ((-1,) if minus else (1,))
        after = normalized[match.end():match.end() + 2]
        scale = next((power for word, power in _MAGNITUDES if after.startswith(word)), 0)
        for sign in signs:
            found.append((sign * value, exponent))
            if scale and not denominator:
                found.append((sign * value.scaleb(scale), exponent + scale))
            if denominator and int(denominator) != 0:
                found.append((sign * value / Decimal(denominator), -28))  # a fraction is exact
                found.append((Decimal(denominator), 0))
    return found


def states(reply: str, expected: str, *, approx: bool = False) -> bool:
    """True when the reply states `expected` (a decimal string).

    Exact answers must match to one part in a billion (float noise such as
    0.30000000000000004 passes, 12.346 for 12.35 does not). An approximate answer (`approx`)
    matches a number within 0.5% of it whose written digits are right up to their last one
    (2.24, or 2.23 cut short, for 2.2360679; not 2.2 or 2.25); the expected string's own last
    digit is allowed for.
    """
    target = Decimal(expected)
    own = Decimal(1).scaleb(target.as_tuple().exponent)  # type: ignore[arg-type]
    for value, exponent in numbers_in(reply):
        error = abs(value - target)
        if target == 0:
            if value == 0:
                return True
            continue
        if not approx:
            if error <= abs(target) * Decimal("1e-9"):
                return True
        elif error <= abs(target) * Decimal("0.005") and error <= Decimal(1).scaleb(exponent) + own:
            return True
    return False


def exact_text(value: Fraction) -> str | None:
    """The value as a plain decimal string when it has a finite decimal expansion, else None."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def approx_text(value: float, digits: int = 10) -> str:
    """An inexact value to `digits` significant digits, plainly written (no exponent)."""
    text = format(Decimal(repr(value)).quantize(Decimal(1).scaleb(Decimal(repr(value)).adjusted() - digits + 1)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
