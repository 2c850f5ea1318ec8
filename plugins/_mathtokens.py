"""Tokens for calculator and equation text, and the few words that act as operators.

The tokenizer is the first half of the security wall (see `_mathparse`): it knows numbers,
ASCII names without dunders and arithmetic operators, and refuses every other character with
a message that says what to write instead. Two passes then read what only the token stream
can tell:

- `mark_words`: `a mod b` is the modulo operator; `15% of 80` is a product; in the
  calculator, the last top-level `to` (or, without one, `in`) of a part starts a unit
  conversion (`948854.7 nm to km`). Any other `to`, `in`, `mod` or `of` stays a name, so
  `10 in to cm` still reads `in` as the inch.
- `find_definitions`: a part that starts `f(x, y) =` defines a function, so that `f(7)`
  later in the text is a call, not `f*7`. Built-in function names are never definitions
  (`sqrt(x)=4` is an equation for Solve).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plugins.errors import MathError, TooLarge, quote

MAX_INT_DIGITS = 1000
"""Largest integer (in decimal digits) a literal or a result may have."""

MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219280948873626) + 1

CONVERT = "to"
"""The token kind of the word that starts a unit conversion."""

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
OPERAND_END = ("num", "name", ")", "!")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "name", an operator's own text, "to", or "end"
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
                raise MathError(f"the name {quote(value)} is not allowed (no dunder names)")
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
            f"the number {quote(text)} has a leading zero (a date or a code, not arithmetic)"
        )
    elif "." in text or "e" in lower:
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise TooLarge(f"the number {quote(text)} is too large for floating point")
        return value
    else:
        if len(text) > MAX_INT_DIGITS:
            raise TooLarge(f"a {len(text)}-digit number; the limit is {MAX_INT_DIGITS} digits")
        value = int(text)
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TooLarge(f"the number {quote(text)} is larger than {MAX_INT_DIGITS} digits")
    return value


def _parts(tokens: list[Token], separators: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) token ranges of the top-level parts (the `end` token excluded)."""
    ranges = []
    start = depth = 0
    for i, token in enumerate(tokens):
        if token.kind == "(":
            depth += 1
        elif token.kind == ")":
            depth = max(depth - 1, 0)
        elif token.kind == "end" or (depth == 0 and token.kind in separators):
            ranges.append((start, i))
            start = i + 1
    return ranges


def mark_words(
    tokens: list[Token], separators: tuple[str, ...], *, conversions: bool
) -> list[Token]:
    """`tokens` with `mod`, `of` and the conversion word turned into operators."""
    marked = list(tokens)
    for i, token in enumerate(tokens):
        if token.kind != "name" or i == 0:
            continue
        before, after = tokens[i - 1].kind, tokens[i + 1].kind
        if token.text == "mod" and before in OPERAND_END and after != "=":
            marked[i] = Token("%", token.text, token.pos)
        elif token.text == "of" and before == "%" and after in ("num", "name", "("):
            marked[i] = Token("*", token.text, token.pos)
    if conversions:
        for start, end in _parts(marked, separators):
            _mark_conversion(marked, start, end)
    return marked


def _mark_conversion(tokens: list[Token], start: int, end: int) -> None:
    depth = 0
    last: dict[str, int] = {}
    for i in range(start, end):
        token = tokens[i]
        depth += token.kind == "("
        depth -= token.kind == ")"
        if depth == 0 and token.kind == "name" and token.text in ("to", "in") and i > start:
            last[token.text] = i
    found = last.get("to", last.get("in"))
    if found is not None:
        tokens[found] = Token(CONVERT, tokens[found].text, tokens[found].pos)


def find_definitions(
    tokens: list[Token], separators: tuple[str, ...], builtins: frozenset[str] | set[str]
) -> dict[str, int]:
    """Function name -> number of parameters, for every part that starts `f(x, ...) =`."""
    found: dict[str, int] = {}
    for start, end in _parts(tokens, separators):
        head = tokens[start:end]
        if len(head) < 5 or head[0].kind != "name" or head[1].kind != "(":
            continue
        if head[0].text in builtins:
            continue
        params = 0
        i = 2
        while i + 1 < len(head) and head[i].kind == "name" and head[i + 1].kind in (",", ")"):
            params += 1
            if head[i + 1].kind == ")":
                break
            i += 2
        else:
            continue
        if i + 2 < len(head) and head[i + 2].kind == "=":
            found.setdefault(head[0].text, params)
    return found
