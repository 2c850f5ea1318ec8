"""A small tokenizer and precedence parser for calculator and equation text.

Nothing here evaluates anything: the parser turns (already normalized, see `_mathdialect`) text
into a tree of frozen dataclasses, refusing every character and name it does not know. That is
the security wall: numexpr's `evaluate` (CVE-2023-39631) and sympy's `sympify` both end in
Python `eval`, so raw model text must never reach them; only this tree reaches an evaluator.

Grammar, loosest binding first (Python's rules, plus the MOSS dialect):

    program    := part ((';' | ',' in Solve) part)*      empty parts are skipped
    part       := expr ('=' expr)?
    expr       := term (('+' | '-') term)*
    term       := unary (('*' | '/' | '//' | '%') unary | implicit unary)*
    unary      := ('-' | '+') unary | power                 so -3^2 is -(3^2) = -9
    power      := postfix (('^' | '**') unary)?             right-associative: 2^3^2 = 2^9
    postfix    := atom ('!' | '%')*                         7!, and 5% = 5/100
    atom       := number | name | function '(' expr (',' expr)* ')' | '(' expr ')'

`%` after an operand is a percent sign unless a number, name or '(' follows, in which case it
is the modulo operator (`10 % 3`, but `6.7%-6.9%`). Implicit multiplication (`2x`, `4(x-2)`,
`(a+b)(a-b)`, `x(x+1)`) is only read in Solve's mode; for the calculator `2x` is an error.
Nesting is bounded (`MAX_DEPTH`) so that deep input is refused, never a RecursionError, and
additive or multiplicative runs are kept flat (`Chain`) so evaluators never recurse on length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plugins._matherrors import MathError, TooLarge

MAX_DEPTH = 60
"""Deepest nesting of parentheses, signs and powers accepted."""

MAX_INT_DIGITS = 1000
"""Largest integer (in decimal digits) a literal or a result may have."""

MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219280948873626) + 1

FUNCTIONS: dict[str, tuple[int, int]] = {
    "sqrt": (1, 1),
    "cbrt": (1, 1),
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
    "max": (1, 20),
    "min": (1, 20),
}
"""Every function either evaluator may know, with its (min, max) number of arguments."""


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
    """One `;`-separated part: an expression, or `lhs = rhs` (assignment or equation)."""

    lhs: Node
    rhs: Node | None = None


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>0[bB][01]+|0[xX][0-9a-fA-F]+|0[oO][0-7]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\*\*|//|==|!=|>=|<=|[-+*/^%!(),;=<>])
    """,
    re.VERBOSE,
)
_LEADING_ZERO = re.compile(r"0\d")
_OPERAND_START = ("num", "name", "(")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "name", an operator's own text, or "end"
    text: str
    pos: int


def _describe(ch: str) -> str:
    if ch in "'\"":
        return "quotes: strings are not arithmetic"
    if ch in "[]{}":
        return "brackets: use ( ) for grouping"
    if ch == ".":
        return "attribute access is not arithmetic"
    if ch in ":":
        return "':' (lambdas, slices and dicts are not arithmetic)"
    return repr(ch)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens, refusing any character outside the arithmetic alphabet."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise MathError(f"unexpected {_describe(text[pos])} at position {pos + 1}")
        kind = match.lastgroup or ""
        value = match.group(0)
        if kind == "num":
            tokens.append(Token("num", value, pos))
        elif kind == "name":
            if "__" in value:
                raise MathError(f"the name {value!r} is not allowed (no dunder names)")
            tokens.append(Token("name", value, pos))
        elif kind == "op":
            if value in ("==", "!=", ">=", "<=", "<", ">"):
                raise MathError(f"comparisons ({value}) are not computed: write one expression")
            tokens.append(Token("^" if value == "**" else value, value, pos))
        pos = match.end()
    tokens.append(Token("end", "", pos))
    return tokens


def parse_number(text: str) -> int | float:
    """The value of a numeric literal: an exact int unless it has a point or an exponent."""
    lower = text.lower()
    if lower.startswith(("0b", "0x", "0o")):
        value: int | float = int(text, 0)
    elif _LEADING_ZERO.match(text):
        raise MathError(
            f"the number {text!r} has a leading zero (a date or a code, not arithmetic)"
        )
    elif "." in text or "e" in lower:
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise TooLarge(f"the number {text!r} is too large for floating point")
        return value
    else:
        if len(text) > MAX_INT_DIGITS:
            raise TooLarge(f"a {len(text)}-digit number; the limit is {MAX_INT_DIGITS} digits")
        value = int(text)
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TooLarge(f"the number {text!r} is larger than {MAX_INT_DIGITS} digits")
    return value


class _Parser:
    def __init__(self, tokens: list[Token], implicit: bool) -> None:
        self.tokens = tokens
        self.i = 0
        self.implicit = implicit
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
        what = "the end of the expression" if token.kind == "end" else repr(token.text)
        hint = f" ({wanted})" if wanted else ""
        previous = self.tokens[self.i - 1] if self.i else None
        if token.kind in ("name", "(") and previous is not None and previous.kind in ("num", ")"):
            hint = " (write products with '*', e.g. 2*x)"
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
            if self.peek.kind == "(":
                if token.text in FUNCTIONS:
                    return self.call(token)
                if not (self.implicit and len(token.text) == 1):
                    raise MathError(
                        f"unknown function {token.text!r}; known: {', '.join(FUNCTIONS)}"
                    )
            return Name(token.text)
        if token.kind == "(":
            self.advance()
            inner = self.expr()
            self.expect(")")
            return inner
        raise self.unexpected("expected a number, a name or '('")

    def call(self, name: Token) -> Node:
        self.expect("(")
        args = [self.expr()]
        while self.peek.kind == ",":
            self.advance()
            args.append(self.expr())
        self.expect(")")
        low, high = FUNCTIONS[name.text]
        if not low <= len(args) <= high:
            wanted = str(low) if low == high else f"{low} to {high}"
            raise MathError(f"{name.text}() takes {wanted} argument(s), got {len(args)}")
        return Call(name.text, tuple(args))


def parse_program(text: str, *, implicit: bool = False, comma_separates: bool = False) -> list[Part]:
    """Parse `text` into its `;`-separated parts (also `,` when `comma_separates`)."""
    parser = _Parser(tokenize(text), implicit)
    separators = (";", ",") if comma_separates else (";",)
    parts: list[Part] = []
    while parser.peek.kind != "end":
        if parser.peek.kind in separators:
            parser.advance()
            continue
        lhs = parser.expr()
        rhs = None
        if parser.peek.kind == "=":
            parser.advance()
            rhs = parser.expr()
        if parser.peek.kind not in (*separators, "end"):
            raise parser.unexpected()
        parts.append(Part(lhs, rhs))
    if not parts:
        raise MathError("empty expression")
    return parts


def has_names(node: Node) -> bool:
    """Whether `node` mentions any name (variable or constant), iteratively."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name):
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
