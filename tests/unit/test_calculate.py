"""Calculate: the MOSS dialect, exact integers, a calculator's display, and every refusal."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins._mathdialect import normalize
from plugins.errors import MathError, TooLarge
from plugins._mathparse import MAX_INT_DIGITS
from plugins.calculate import Calculate, calculate_text, calculate_value
from tools import ErrorKind


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # power: ^ and ** alike, right-associative, binding tighter than unary minus
        ("2^10", "1024"),
        ("2**10", "1024"),
        ("-3^2", "-9"),
        ("(-3)^2", "9"),
        ("2^3^2", "512"),
        ("2^-1", "0.5"),
        ("-2^-2", "-0.25"),
        ("0^15", "0"),
        ("1^0", "1"),
        ("125^(1/3)", "5"),  # 4.999999999999999: binary noise, not shown
        ("8^(1/3)", "2"),
        # assignments ending in an expression
        ("r=3;pi*r^2", "28.2743338823"),
        ("p=(1300+700+1100)/2;sqrt(p*(p-1300)*(p-700)*(p-1100))", "384991.883031"),
        ("a=2; b=a^2; a+b", "6"),
        # modulo, percent, floor division, factorial
        ("10%3", "1"),
        ("10 % 3", "1"),
        ("-7%3", "2"),
        ("50%", "0.5"),
        ("50%*200", "100"),
        ("6.7%-6.9%", "-0.002"),
        ("7//2", "3"),
        ("-7//2", "-4"),
        ("30 // 1^2", "30"),
        ("7!", "5040"),
        ("0!", "1"),
        ("7!/(4!*(7-4)!)", "35"),
        ("3!^2", "36"),
        ("factorial(5)", "120"),
        ("(6/2)!", "6"),
        # functions and constants
        ("sqrt(16)", "4"),
        ("sqrt(216)", "14.6969384567"),
        ("log(e)", "1"),
        ("ln(e^2)", "2"),
        ("log10(1000)", "3"),
        ("log(8, 2)", "3"),
        ("exp(0)", "1"),
        ("sin(0)", "0"),
        ("cos(pi)", "-1"),
        ("0.5*8*15*sin(30)", "-59.2818974456"),
        ("atan(1)*4", "3.14159265359"),
        ("asin(1)", "1.57079632679"),
        ("acos(1)", "0"),
        ("abs(-5)", "5"),
        ("abs(-2.5)", "2.5"),
        ("round(2.5)", "3"),
        ("round(-2.5)", "-3"),
        ("round(2.675, 2)", "2.68"),
        ("round(1e300, 2)", "1e+300"),  # beyond decimal's default 28-digit context
        ("round(2^100, -20)", "1267650600200000000000000000000"),
        ("floor(-2.5)", "-3"),
        ("floor((500-80-90-95)/110)+3", "5"),
        ("ceil(500/(80+90+95+110))", "2"),
        ("pow(12, 1/3)", "2.28942848511"),
        ("max(3, 7, 5)", "7"),
        ("pi", "3.14159265359"),
        ("e", "2.71828182846"),
        # literals
        ("0b01101000", "104"),
        ("0x1F", "31"),
        ("6e8-4e8", "200000000"),
        ("3.33e8*0.601", "200133000"),
        (".5+1", "1.5"),
        # full-width and typographic operators
        ("１２＋３", "15"),
        ("（２＋３）＊４", "20"),
        ("２＾１０", "1024"),
        ("3×4", "12"),
        ("12÷4", "3"),
        ("5−2", "3"),
        ("2π", "6.28318530718"),  # an implicit product, as written on paper
        ("π*2", "6.28318530718"),
        ("3²+4²", "25"),
        ("√(16)", "4"),
        ("50％", "0.5"),
        # Chinese units are dropped, magnitudes applied
        ("100元*3", "300"),
        ("3个*5", "15"),
        ("209366亿美元/328.2万人", "6379219.98781"),
        ("1.5万+5000", "20000"),
        ("2万亿/1亿", "20000"),
        ("$100*2", "200"),
        # English magnitude words scale the number before them, exactly
        ("610 million - 589 million", "21000000"),
        ("$5.2 billion / 88000", "59090.9090909"),
        ("1.5 Million*2", "3000000"),
        ("2 trillion/4 thousand", "500000000"),
    ],
)
def test_dialect(expression: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(MathError):
            calculate_text(expression)
    else:
        assert calculate_text(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("2^100", 2**100),
        ("2^1000", 2**1000),
        ("12345679*9", 111111111),
        ("99999999999*99999999999", 99999999999 * 99999999999),
        ("9223372036854775807+1", 2**63),  # int64 would wrap here
        ("-9223372036854775808-1", -(2**63) - 1),
        ("3^40", 3**40),
        ("25!", math.factorial(25)),
        ("10^16", 10**16),
        ("2^64 % 1000007", 2**64 % 1000007),
        ("(2^80)//(3^20)", 2**80 // 3**20),
    ],
)
def test_integers_are_exact(expression: str, expected: int) -> None:
    value = calculate_value(expression)
    assert isinstance(value, int)
    assert value == expected
    assert calculate_text(expression) == str(expected)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1500/20", "75"),  # an even integer division stays an integer
        ("60/6", "10"),
        ("50/(2*7)", "3.57142857143"),
        ("400*(1-0.45)", "220"),
        ("(1/3)*(20*20)*40", "5333.33333333"),
        ("4*6.5*0.9", "23.4"),
        ("(90/(1-0.95))", "1800"),
        ("160000/1800", "88.8888888889"),
        ("0-0.0", "0"),
        ("-0.0", "0"),  # never "-0"
        ("2^0.5", "1.41421356237"),
        ("1e20*10", "1e+21"),
        ("2^1000/3", "3.57169535729e+300"),
    ],
)
def test_float_formatting(expression: str, expected: str) -> None:
    assert calculate_text(expression) == expected


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("", "empty"),
        (";;", "empty"),
        ("x+1", "unknown name 'x'"),
        ("2x", "unknown name 'x'"),
        ("x+y", "unknown name 'x'"),
        ("sqrt(a)", "unknown name 'a'"),
        ("fooo(x)", "unknown function 'fooo'"),
        ("Corvell Robotics revenue per robot", "holds no number"),
        ("Lake Orvanne deepest point to m", "look them up first"),
        ("apples + pears", "holds no number"),
        ("120=8*A+5*B", "use Solve"),
        ("x - 0.8*x = 24 - 19.2", "use Solve"),
        ("pass_rate = 97; unqualified = 3;", "ends with a definition"),
        ("3; 4", "only the last"),
        ("pi = 3; pi", "cannot be assigned"),
        ("-9 == 1 - 8", "comparisons"),
        ("1700>=1600", "comparisons"),
        ("1 < 2", "comparisons"),
        ("2022-09-01 - 1998-11-20", "leading zero"),
        ("sqrt[(41-10)(41-20)]", "brackets"),
        ("'1'+'2'", "quotes"),
        ("(1).real", "attribute"),
        ("y(3*(2^10))", "unknown function 'y'"),
        ("str(2)", "unknown function 'str'"),
        ("sqrt(1, 2)", "takes 1 argument"),
        ("1/0", "division by zero"),
        ("1//0", "division by zero"),
        ("5%0", "division by zero"),
        ("0^-1", "division by zero"),
        ("sqrt(-1)", "no real square root"),
        ("log(0)", "must be > 0"),
        ("ln(-1)", "non-positive"),
        ("log(8, 1)", "not 1"),
        ("asin(2)", "undefined"),
        ("(-8)^(1/3)", "no real value"),
        ("(-1)!", "negative"),
        ("2.5!", "whole number"),
        ("1e308*10", "too large for floating point"),
        ("1e400", "too large for floating point"),
        ("exp(1000)", "overflows"),
        ("2^10000", "digits; the limit is 1000"),
        ("2^1000000", "digits; the limit is 1000"),
        ("9**9**9**9", "digits"),
        ("10^10^10", "digits"),
        ("450!", "largest factorial: 449!"),
        ("2^3**700", "astronomically many digits"),  # found by fuzzing: float(3**700) overflows
        ("(3**700)!", "(a 334-digit number)!"),
        ("1e30000万", "out of range"),  # found by fuzzing: a 30,000-digit int from a magnitude
        ("1e3000700万", "out of range"),
        ("factorial(10**7)", "digits"),
        ("1" * 1001, "1001-digit number"),
        ("2" * 2001, "too long"),
        ("(" * 100 + "1" + ")" * 100, "nested deeper"),
        ("-" * 100 + "1", "nested deeper"),
        ("1坦桑尼亚先令等于多少美元", "is not a number"),
        ("五环路长度", "is not a number"),
        ("sin(30°)", "radians"),
        ("sin(30度)", "radians"),
        ("(18 kg) / ( (40 cm)^3 )", "'kg' is a unit: convert with 'to'"),
        ("1,00", "unexpected ','"),  # "1,000" is a thousand (test_calculate_functions)
        # a stray ')' with more after it, or an open call ending on an operator, is not balanced
        # (test_calculate_functions: only the very end is)
        ("(2+3))*4", "unexpected ')' at position 6"),
        ("sqrt(16)) + 1", "unexpected ')'"),
        ("2+3)(4", "unexpected ')' at position 4"),
        ("f(x)=2x+3); f(2)", "unexpected ')'"),
        ("sqrt(2+", "unexpected the end"),
        ("(", "unexpected the end"),
        ("(" * 1500 + "1", "nested deeper"),  # closing 1,500 of them still hits the depth bound
        ("__import__('os')", "dunder"),
        ("lambda: 1", "lambdas"),
    ],
)
def test_rejections_say_why(expression: str, fragment: str) -> None:
    with pytest.raises(MathError) as info:
        calculate_text(expression)
    assert fragment in str(info.value)


def test_large_results_are_refused_as_too_large() -> None:
    for expression in ("2^10000", "450!", "9**9**9**9", "1e308*10"):
        with pytest.raises(TooLarge):
            calculate_text(expression)
    assert len(calculate_text("449!")) <= MAX_INT_DIGITS


def test_normalize_keeps_what_it_does_not_understand_for_the_parser() -> None:
    assert normalize("２＋３") == "2+3"
    assert normalize("x²") == "x^(2)"
    assert normalize("328.2万人") == "3282000"
    assert normalize("0.5万") == "5000"
    assert normalize("1.25万") == "12500"
    assert normalize("1.23456万") == "12345.6"
    assert normalize("3.0") == "3.0"  # floats stay floats
    assert normalize("0.25 billion") == "250000000"
    # a magnitude word only scales a number standing on its own, never part of a name or word
    assert normalize("x2 million") == "x2 million"
    assert normalize("2millionaire") == "2millionaire"
    with pytest.raises(TooLarge):
        normalize("1e2500 trillion")


def test_tool_wraps_values_and_failures() -> None:
    assert Calculate.name == "Calculate"
    assert Calculate.capability == "Calculator"
    assert Calculate.signature == "Calculate(expression)"
    assert Calculate("2^10").render_body() == " 1024"
    failed = Calculate("2x")
    assert not failed.ok
    assert failed.error is not None and failed.error.kind is ErrorKind.REFUSED
    assert failed.render_body() == " No result. unknown name 'x': Calculate computes numbers; define it first (x=...; ...) or use Solve for an equation"


_small = st.integers(min_value=-(10**12), max_value=10**12)


@st.composite
def _int_expressions(draw: st.DrawFn, depth: int = 3) -> tuple[str, int]:
    """Random integer expressions with their exact value, built by the test (never parsed by
    Python from foreign text): checks exactness far beyond int64."""
    if depth == 0 or draw(st.booleans()):
        value = draw(_small)
        return (f"({value})" if value < 0 else str(value)), value
    op = draw(st.sampled_from(["+", "-", "*", "^"]))
    left_text, left = draw(_int_expressions(depth - 1))
    if op == "^":
        exponent = draw(st.integers(min_value=0, max_value=5))
        return f"({left_text})^{exponent}", left**exponent
    right_text, right = draw(_int_expressions(depth - 1))
    value = {"+": left + right, "-": left - right, "*": left * right}[op]
    return f"({left_text}){op}({right_text})", value


@settings(max_examples=200, deadline=None)
@given(_int_expressions())
def test_random_integer_arithmetic_is_exact(case: tuple[str, int]) -> None:
    text, value = case
    if len(str(abs(value))) > MAX_INT_DIGITS:
        with pytest.raises(TooLarge):
            calculate_text(text)
    else:
        assert calculate_text(text) == str(value)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from(["+", "-", "*", "/"]),
)
def test_float_arithmetic_matches_numexpr(a: float, b: float, op: str) -> None:
    """Same IEEE doubles as numexpr, the engine MOSS used (the string given to numexpr is
    built here from two floats, never from model text)."""
    numexpr = pytest.importorskip("numexpr")
    if op == "/" and b == 0:
        return
    text = f"({a!r}){op}({b!r})"
    expected = float(numexpr.evaluate(text))
    if math.isinf(expected):
        with pytest.raises(TooLarge):  # numexpr prints inf; we refuse to
            calculate_text(text)
    else:  # the same double, shown to 12 digits; a cancellation to noise shows as 0
        got = float(calculate_text(text))
        assert math.isclose(got, expected, rel_tol=1e-11, abs_tol=1e-15 * max(abs(a), abs(b)))
