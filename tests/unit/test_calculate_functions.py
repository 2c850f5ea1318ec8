"""Calculate's fuller functions (gcd, lcm, mod, roots, round, percentages), definitions inside
one call, what the display shows, and the refusal messages a model reads after `No result.`."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins._calcdefs import MAX_EXPANDED_NODES
from plugins.errors import MathError, TooLarge
from plugins._mathdisplay import format_float, format_number
from plugins._mathparse import MESSAGE_LIMIT
from plugins.calculate import Calculate, calculate_text, calculate_value

_DOUBLING = "f0(x)=x+x; " + "; ".join(f"f{i}(x)=f{i - 1}(x)+f{i - 1}(x)" for i in range(1, 16))
_DOUBLING += "; f15(1)"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # gcd and lcm: whole numbers of any size, several arguments
        ("gcd(84, 36)", "12"),
        ("gcd(12, 18, 27)", "3"),
        ("gcd(-12, 18)", "6"),
        ("gcd(12.0, 18)", "6"),
        ("gcd(0, 0)", "0"),
        ("lcm(4, 6)", "12"),
        ("lcm(4, 6, 10)", "60"),
        ("lcm(2^64, 3^40)", str(2**64 * 3**40)),
        ("gcd(10^300+7, 10^300+7)", str(10**300 + 7)),
        # mod as a function and as a word, % as before
        ("mod(17, 5)", "2"),
        ("17 mod 5", "2"),
        ("-7 mod 3", "2"),
        ("7.5 mod 2", "1.5"),
        ("2^64 mod 1000007", str(2**64 % 1000007)),
        # nth roots: exact for perfect powers, real odd roots of negatives
        ("root(27, 3)", "3"),
        ("root(16, 4)", "2"),
        ("root(-8, 3)", "-2"),
        ("cbrt(27)", "3"),
        ("cbrt(-27)", "-3"),
        ("cbrt(27.0)", "3"),
        ("cbrt(2)", "1.25992104989"),
        ("root(2, 2)", "1.41421356237"),
        ("root(8, -3)", "0.5"),
        ("root(8, 1.5)", "4"),
        ("sqrt(2^200)", str(2**100)),
        ("root(3^600, 300)", "9"),
        ("root(10^999, 10^999)", "1"),
        # round(x, n), half away from zero on the decimal shown
        ("round(2.675, 2)", "2.68"),
        ("round(1234.5678, -2)", "1200"),
        ("round(3.14159, 3.0)", "3.142"),
        ("round(10/3, 4)", "3.3333"),
        # integer division and exact division
        ("17 // 5", "3"),
        ("-17 // 5", "-4"),
        ("60/6", "10"),
        ("2^100/2^50", str(2**50)),
        ("7/2", "3.5"),
        # percentages
        ("15% of 80", "12"),
        ("80*15%", "12"),
        ("200%", "2"),
        # implicit products, as written on paper
        ("2(3+4)", "14"),
        ("(1+2)(3+4)", "21"),
        # sum, mean (average, avg) and median: exact where the answer is whole
        ("sum(1, 2, 3.5)", "6.5"),
        ("mean(92, 49, 97, 75, 73)", "77.2"),
        ("average(2, 4)", "3"),
        ("avg(10^30, 3*10^30)", str(2 * 10**30)),
        ("mean(1, 2)", "1.5"),
        ("mean(7)", "7"),
        ("median(5, 1, 3)", "3"),
        ("median(4, 1, 3, 2)", "2.5"),
        ("median(-1, -3)", "-2"),
        ("round(mean(187, 162, 192, 141, 156, 162, 145))", "164"),
        # a function written in capitals is the one it spells, as on a calculator
        ("LCM(4, 6, 10)", "60"),
        ("GCD(84, 36)", "12"),
        ("Sqrt(49)", "7"),
        ("Mean(1, 2, 3)", "2"),
        # thousands separators outside parentheses, as people write numbers
        ("1,234,567*2", "2469134"),
        ("1,000.5+1", "1001.5"),
        ("2*1,000", "2000"),
        ("4,500 years to millennia", "4.5 millennia"),
        ("max(4,500)", "500"),  # inside a call the comma separates arguments
    ],
)
def test_functions(expression: str, expected: str) -> None:
    assert calculate_text(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("f(x)=2x^2-3; f(7)", 95),
        ("f(x) = 2*x^2 - 3; f(7)", 95),
        ("y=8-3+2; 5*y", 35),
        ("f(x, y)=x*y+1; f(3, 4)", 13),
        ("a=2; f(x)=a*x; f(5)", 10),
        ("f(x)=x+1; g(x)=f(x)*2; g(3)", 8),
        ("f(x)=x^2; f(f(3))", 81),
        ("g(t)=t mod 7; g(100)", 2),
        ("a=2; f(x)=a*x; a=3; f(1)", 2),  # a function keeps the quantities it saw
        ("r=3; area=pi*r^2; round(area, 2)", 28.27),
    ],
)
def test_definitions_inside_one_call(expression: str, expected: float) -> None:
    assert calculate_value(expression) == expected


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("f(x)=f(x); f(1)", "defined in terms of itself"),
        ("f(x)=g(x); g(x)=f(x); f(1)", "before it is defined"),
        ("sqrt(x)=x^2; sqrt(4)", "built-in function and cannot be redefined"),
        ("pi=3; pi", "cannot be assigned"),
        ("gcd=4; gcd", "cannot be assigned"),
        ("f(e)=e+1; f(1)", "cannot be a parameter"),
        ("f(x)=1; f(x)=2; f(0)", "defined twice"),
        ("f(x, x)=x; f(1, 2)", "repeat a name"),
        ("f(x)=x; f(1, 2)", "takes 1 argument(s), got 2"),
        ("f(x)=x; f+1", "call it with its argument(s)"),
        ("f(x)=x", "ends with a definition"),
        ("f(7)", "define it in the same call, e.g. f(x)=2x^2-3; f(7)"),
        ("gcf(12, 18)", "did you mean gcd?"),
        ("hcf(12, 18)", "known: sqrt, root, cbrt, gcd, lcm"),
        ("gcd(2.5, 5)", "whole numbers"),
        ("root(8, 0)", "must not be 0"),
        ("root(-16, 4)", "no real 4th root"),
        ("sqrt(-4)", "no real square root"),
        ("7 mod 0", "division by zero"),
        ("round(2.5, 31)", "between -30 and 30"),
        ("tan(pi/2)", "undefined at odd multiples of pi/2"),
        ("(-8)^(1/3)", "use root(x, n)"),
        ("lcm(2^3000, 3^2000)", "digits; the limit is 1000"),
        ("mean()", "expected a number"),
        ("mean(" + ", ".join(["1"] * 101) + ")", "takes 1 to 100 argument(s), got 101"),
        ("sum(1e308, 1e308)", "too large"),
        ("median(1, x)", "unknown name 'x'"),
        ("4, 500", "unexpected ','"),  # a space: not one number
        ("12,34", "unexpected ','"),  # not groups of three
        ("(4,500)", "unexpected ','"),
        ("F(2)", "define it in the same call"),  # one letter: a function to define, not a typo
        (_DOUBLING, f"more than {MAX_EXPANDED_NODES} terms"),
    ],
)
def test_refusals_tell_the_model_what_to_write(expression: str, fragment: str) -> None:
    with pytest.raises(MathError) as info:
        calculate_text(expression)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and len(message) <= MESSAGE_LIMIT


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0.1+0.2", "0.3"),
        ("sin(pi/6)", "0.5"),
        ("sin(pi)", "0"),
        ("cos(pi/2)", "0"),
        ("tan(pi)", "0"),
        ("0.1+0.2-0.3", "0"),
        ("1.1*1.1", "1.21"),
        ("1/3", "0.333333333333"),
        ("2/3", "0.666666666667"),
        ("1e-7*3", "3e-07"),
        ("2^0.5*2^0.5", "2"),
        ("sin(1e-17)", "1e-17"),  # a tiny value is not noise when its argument is tiny
        ("147227.31万*6.474", "9531496049.4"),
        ("2^70", str(2**70)),  # exact integers keep every digit
        ("449!", str(math.factorial(449))),
    ],
)
def test_display_is_what_a_calculator_shows(expression: str, expected: str) -> None:
    assert calculate_text(expression) == expected


def test_display_rules() -> None:
    assert format_float(0.30000000000000004) == "0.3"
    assert format_float(-0.0) == "0"
    assert format_float(1e15) == "1e+15"
    assert format_float(123456789012.0) == "123456789012"
    assert format_float(0.0001) == "0.0001"
    assert format_float(0.00001234) == "1.234e-05"
    assert format_float(13636.363636363636, 15) == "13636.3636363636"
    assert format_number(10**30) == str(10**30)


def test_tool_loads_the_unit_registry_in_setup() -> None:
    Calculate.setup()
    assert Calculate("gcd(84, 36)").render_body() == " 12"
    assert Calculate("3 days to s").render_body() == " 259200 s"


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-(10**40), max_value=10**40), st.integers(min_value=1, max_value=9))
def test_odd_and_even_roots_of_perfect_powers_are_exact(base: int, n: int) -> None:
    if base < 0 and n % 2 == 0:
        base = -base
    assert calculate_value(f"root(({base})^{n}, {n})") == base


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=10**200), st.integers(min_value=1, max_value=10**200))
def test_gcd_and_lcm_are_exact(a: int, b: int) -> None:
    gcd = calculate_value(f"gcd({a}, {b})")
    lcm = calculate_value(f"lcm({a}, {b})")
    assert gcd == math.gcd(a, b) and lcm == math.lcm(a, b)
    assert gcd * lcm == a * b


def test_a_defined_function_in_capitals_is_not_taken_for_a_built_in() -> None:
    assert calculate_value("Mean(x)=x+1; Mean(2)") == 3  # the call's own definition comes first


def test_huge_arguments_are_bounded() -> None:
    assert calculate_value("mean(" + ", ".join(["10^997"] * 100) + ")") == 10**997
    with pytest.raises(TooLarge):  # the sum passes the digit limit before the division
        calculate_text("mean(" + ", ".join(["10^999"] * 100) + ")")
    assert calculate_value("gcd(10^999, 10^998)") == 10**998
    assert calculate_value("round(10^999, 30)") == 10**999
    assert calculate_value("mod(10^999, 7)") == 10**999 % 7
    with pytest.raises(TooLarge):
        calculate_text("lcm(" + ",".join(f"10^999+{i}" for i in range(1, 20)) + ")")
    with pytest.raises(TooLarge):
        calculate_text("root(8, 1e-300)")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("round(mean(145, 171, 162, 140, 189, 178, 193)))", "168"),  # seen from the model
        ("round(mean(145, 171, 162, 140, 189, 178, 193)", "168"),
        ("((2+3", "5"),
        ("2+3)", "5"),
        ("f(x)=2x+3; f(2", "7"),
        ("(10*50%", "5"),
        ("1" + ")" * 1500, "1"),  # a long trailing surplus is dropped all the same
    ],
)
def test_parentheses_are_balanced_at_the_very_end_only(expression: str, expected: str) -> None:
    assert calculate_text(expression) == expected



@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("factor(221)", "13 * 17"),
        ("factor(360)", "2^3 * 3^2 * 5"),
        ("factor(17)", "17"),
        ("factor(2^10)", "2^10"),
        ("factor(4.0)", "2^2"),
        ("n=91; factor(n)", "7 * 13"),
        ("f(x)=x+1; factor(f(20))", "3 * 7"),
        ("factor(999999937*999999929)", "999999929 * 999999937"),  # two 9-digit primes
    ],
)
def test_factor_gives_the_product_of_primes(expression: str, expected: str) -> None:
    assert calculate_text(expression) == expected


@pytest.mark.parametrize(
    ("expression", "error", "fragment"),
    [
        ("factor(12)+1", MathError, "use it alone"),
        ("sqrt(factor(16))", MathError, "use it alone"),
        ("factor(1)", MathError, "2 or more"),
        ("factor(-6)", MathError, "2 or more"),
        ("factor(2.5)", MathError, "whole number"),
        ("factor(10^19)", TooLarge, "18 digits"),
        ("factor(10^999)", TooLarge, "18 digits"),
        ("factor(12, 3)", MathError, "takes 1 argument"),
        ("factor(x)", MathError, "unknown name 'x'"),
    ],
)
def test_factor_refuses_what_has_no_product_of_primes(expression: str, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        calculate_text(expression)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=2, max_value=10**18 - 1))
def test_factor_multiplies_back(n: int) -> None:
    product = 1
    for part in calculate_text(f"factor({n})").split(" * "):
        base, _, power = part.partition("^")
        product *= int(base) ** int(power or 1)
    assert product == n
