"""Calculate's unit conversions: our parser reads the text, pint converts between unit names
we validated, and the registry is loaded in the tool's setup, never for plain arithmetic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins._calcunits import Converted, is_unit
from plugins.errors import MathError, TooLarge
from plugins.calculate import calculate_text, calculate_value

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # the conversions the issue names
        ("948854.7 nm to km", "9.488547e-07 km"),
        ("2000 years to millennia", "2 millennia"),
        ("3500 years in millennia", "3.5 millennia"),
        ("100 km/h to m/s", "27.7777777778 m/s"),
        ("72 kph to m/s", "20 m/s"),
        ("60 mph to km/h", "96.56064 km/h"),
        ("2 L to mL", "2000 mL"),
        ("1 m^3 to L", "1000 L"),
        ("1 gal to L", "3.785411784 L"),
        ("3 days to seconds", "259200 seconds"),
        ("seconds in 3 days", "259200 seconds"),
        ("90 min to h", "1.5 h"),
        ("1 h + 30 min to min", "90 min"),
        # temperatures are offset units: converted, never multiplied
        ("100 degC to degF", "212 degF"),
        ("37 degC to degF", "98.6 degF"),
        ("-40 degC to degF", "-40 degF"),
        ("300 K to degC", "26.85 degC"),
        ("98.6°F to °C", "37 degC"),
        ("25℃ to K", "298.15 K"),
        # prefixes, plurals and spellings pint knows
        ("5 kilometres to m", "5000 m"),
        ("10 in to cm", "25.4 cm"),
        ("5 µm to nm", "5000 nm"),
        ("1 kWh to J", "3600000 J"),
        ("d=5; d km to m", "5000 m"),
        # areas and volumes in words: square/sq and cubic/cu before a unit, squared/cubed after
        ("45 square metres to square feet", "484.375968752 feet^2"),
        ("406892.2 cubic metres to millilitres", "406892200000 millilitres"),
        ("2 sq m to cm^2", "20000 cm^2"),
        ("10 cu ft to L", "283.16846592 L"),
        ("3 m squared to cm^2", "30000 cm^2"),
        ("1 m cubed to L", "1000 L"),
        ("-3 cubic m to L", "-3000 L"),
        ("2*3 km to m", "6000 m"),
    ],
)
def test_conversions(expression: str, expected: str) -> None:
    assert calculate_text(expression) == expected


@pytest.mark.parametrize("expression", ["1 square to m", "2 square square m to cm^2", "5 cubic to L", "3 m squared squared to cm"])
def test_a_power_word_needs_one_unit_beside_it(expression: str) -> None:
    with pytest.raises(MathError):
        calculate_text(expression)


def test_a_conversion_keeps_the_target_units_as_written() -> None:
    value = calculate_value("1.5 h to s")
    assert isinstance(value, Converted)
    assert value.value == 5400 and value.unit == "s"


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("3 km to s", "cannot convert 'km' to 's'"),
        ("5 m + 3 s to m", "cannot add"),
        ("5 to m", "nothing to convert"),
        ("3 km to 5 m", "units only"),
        ("1 KM to m", "did you mean km?"),
        ("1 m to exec", "unknown unit 'exec'"),
        ("1 m to km^100", "whole number up to 12"),
        ("37 degC * 2 to degF", "converted, not computed"),
        ("sqrt(4 m^2) to m", "convert first"),
        ("1 m to km; 2", "must come last"),
        ("2 km", "'km' is a unit: convert with 'to'"),
        ("1 m to __import__('os')", "dunder"),
        ("1 m to m.__class__", "attribute"),
        ("1 m to 'km'", "quotes"),
    ],
)
def test_conversion_refusals_say_why(expression: str, fragment: str) -> None:
    with pytest.raises(MathError) as info:
        calculate_text(expression)
    assert fragment in str(info.value)


def test_overflow_in_a_conversion_is_refused() -> None:
    with pytest.raises(TooLarge):
        calculate_text("10^999 km to nm")


def test_single_letters_are_variables_first() -> None:
    """`a`, `c`, `d` are pint units (year, speed of light, day) but in plain arithmetic they
    are unknown names, and the message does not send the model to unit conversions."""
    assert is_unit("a") and is_unit("km") and not is_unit("__class__")
    with pytest.raises(MathError, match="unknown name 'a'"):
        calculate_text("a+b")


def test_plain_arithmetic_does_not_load_pint() -> None:
    code = ("import sys; from plugins.calculate import calculate_text; "
            "calculate_text('f(x)=2x^2-3; f(7)'); print('pint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "False", out.stderr


_NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(_NAMES, _NAMES)
def test_any_unit_names_give_a_conversion_or_a_clear_error(source: str, target: str) -> None:
    """Whatever names the model writes, pint sees only validated identifiers and the answer
    is a number with units or a one-line refusal, never another exception."""
    try:
        result = calculate_text(f"3 {source} to {target}")
    except MathError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) <= 150
    else:
        number, _, unit = result.partition(" ")
        assert float(number) == float(number) and unit
