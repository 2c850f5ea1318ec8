"""Functions defined inside one call: `f(x)=2x^2-3; f(7)`, for Calculate and Solve alike.

A definition may only use its parameters, the constants, the quantities defined before it and
the functions defined before it. So a definition can never reach itself (`f(x)=f(x)` is
refused, as is a mutual pair), and whatever a call expands to is known when the function is
defined: `measure` gives the number of nodes and the depth of a tree with every call of a
defined function expanded, and a definition or an expression over `MAX_EXPANDED_NODES` or
`MAX_EXPANDED_DEPTH` is refused before anything is evaluated (a chain of twenty functions
that each call the previous one twice would otherwise expand a million-fold). Built-in names
cannot be redefined: `sqrt(x)=x` and `pi=3` are refused with the name to use instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plugins.errors import MathError, TooLarge, quote
from plugins._mathparse import FUNCTIONS, Call, Name, Node, children

MAX_EXPANDED_NODES = 10_000
"""Most nodes an expression may have with every defined function expanded."""

MAX_EXPANDED_DEPTH = 150
"""Deepest an expression may nest with every defined function expanded (the evaluators
recurse on depth, two frames a level, well inside Python's limit)."""


@dataclass(frozen=True)
class Function:
    """A function defined in the text: its parameters, body, and the quantities it saw."""

    name: str
    params: tuple[str, ...]
    body: Node
    env: Mapping[str, Any] = field(default_factory=dict)
    size: int = 1
    depth: int = 1


def measure(node: Node, functions: Mapping[str, Function]) -> tuple[int, int]:
    """(nodes, depth) of `node` with the defined functions it calls expanded."""
    size, depth = 1, 0
    for child in children(node):
        child_size, child_depth = measure(child, functions)
        size += child_size
        depth = max(depth, child_depth)
    if isinstance(node, Call) and node.func in functions:
        defined = functions[node.func]
        size += defined.size
        depth = max(depth, defined.depth)
    return size, depth + 1


def check_size(node: Node, functions: Mapping[str, Function]) -> tuple[int, int]:
    """`measure(node)`, refusing a tree beyond the expansion bounds."""
    size, depth = measure(node, functions)
    if size > MAX_EXPANDED_NODES:
        raise TooLarge(
            f"the definitions expand to more than {MAX_EXPANDED_NODES} terms; "
            "compute the steps in separate calls"
        )
    if depth > MAX_EXPANDED_DEPTH:
        raise TooLarge(
            f"the definitions nest deeper than {MAX_EXPANDED_DEPTH} levels; "
            "compute the steps in separate calls"
        )
    return size, depth


def definition_head(lhs: Node) -> tuple[str, tuple[str, ...]] | None:
    """(name, parameters) when `lhs` reads `f(x, ...)` with a name that is not built in."""
    if not isinstance(lhs, Call) or lhs.func in FUNCTIONS:
        return None
    if not all(isinstance(arg, Name) for arg in lhs.args):
        return None
    return lhs.func, tuple(arg.id for arg in lhs.args)  # type: ignore[union-attr]


def redefines_builtin(lhs: Node) -> MathError | None:
    """The refusal for `sqrt(x)=...`: a built-in function named as a definition's head."""
    if isinstance(lhs, Call) and lhs.func in FUNCTIONS and all(
        isinstance(arg, Name) for arg in lhs.args
    ):
        return MathError(
            f"{lhs.func}() is a built-in function and cannot be redefined; "
            f"give yours another name, e.g. f(x)=..."
        )
    return None


def _used_functions(node: Node) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Call) and current.func not in FUNCTIONS:
            found.add(current.func)
        stack.extend(children(current))
    return found


def define(
    name: str,
    params: tuple[str, ...],
    body: Node,
    functions: Mapping[str, Function],
    env: Mapping[str, Any],
    reserved: set[str] | frozenset[str] = frozenset(),
) -> Function:
    """Check a definition `name(params) = body` and measure it; `reserved` are names that
    cannot be parameters (Calculate's constants)."""
    if name in functions:
        raise MathError(f"the function {quote(name)} is defined twice; use another name")
    if name in env or name in reserved:
        raise MathError(f"{quote(name)} is already a quantity or a constant; name the function f")
    if len(set(params)) != len(params):
        raise MathError(f"the parameters of {name}() repeat a name; write e.g. {name}(x, y)=...")
    for param in params:
        if param in reserved or param in FUNCTIONS:
            raise MathError(
                f"{quote(param)} is a built-in name and cannot be a parameter; use x, y or t"
            )
    for used in _used_functions(body):
        if used == name:
            raise MathError(
                f"{name}() is defined in terms of itself; recursive definitions are not computed"
            )
        if used not in functions:
            raise MathError(f"{used}() is used in {name}() before it is defined; define it first")
    size, depth = check_size(body, functions)
    return Function(name, params, body, dict(env), size, depth)
