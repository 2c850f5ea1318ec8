"""`ParseWarning`: what a tolerant reader dropped or repaired, typed so callers can count it.

Model output and recorded data are both irregular; the readers never guess silently. Every
repair or drop becomes one warning with a `kind` from `WarningKind`, a sentence for a person,
and the exact text concerned. Kinds marked *kept* leave the call in the result; the others
mean the text was dropped.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

WarningKind = Literal[
    # Commands segment
    "empty",  # nothing between the markers
    "malformed_none",  # `None.`, `Non`, `None (no tool needed)`: read as None, rest dropped
    "none_with_calls",  # `Search("a"), None`: the stray None dropped, calls kept
    "trailing_comma",  # `Search("a"),` (kept)
    "newline_separator",  # calls separated by a line break instead of `, ` (kept)
    "missing_separator",  # calls separated by spaces only (kept)
    "irregular_spacing",  # `a , b`, `<|Commands|>:a`, trailing blanks (kept)
    "numbering",  # `1. Calculate(...)`: the list number dropped
    "comment",  # `# ...` to the end of the line dropped
    "junk",  # text that is not a call, dropped up to the next `,` or line break
    "unknown_tool",  # a call to a tool outside `known_tools`, dropped
    "unquoted_args",  # `Calculate(2^20)`: argument taken as written (kept)
    "expression_arg",  # `Calculate("a" + str(2))`: code, not a string; taken raw (kept)
    "full_width_quotes",  # `Search(“天气”)`: read as quotes (kept)
    "multiple_args",  # `Solve("2x=4", "x")` (kept)
    "unterminated_string",  # a quote never closed on its line: the call dropped
    "unterminated_call",  # `(` never closed on its line: the call dropped
    "too_many_calls",  # calls past the limit dropped
    "truncated",  # input past the length limit dropped
    "too_many_warnings",  # warnings past the limit folded into this one
    # segment markers (any segment)
    "missing_end_marker",  # `<|Commands|>: ...` without `<eoc>` (content kept)
    "missing_start_marker",  # a recorded segment without its `<|Tag|>:` (content kept)
    "trailing_text",  # text after the end marker, dropped
    # Results segment (recorded data)
    "orphan_result_line",  # a Results line before any `Command =>` entry, dropped
    # conversation file shape
    "turn_keys",  # chat keys other than turn_1..turn_N in order (turns kept in file order)
    "num_turns",  # num_turns disagrees with the chat (recorded value kept)
]

WARNING_KINDS: tuple[str, ...] = get_args(WarningKind)


class ParseWarning(BaseModel):
    """One thing a reader repaired or dropped; `text` is the exact input concerned."""

    model_config = ConfigDict(frozen=True)

    kind: WarningKind
    message: str
    text: str = ""
    segment: str | None = None  # the JSON key of the segment, when reading a recorded turn

    def __str__(self) -> str:
        where = f"{self.segment}: " if self.segment else ""
        return f"{where}{self.kind}: {self.message}"
