"""What a Commands segment may hold, as a grammar every backend can enforce.

The segment is `None` or calls of the enabled tools with quoted string arguments, then `<eoc>`:
` Calculate("2^10"), Search("tallest tower")<eoc>`. Enforced while the model writes, a small
model can no longer put prose, an unknown tool or an unquoted expression there. The same language
is given two ways, built from one description so they cannot drift apart:

- `gbnf()`: a llama.cpp grammar (the in-process llama.cpp backend samples under it; the HTTP
  backend sends it to servers that accept one, llama.cpp's `grammar`);
- `allows(text)`: whether `text` can still grow into a well-formed segment (a regex matched
  partially), the allowed-token test of the transformers backend.

An argument is not empty and may not hold a line break or `<` (a segment marker could then hide
inside it); inside it, `\\"` and `\\\\` are the only escapes, as the parser reads them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import regex

from agent.format import EOC, NONE

#: Characters an argument may not hold unescaped.
_ARG_CHAR = r'[^"\\\n<]|\\["\\]'


class CommandsGrammar:
    """The Commands segment's language for a set of tools (content after `<|Commands|>:`)."""

    def __init__(self, tools: Sequence[str]) -> None:
        names = [t for t in dict.fromkeys(tools) if t]
        if not names:
            raise ValueError("a Commands grammar needs at least one tool name")
        self.tools: tuple[str, ...] = tuple(names)
        tool = "(?:" + "|".join(regex.escape(n) for n in self.tools) + ")"
        arg = f'"(?:{_ARG_CHAR})+"'
        call = rf"{tool}\({arg}(?:, ?{arg})*\)"
        body = rf"(?:{regex.escape(NONE)}|{call}(?:, ?{call})*)"
        self._pattern = regex.compile(rf" ?{body}{regex.escape(EOC)}")

    def allows(self, text: str) -> bool:
        """True when `text` is a well-formed segment or can still become one; once `<eoc>` is
        written, what follows it is the stop scanner's business, not the grammar's."""
        end = text.find(EOC)
        if end >= 0:
            return self.complete(text[: end + len(EOC)])
        return self._pattern.fullmatch(text, partial=True) is not None

    def complete(self, text: str) -> bool:
        """True when `text` is a whole segment, `<eoc>` included."""
        return self._pattern.fullmatch(text) is not None

    def gbnf(self) -> str:
        """The same language as a llama.cpp GBNF grammar (root rule `root`)."""
        tools = " | ".join(json.dumps(n) for n in self.tools)
        return "\n".join([
            f'root ::= " "? body {json.dumps(EOC)}',
            f'body ::= {json.dumps(NONE)} | call ("," " "? call)*',
            'call ::= tool "(" arg ("," " "? arg)* ")"',
            f"tool ::= {tools}",
            'arg ::= "\\"" ( [^"\\\\<\\n] | "\\\\" ["\\\\] )+ "\\""',
        ]) + "\n"

    def __repr__(self) -> str:
        return f"CommandsGrammar({list(self.tools)!r})"
