"""A small precedence parser for calculator and equation text.

Nothing here evaluates anything: the parser turns (already normalized, see `_mathdialect`, and
tokenized, see `_mathtokens`) text into a tree of frozen dataclasses, refusing every name it
does not know. That is the security wall: numexpr's `evaluate` (CVE-2023-39631), sympy's
`sympify` and pint's expression parser all end in code we must not feed model text, so only
this tree reaches an evaluator (pint is only ever given unit names this tree validated).

Grammar, loosest binding first (Python's rules, plus the MOSS dialect):

    program    := part ((';' | ',' in Solve) part)*      empty parts are skipped
    part       := expr ('=' expr | 'to' expr)?           'to' (or 'in'): Calculate only
    expr       := term (('+' | '-') term)*
    term       := unary (('*' | '/' | '//' | '%' | 'mod') unary | implicit unary)*
    unary      := ('-' | '+') unary | power                 so -3^2 is -(3^2) = -9
    power      := postfix (('^' | '**') unary)?             right-associative: 2^3^2 = 2^9
    postfix    := atom ('!' | '%')*                         7!, and 5% = 5/100
    atom       := number | name | function '(' expr (',' expr)* ')' | '(' expr ')'

`%` after an operand is a percent sign unless a number, name or '(' follows, in which case it
is the modulo operator (`10 % 3`, but `6.7%-6.9%`); `15% of 80` is a product. Implicit
multiplication (`2x`, `4(x-2)`, `(a+b)(a-b)`, `3 km`) is read when `implicit` is on (both tools
now); a single letter before '(' (`x(x+1)`) is a product only in Solve's `letter_products`
mode, while the calculator calls it a function. A function defined in the same text
(`f(x)=2x^2-3; f(7)`, found by `_mathtokens.find_definitions`) is parsed as a call.
Nesting is bounded (`MAX_DEPTH`) so that deep input is refused, never a RecursionError, and
additive or multiplicative runs are kept flat (`Chain`) so evaluators never recurse on length.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plugins.errors import MathError, TooLarge, quote
from plugins._mathtokens import (
    CONVERT,
    MAX_INT_BITS,
    MAX_INT_DIGITS,
    OPERAND_END,
    Token,
    find_definitions,
    mark_words,
    parse_number,
    tokenize,
)

__all__ = ["MAX_INT_BITS", "MAX_INT_DIGITS", "parse_number", "tokenize"]

MAX_DEPTH = 60
"""Deepest nesting of parentheses, signs and powers accepted."""

MAX_LIST = 100
"""Most numbers one `sum`, `mean` or `median` takes: a list a person types, not a data set."""

FUNCTIONS: dict[str, tuple[int, int]] = {
    "sqrt": (1, 1),
    "cbrt": (1, 1),
    "root": (2, 2),
    "log": (1, 2),
    "ln": (1, 1),
    "log10": (1, 1),
    "log2": (1, 1),
    "exp": (1, 1),
    "sin": (1, 1),
    "cos": (1, 1),
    "tan": (1, 1),
    "asin": (1, 1),
    "acos": (1, 1),
    "atan": (1, 1),
    "arcsin": (1, 1),
    "arccos": (1, 1),
    "arctan": (1, 1),
    "abs": (1, 1),
    "round": (1, 2),
    "floor": (1, 1),
    "ceil": (1, 1),
    "factorial": (1, 1),
    "pow": (2, 2),
    "gcd": (1, 20),
    "lcm": (1, 20),
    "mod": (2, 2),
    "max": (1, 20),
    "min": (1, 20),
    "sum": (1, MAX_LIST),
    "mean": (1, MAX_LIST),
    "average": (1, MAX_LIST),
    "avg": (1, MAX_LIST),
    "median": (1, MAX_LIST),
    "factor": (1, 1),
}
"""Every function either evaluator may know, with its (min, max) number of arguments. A name
written in capitals (`LCM`, `Sqrt`) is read as the function it spells when only its case
differs, as calculators do."""

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "^": operator.pow,
}
"""What a tree's operators mean for objects with their own arithmetic (sympy, pint); the
calculator's numbers use `_calcnum.binary`, which prices and keeps integers exact."""

_SHOWN_FIRST = ("sqrt", "root", "cbrt", "gcd", "lcm", "mod", "round", "mean", "sum", "log", "ln",
                "exp", "sin", "cos", "tan", "abs", "floor", "ceil", "factorial", "factor", "max", "min")
MESSAGE_LIMIT = 150
"""Longest refusal message: the model reads it after `No result.` and retries from it."""


def unknown_function(name: str) -> MathError:
    """The refusal for a call of an unknown function: a close match first, then the known
    ones, as many as fit in one short line."""
    close = difflib.get_close_matches(name, list(FUNCTIONS), n=2, cutoff=0.6)
    if close:
        start = f"unknown function {quote(name)}; did you mean {' or '.join(close)}? known: "
    elif len(name) <= 2:
        return MathError(
            f"unknown function {quote(name)}: define it in the same call, "
            f"e.g. {name}(x)=2x^2-3; {name}(7)"
        )
    else:
        start = f"unknown function {quote(name)}; known: "
    shown = [*_SHOWN_FIRST, *(f for f in FUNCTIONS if f not in _SHOWN_FIRST)]
    text = start
    for i, function in enumerate(shown):
        piece = function if i == 0 else ", " + function
        if len(text) + len(piece) + 5 > MESSAGE_LIMIT:
            return MathError(text + ", ...")
        text += piece
    return MathError(text)


@dataclass(frozen=True, slots=True)
class Num:
    value: int | float
    text: str


@dataclass(frozen=True, slots=True)
class Name:
    id: str


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Chain:
    """`first op1 x1 op2 x2 ...` at one precedence level, evaluated left to right."""

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Pow:
    base: Node
    exponent: Node


@dataclass(frozen=True, slots=True)
class Postfix:
    op: str  # "!" or "%"
    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node = Num | Name | Neg | Chain | Pow | Postfix | Call


@dataclass(frozen=True, slots=True)
class Part:
    """One `;`-separated part: an expression, `lhs = rhs` (a definition or an equation), or
    a unit conversion `lhs to target`."""

    lhs: Node
    rhs: Node | None = None
    target: Node | None = None


_OPERAND_START = ("num", "name", "(")


class _Parser:
    def __init__(
        self, tokens: list[Token], implicit: bool, letter_products: bool, defined: dict[str, int]
    ) -> None:
        self.tokens = tokens
        self.i = 0
        self.implicit = implicit
        self.letter_products = letter_products
        self.defined = defined
        self.depth = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, kind: str) -> Token:
        token = self.peek
        if token.kind != kind:
            raise self.unexpected(f"expected {kind!r}")
        return self.advance()

    def unexpected(self, wanted: str = "") -> MathError:
        token = self.peek
        what = "the end of the expression" if token.kind == "end" else quote(token.text)
        hint = f" ({wanted})" if wanted else ""
        previous = self.tokens[self.i - 1] if self.i else None
        if token.kind in ("name", "(") and previous is not None and previous.kind in ("num", ")"):
            hint = " (write products with '*', e.g. 2*x)"
        if token.kind == CONVERT:
            hint = " (a unit conversion is the whole expression: 3 km to m)"
        return MathError(f"unexpected {what} at position {token.pos + 1}{hint}")

    def expr(self) -> Node:
        first = self.term()
        rest: list[tuple[str, Node]] = []
        while self.peek.kind in ("+", "-"):
            op = self.advance().kind
            rest.append((op, self.term()))
        return Chain(first, tuple(rest)) if rest else first

    def term(self) -> Node:
        first = self.unary()
        rest: list[tuple[str, Node]] = []
        while True:
            kind = self.peek.kind
            if kind in ("*", "/", "//", "%"):
                self.advance()
                rest.append((kind, self.unary()))
            elif self.implicit and kind in ("name", "("):
                rest.append(("*", self.unary()))
            else:
                break
        return Chain(first, tuple(rest)) if rest else first

    def unary(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooLarge(f"expression nested deeper than {MAX_DEPTH} levels")
        try:
            if self.peek.kind in ("-", "+"):
                negative = self.advance().kind == "-"
                operand = self.unary()
                return Neg(operand) if negative else operand
            base = self.postfix()
            if self.peek.kind == "^":
                self.advance()
                return Pow(base, self.unary())
            return base
        finally:
            self.depth -= 1

    def postfix(self) -> Node:
        node = self.atom()
        while True:
            kind = self.peek.kind
            if kind == "!":
                self.advance()
                node = Postfix("!", node)
            elif kind == "%" and self.tokens[self.i + 1].kind not in _OPERAND_START:
                self.advance()
                node = Postfix("%", node)
            else:
                return node

    def atom(self) -> Node:
        token = self.peek
        if token.kind == "num":
            self.advance()
            return Num(parse_number(token.text), token.text)
        if token.kind == "name":
            self.advance()
            called = self.peek.kind == "("
            if token.text in self.defined:
                if not called:
                    raise MathError(
                        f"{quote(token.text)} is a function defined here; call it with its "
                        f"argument(s), e.g. {token.text}(2)"
                    )
                return self.call(token, self.defined[token.text], self.defined[token.text])
            if called:
                if token.text in FUNCTIONS:
                    return self.call(token, *FUNCTIONS[token.text])
                if len(token.text) > 1 and token.text.lower() in FUNCTIONS:
                    return self.call(token, *FUNCTIONS[token.text.lower()], func=token.text.lower())
                if not (self.letter_products and len(token.text) == 1):
                    raise unknown_function(token.text)
            return Name(token.text)
        if token.kind == "(":
            self.advance()
            inner = self.expr()
            self.expect(")")
            return inner
        raise self.unexpected("expected a number, a name or '('")

    def call(self, name: Token, low: int, high: int, func: str | None = None) -> Node:
        self.expect("(")
        args = [self.expr()]
        while self.peek.kind == ",":
            self.advance()
            args.append(self.expr())
        self.expect(")")
        if not low <= len(args) <= high:
            wanted = str(low) if low == high else f"{low} to {high}"
            raise MathError(f"{name.text}() takes {wanted} argument(s), got {len(args)}")
        return Call(func or name.text, tuple(args))


_GROUP_HEAD = re.compile(r"[1-9]\d{0,2}")
_GROUP = re.compile(r"\d{3}")
_GROUP_LAST = re.compile(r"\d{3}\.\d*")


def join_thousands(tokens: list[Token]) -> list[Token]:
    """`4,500` and `1,234,567.5` outside parentheses as the one number people mean by them.

    Only where a comma means nothing else: between digit groups of three written without
    spaces, outside any call's parentheses (`max(4,500)` keeps its two arguments).
    """
    out: list[Token] = []
    depth = i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "(":
            depth += 1
        elif token.kind == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and token.kind == "num" and _GROUP_HEAD.fullmatch(token.text):
            text, j = token.text, i
            while j + 2 < len(tokens):
                comma, group = tokens[j + 1], tokens[j + 2]
                adjacent = comma.pos == tokens[j].pos + len(tokens[j].text) and group.pos == comma.pos + 1
                if not (adjacent and comma.kind == "," and group.kind == "num"):
                    break
                if _GROUP.fullmatch(group.text):
                    text, j = text + group.text, j + 2
                    continue
                if _GROUP_LAST.fullmatch(group.text):
                    text, j = text + group.text, j + 2
                break
            if j > i:
                out.append(Token("num", text, token.pos))
                i = j + 1
                continue
        out.append(token)
        i += 1
    return out


def balance_ends(tokens: list[Token]) -> list[Token]:
    """Parentheses left open at the very end closed, and a surplus of `)` at the very end
    dropped, as a pocket calculator does: `round(mean(1, 2, 4)` and `round(mean(1, 2, 4)))`
    can only mean `round(mean(1, 2, 4))`. An unmatched `)` anywhere else is still an error.
    """
    *body, end = tokens
    depth = 0
    for i, token in enumerate(body):
        depth += (token.kind == "(") - (token.kind == ")")
        if depth < 0:  # this `)` closes nothing: fine only when nothing but `)` follows it
            return body[:i] + [end] if all(t.kind == ")" for t in body[i:]) else tokens
    if depth > 0 and body and body[-1].kind in (*OPERAND_END, "%"):
        return body + [Token(")", ")", end.pos)] * depth + [end]
    return tokens


def parse_program(
    text: str,
    *,
    implicit: bool = False,
    comma_separates: bool = False,
    letter_products: bool = False,
    conversions: bool = False,
) -> list[Part]:
    """Parse `text` into its `;`-separated parts (also `,` when `comma_separates`); see the
    module docstring for the modes."""
    separators = (";", ",") if comma_separates else (";",)
    tokens = balance_ends(tokenize(text) if comma_separates else join_thousands(tokenize(text)))
    tokens = mark_words(tokens, separators, conversions=conversions)
    defined = find_definitions(tokens, separators, frozenset(FUNCTIONS))
    if letter_products:  # `a(b)=c` alone is a product; a definition is called somewhere else
        calls = [
            t.text for t, nxt in zip(tokens, tokens[1:]) if t.kind == "name" and nxt.kind == "("
        ]
        defined = {name: n for name, n in defined.items() if calls.count(name) > 1}
    parser = _Parser(tokens, implicit, letter_products, defined)
    parts: list[Part] = []
    while parser.peek.kind != "end":
        if parser.peek.kind in separators:
            parser.advance()
            continue
        lhs = parser.expr()
        rhs = target = None
        if parser.peek.kind == "=":
            parser.advance()
            rhs = parser.expr()
        elif parser.peek.kind == CONVERT:
            parser.advance()
            target = parser.expr()
        if parser.peek.kind not in (*separators, "end"):
            raise parser.unexpected()
        parts.append(Part(lhs, rhs, target))
    if not parts:
        raise MathError("empty expression")
    return parts


def has_names(node: Node) -> bool:
    """Whether `node` mentions any name (variable, constant or a function defined in the
    text), iteratively: only a tree without names is a plain number."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name) or (
            isinstance(current, Call) and current.func not in FUNCTIONS
        ):
            return True
        stack.extend(children(current))
    return False


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`."""
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Chain):
        return (node.first, *(operand for _, operand in node.rest))
    if isinstance(node, Pow):
        return (node.base, node.exponent)
    if isinstance(node, Postfix):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()
