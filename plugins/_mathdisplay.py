"""How Calculate and Solve print a number: the way a calculator shows it.

- An integer keeps every digit (`2^100`, `449!`): exact results stay exact.
- A float is rounded to a calculator's significant digits, which hides the binary noise of
  IEEE arithmetic (`0.1+0.2` is `0.3`, `sin(pi/6)` is `0.5`, `4*6.5*0.9` is `23.4`,
  `37 degC to degF` is `98.6`). Calculate shows 12 (a float that went through a few
  operations or a unit factor can be ten units off in its 16th digit, and 12 digits is what a
  desk calculator shows); Solve shows 15, as MOSS's sympy printed them (`13636.3636363636`).
- Below 10^15 a float is written out (`95314960494000`, `0.0025`, no `.0` on a whole one);
  beyond that, or below 10^-4, in Python's exponent form (`1e+21`, `9.488547e-07`). Zero never
  has a sign.
- Solve's exact rationals stay fractions (`160/3`); that is decided in `_solvecore`.

MOSS-003's recordings print Python's `repr` (`10.0`, `23.400000000000002`); the replay
comparison reads numbers numerically within 1e-9, so both forms agree with them.
"""

from __future__ import annotations

CALCULATOR_DIGITS = 12
SOLVER_DIGITS = 15


def format_float(value: float, digits: int = CALCULATOR_DIGITS) -> str:
    """`value` rounded to `digits` significant digits, written out where that is short."""
    rounded = float(format(value, f".{digits}g"))
    if rounded == 0:
        return "0"
    if abs(rounded) < 1e15 and rounded.is_integer():
        return str(int(rounded))
    if 1e-4 <= abs(rounded) < 1e15:
        return repr(rounded)  # the shortest text of a number that has <= `digits` digits
    return format(value, f".{digits}g")


def format_number(value: int | float, digits: int = CALCULATOR_DIGITS) -> str:
    """An integer in full, a float as `format_float` shows it."""
    if isinstance(value, int):
        return str(value)
    return format_float(value, digits)
