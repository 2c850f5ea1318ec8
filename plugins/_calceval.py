"""Evaluate a parsed calculator tree with exact integers and IEEE doubles.

The arithmetic lives in `_calcnum` (types, prices, exact division) and the built-in functions
in `_calcfuncs`; this module walks the tree. Names are looked up in the caller's environment
(constants and the call's own assignments); a call of a function defined in the same text
(`f(x)=2x^2-3; f(7)`) evaluates the stored body with the arguments bound to its parameters.
Such bodies are measured when they are defined (`_calcdefs`), so an evaluation never runs
longer or deeper than those bounds allow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from plugins._calcfuncs import call
from plugins._calcnum import Number, binary, factorial, finite, power
from plugins.errors import MathError, quote
from plugins._mathparse import Call, Chain, Name, Neg, Node, Num, Postfix, Pow

if TYPE_CHECKING:
    from plugins._calcdefs import Function

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

NO_FUNCTIONS: Mapping[str, Function] = {}


def unknown_name(name: str) -> MathError:
    """The refusal for a name nothing defines, with the unit hint when it is a unit."""
    from plugins._calcunits import is_unit  # the registry: only when the message needs it

    if len(name) > 1 and is_unit(name):  # not a, c, d: single letters are variables first
        return MathError(
            f"{quote(name)} is a unit: convert with 'to', e.g. 3 km to m, 100 km/h to m/s"
        )
    return MathError(
        f"unknown name {quote(name)}: Calculate computes numbers; define it first "
        f"({name[:20]}=...; ...) or use Solve for an equation"
    )


def evaluate(
    node: Node, env: Mapping[str, Number], functions: Mapping[str, Function] = NO_FUNCTIONS
) -> Number:
    """The value of `node`: names from `env` (constants included by the caller), calls of
    defined functions from `functions`."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        try:
            return env[node.id]
        except KeyError:
            raise unknown_name(node.id) from None
    if isinstance(node, Chain):
        value = evaluate(node.first, env, functions)
        for op, operand in node.rest:
            value = binary(op, value, evaluate(operand, env, functions))
        return value
    if isinstance(node, Neg):
        return -evaluate(node.operand, env, functions)
    if isinstance(node, Pow):
        return power(evaluate(node.base, env, functions), evaluate(node.exponent, env, functions))
    if isinstance(node, Postfix):
        value = evaluate(node.operand, env, functions)
        return factorial(value) if node.op == "!" else finite(binary("/", value, 100))
    if isinstance(node, Call):
        args = [evaluate(arg, env, functions) for arg in node.args]
        defined = functions.get(node.func)
        if defined is None:
            return call(node.func, args)
        scope = {**defined.env, **dict(zip(defined.params, args))}
        return evaluate(defined.body, scope, functions)
    raise MathError(f"cannot evaluate {node!r}")  # pragma: no cover
