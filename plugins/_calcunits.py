"""Unit conversions for Calculate: `948854.7 nm to km`, `100 km/h to m/s`, `37 degC to degF`.

The text is parsed by our own parser like any calculation (a conversion is `quantity to
units`, `in` when there is no `to`); a name that is not a number defined in the call is a
unit. Each unit name is a token our tokenizer validated (ASCII letters, digits and `_`, no
dunders), looked up one by one in pint's registry (`get_name`), and the quantity is built by
combining pint objects with our tree's operators: pint's own string parser never sees the
model's text. pint is a well-kept units library with thousands of units, prefixes and plurals
(`kilometres`, `millennia`, `mph`, `L`, `gal`, `degC`), so there is no hand-made table.

The registry takes a few tenths of a second to load, so the Calculate tool loads it in its
`setup` hook (once per sandbox worker, off the call's clock) and a calculation without units
never imports pint. Temperatures are offset units: `37 degC to degF` converts the temperature;
arithmetic on them (`10 degC * 2`) is refused with what to write instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from plugins._calcdefs import Function
from plugins._calceval import evaluate
from plugins._calcnum import Number, binary, finite
from plugins.errors import MathError, TooLarge, quote
from plugins._mathparse import OPERATORS, Call, Chain, Name, Neg, Node, Num, Pow, children

MAX_UNIT_POWER = 12
"""Largest power of a unit accepted (`m^3`, `s^-2`)."""

_registry: Any = None


def load_registry() -> Any:
    """pint's default registry, loaded once per process."""
    global _registry
    if _registry is None:
        import pint

        _registry = pint.UnitRegistry()
    return _registry


@dataclass(frozen=True)
class Converted:
    """A conversion's result: the number and the target units as the call wrote them."""

    value: Number
    unit: str


@lru_cache(maxsize=512)
def _lookup(name: str) -> Any:
    """The pint unit for a validated name, or None."""
    import pint

    registry = load_registry()
    try:
        canonical = registry.get_name(name)
        return registry.Unit(canonical) if canonical else None
    except (pint.errors.PintError, AttributeError, ValueError, KeyError):
        return None  # unknown, or a prefixed offset unit such as 'ydegC' that pint cannot build


def is_unit(name: str) -> bool:
    """Whether pint knows `name` as a unit (for the hint in an unknown-name message)."""
    return name.isidentifier() and "__" not in name and _lookup(name) is not None


def _unit(name: str) -> Any:
    found = _lookup(name)
    if found is None:
        hint = f"; did you mean {name.lower()}?" if _lookup(name.lower()) is not None else ""
        raise MathError(
            f"unknown unit {quote(name)}{hint} (units like km, m/s, h, L, kg, degC, inch)"
        )
    return found


def _is_number(node: Node, env: Mapping[str, Number], functions: Mapping[str, Function]) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name) and current.id not in env:
            return False
        if isinstance(current, Call) and current.func in functions:
            continue  # a defined function's body is numbers only
        stack.extend(children(current))
    return True


class _Quantities:
    """Evaluates a tree whose unknown names are units, into pint units and quantities."""

    def __init__(self, env: Mapping[str, Number], functions: Mapping[str, Function]) -> None:
        import pint

        self.env = env
        self.functions = functions
        self.registry = load_registry()
        self.errors = (pint.errors.PintError, TypeError, ValueError, ZeroDivisionError)

    def value(self, node: Node) -> Any:
        if _is_number(node, self.env, self.functions):
            return evaluate(node, self.env, self.functions)
        if isinstance(node, Name):
            return _unit(node.id)
        if isinstance(node, Neg):
            return self.combine("*", -1, self.value(node.operand))
        if isinstance(node, Chain):
            result = self.value(node.first)
            for op, operand in node.rest:
                result = self.combine(op, result, self.value(operand))
            return result
        if isinstance(node, Pow):
            exponent = evaluate(node.exponent, self.env, self.functions)
            if not isinstance(exponent, int) or abs(exponent) > MAX_UNIT_POWER:
                raise MathError(
                    f"a unit's power must be a whole number up to {MAX_UNIT_POWER} (m^3, s^-2)"
                )
            return self.combine("^", self.value(node.base), exponent)
        raise MathError(
            "functions, % and ! are not applied to quantities with units; "
            "convert first, then compute"
        )

    def combine(self, op: str, a: Any, b: Any) -> Any:
        if isinstance(a, Number) and isinstance(b, Number):
            return binary(op, a, b)
        unit = self.registry.Unit
        if op == "*" and isinstance(a, Number) and isinstance(b, unit):
            return self.registry.Quantity(a, b)  # also right for temperatures (37 degC)
        if op in ("+", "-"):
            a, b = self.quantity(a), self.quantity(b)
        elif op not in ("*", "/", "^"):
            raise MathError(f"'{op}' is not applied to quantities with units")
        try:
            return OPERATORS[op](a, b)
        except OverflowError as exc:
            raise TooLarge("a number is too large for floating point") from exc
        except self.errors as exc:
            raise self.explain(exc, op, a, b) from None

    def quantity(self, value: Any) -> Any:
        if isinstance(value, Number):
            raise MathError("a plain number cannot be added to a quantity: give it a unit")
        if isinstance(value, self.registry.Unit):
            return self.registry.Quantity(1, value)
        return value

    def explain(self, exc: Exception, op: str, a: Any, b: Any) -> MathError:
        import pint

        if isinstance(exc, ZeroDivisionError):
            return MathError("division by zero")
        if isinstance(exc, pint.errors.OffsetUnitCalculusError):
            return MathError(
                "temperatures (degC, degF) are converted, not computed: write 37 degC to degF"
            )
        if isinstance(exc, pint.errors.DimensionalityError):
            return MathError(
                f"cannot {'add' if op == '+' else 'subtract'} {_units(a)} and {_units(b)}: "
                "they measure different things"
            )
        return MathError(f"cannot compute with these units ({type(exc).__name__})")


def _units(value: Any) -> str:
    units = getattr(value, "units", value)
    return quote(f"{units:~}" if units is not None else "?", 30)


def _has_number(node: Node) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Num):
            return True
        if isinstance(current, Pow):
            stack.append(current.base)  # a unit's power is not a quantity's number
            continue
        stack.extend(children(current))
    return False


def unit_text(node: Node) -> str:
    """The target units as written (`km/h`, `m^3`), rebuilt from the validated tree."""
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Neg):
        return "-" + unit_text(node.operand)
    if isinstance(node, Pow):
        exponent = unit_text(node.exponent)
        if not isinstance(node.exponent, Num):
            exponent = f"({exponent})"
        return f"{unit_text(node.base)}^{exponent}"
    if isinstance(node, Chain):
        text = unit_text(node.first)
        for op, operand in node.rest:
            inner = unit_text(operand)
            text += op + (f"({inner})" if isinstance(operand, Chain) else inner)
        return text
    raise MathError("after 'to' write units only, e.g. 'to km/h'")


# Area and volume as English writes them: `square metres`, `sq ft`, `cubic feet`, `cm cubed`.
_POWER_BEFORE = {"square": 2, "sq": 2, "cubic": 3, "cu": 3}
_POWER_AFTER = {"squared": 2, "cubed": 3}


def _power_words(node: Node) -> Node:
    """`square metres` (parsed as the product square*metres) as metres^2, and `cm cubed` as
    cm^3, in a conversion's source or target; anything else unchanged."""
    if isinstance(node, Neg):
        return Neg(_power_words(node.operand))
    if not isinstance(node, Chain):
        return node
    items = [("*", node.first), *node.rest]
    out: list[tuple[str, Node]] = []
    i = 0
    while i < len(items):
        op, operand = items[i]
        ahead = items[i + 1] if i + 1 < len(items) else None
        if (isinstance(operand, Name) and operand.id.lower() in _POWER_BEFORE and ahead is not None
                and ahead[0] == "*" and isinstance(ahead[1], Name)):
            power = _POWER_BEFORE[operand.id.lower()]
            out.append((op, Pow(ahead[1], Num(power, str(power)))))
            i += 2
            continue
        if (isinstance(operand, Name) and operand.id.lower() in _POWER_AFTER and op == "*" and out
                and isinstance(out[-1][1], Name)):
            power = _POWER_AFTER[operand.id.lower()]
            out[-1] = (out[-1][0], Pow(out[-1][1], Num(power, str(power))))
            i += 1
            continue
        out.append((op, _power_words(operand)))
        i += 1
    first = out[0][1]
    return Chain(first, tuple(out[1:])) if len(out) > 1 else first


def convert(
    source: Node, target: Node, env: Mapping[str, Number], functions: Mapping[str, Function]
) -> Converted:
    """`source` (a quantity) in the units `target`; `seconds in 3 days` reads both ways."""
    source, target = _power_words(source), _power_words(target)
    if _has_number(target) and not _has_number(source):
        source, target = target, source
    if _has_number(target):
        raise MathError("after 'to' write units only, e.g. 3 km to m, 100 km/h to m/s")
    quantities = _Quantities(env, functions)
    value = quantities.value(source)
    if isinstance(value, Number):
        raise MathError("nothing to convert: write the unit after the number, e.g. 3 km to m")
    goal = quantities.value(target)
    if isinstance(goal, Number) or not isinstance(goal, quantities.registry.Unit):
        raise MathError("after 'to' write units only, e.g. 'to km/h'")
    quantity = quantities.quantity(value)
    import pint

    try:
        magnitude = quantity.to(goal).magnitude
    except pint.errors.DimensionalityError:
        raise MathError(
            f"cannot convert {_units(quantity)} to {_units(goal)}: they measure different things"
        ) from None
    except OverflowError as exc:
        raise TooLarge("a number is too large for floating point") from exc
    if not isinstance(magnitude, Number):
        magnitude = float(magnitude)
    return Converted(finite(magnitude), unit_text(target))
