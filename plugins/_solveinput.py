"""What a Solve call asks: its equations, the variables wanted, and the functions it defines.

A model passes a system in any of three shapes, all read the same:
`Solve("x+y=10; x-y=2")`, `Solve("x+y=10, x-y=2")` and `Solve("x+y=10", "x-y=2")`. The
first argument is always equation text; a later argument with `=` is more equations, one
without is the names of the variables wanted (`Solve("x^2=4", "x")`, `"x, y"`). Inside the
text a part that is a bare name also names a wanted variable (`4x=72;x`); any other bare
expression is a note to self and is ignored. A part `f(x)=...` defines a function used by the
other parts (`f(x)=2x^2-3; f(a)=95`); see `_calcdefs` for what a definition may contain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plugins._calcdefs import Function, define, definition_head
from plugins._mathdialect import check_length, normalize
from plugins.errors import MathError, TooLarge, quote
from plugins._mathparse import Name, Part, parse_program

MAX_ARGUMENTS = 10
MAX_PARTS = 20


@dataclass
class Request:
    """A Solve call, read: its equations (`lhs = rhs` parts), the variables wanted (none:
    all), and the functions the text defines."""

    equations: list[Part]
    targets: list[str]
    functions: dict[str, Function] = field(default_factory=dict)


def parse_variables(variable: str) -> list[str] | None:
    """The names in a variables argument (`"x"`, `"x, y"`), or None when it is not names."""
    check_length(variable)
    names = [name for name in variable.replace(",", " ").replace(";", " ").split() if name]
    if not names:
        return None
    for name in names:
        if not name.isidentifier() or "__" in name or not name.isascii():
            return None
    return names


def _strip_braces(text: str) -> str:
    stripped = text.strip()
    if len(stripped) >= 2 and (stripped[0], stripped[-1]) in (("{", "}"), ("[", "]")):
        return stripped[1:-1]
    return stripped


def _equation_text(args: tuple[str, ...]) -> tuple[str, list[str]]:
    """The arguments' equations joined into one text, and the names the arguments want."""
    if len(args) > MAX_ARGUMENTS:
        raise TooLarge(f"{len(args)} arguments; pass at most {MAX_ARGUMENTS} equations")
    texts = [_strip_braces(normalize(args[0]))]
    wanted: list[str] = []
    for arg in args[1:]:
        check_length(arg)
        text = normalize(arg)
        if not text.strip():
            continue
        if "=" in text:
            texts.append(_strip_braces(text))
            continue
        names = parse_variables(text)
        if names is None:
            raise MathError(
                f"{quote(arg)} is neither an equation (no '=') nor variable names; "
                'e.g. Solve("x+y=10", "x-y=2") or Solve("x^2=4", "x")'
            )
        wanted.extend(name for name in names if name not in wanted)
    text = ";".join(texts)
    check_length(text)
    return text, wanted


def read_request(args: tuple[str, ...]) -> Request:
    """Parse a Solve call's arguments (see the module docstring); raise `MathError`."""
    text, wanted = _equation_text(args)
    parts = parse_program(text, implicit=True, comma_separates=True, letter_products=True)
    if len(parts) > MAX_PARTS:
        raise TooLarge(f"{len(parts)} parts; the limit is {MAX_PARTS}")
    functions: dict[str, Function] = {}
    equations: list[Part] = []
    named: list[str] = []
    for part in parts:
        if part.rhs is None:
            if isinstance(part.lhs, Name) and part.lhs.id not in named:
                named.append(part.lhs.id)
            continue
        head = definition_head(part.lhs)
        if head is not None and head[0] not in functions:  # a second `f(a)=` is an equation
            name, params = head
            functions[name] = define(name, params, part.rhs, functions, {}, {"pi"})
            continue
        equations.append(part)
    return Request(equations, wanted or named, functions)
