"""The Results segment: built from our tool results, or read back from a recorded turn.

An entry is `command =>` followed by its body, and the body is stored exactly as written (the
separator included), because the recorded data spells the same outcome several ways: `'36'`
and `56`, `No result.`, `'No result.'` and `No calculation results.`, Solve's lines, Search's
numbered snippets. Re-rendering is therefore byte-exact, and the properties of `ResultEntry`
give the parsed view (value, lines, snippets, failed) that comparing a re-run needs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.result import NO_RESULT, ErrorKind, ToolResult
from tools.wire.call import Call
from tools.wire.tags import ALL_TAGS, EOR, NONE, RESULTS
from tools.wire.warnings import ParseWarning, WarningKind

#: Every way the recorded data says a call failed.
FAILURE_SPELLINGS: frozenset[str] = frozenset({"No result.", "'No result.'", "No calculation results."})

_SNIPPET = re.compile(r"<\|(\d+)\|>:(?: (.*))?\Z", re.DOTALL)
_ARROW = " =>"

Shape = Literal["value", "lines", "snippets", "failure"]


class Snippet(BaseModel):
    """One `<|n|>: text` line of a Search result; `text` as recorded, `value` unquoted."""

    model_config = ConfigDict(frozen=True)

    number: int
    text: str

    @property
    def value(self) -> str:
        return unquote(self.text)


class ResultEntry(BaseModel):
    """One Results entry: `command =>` and the body exactly as written after the arrow."""

    model_config = ConfigDict(frozen=True)

    command: str  # the entry's head; normally the issued `Call.text`
    body: str  # e.g. " 1024", " '36'", "\nx = 19\ny = 11", "\n<|1|>: ...", " No result."

    def render(self) -> str:
        return self.command + _ARROW + self.body

    @property
    def text(self) -> str:
        """The body without its separator (the single leading blank or line break)."""
        return self.body[1:] if self.body[:1] in (" ", "\n") else self.body

    @property
    def block(self) -> bool:
        """True when the body starts on its own line (Solve, Search)."""
        return self.body.startswith("\n")

    @property
    def failed(self) -> bool:
        return self.shape == "failure"

    @property
    def shape(self) -> Shape:
        text = self.text
        if text.strip() in FAILURE_SPELLINGS or not text.strip() or text.startswith(NO_RESULT + " "):
            return "failure"
        if not self.block:
            return "value"
        if all(_SNIPPET.match(line) for line in text.split("\n")):
            return "snippets"
        return "lines"

    @property
    def quoted(self) -> bool:
        """True for a Python-repr value such as `'36'` (the recorded Calculate spelling)."""
        return self.shape == "value" and unquote(self.text) != self.text

    @property
    def value(self) -> str | None:
        """The single value, unquoted (`'36'` -> `36`); None for other shapes."""
        return unquote(self.text) if self.shape == "value" else None

    @property
    def lines(self) -> tuple[str, ...]:
        """Solve's `x = 19` lines; empty for other shapes."""
        return tuple(self.text.split("\n")) if self.shape == "lines" else ()

    @property
    def snippets(self) -> tuple[Snippet, ...]:
        """Search's numbered snippets, numbers as recorded; empty for other shapes."""
        if self.shape != "snippets":
            return ()
        found = (_SNIPPET.match(line) for line in self.text.split("\n"))
        return tuple(Snippet(number=int(m[1]), text=m[2] or "") for m in found if m)

    def to_tool_result(self) -> ToolResult:
        """The recorded outcome as a `ToolResult`, for comparing with a fresh run."""
        shape = self.shape
        if shape == "value":
            return ToolResult.value(self.value or "")
        if shape == "lines":
            return ToolResult.lines(self.lines)
        if shape == "snippets":
            return ToolResult.snippets([s.value for s in self.snippets])
        return ToolResult.failure(ErrorKind.NO_RESULT, self.reason, block=self.block)

    @property
    def reason(self) -> str:
        """Why a failed call failed, as written after `No result.`; empty when not said (every
        recorded MOSS failure) or when the entry did not fail."""
        text = self.text.strip()
        return text[len(NO_RESULT) + 1 :].strip() if self.failed and text.startswith(NO_RESULT + " ") else ""


class Results(BaseModel):
    """A whole Results segment: entries in recorded order, `None` when there are none.

    `inline` holds the one recorded form without entries, Text2Image's
    `<|Results|>: Image generated successfully.<eor>`.
    """

    model_config = ConfigDict(frozen=True)

    entries: tuple[ResultEntry, ...] = ()
    inline: str | None = None

    def render(self) -> str:
        if self.inline is not None:
            return f"{RESULTS} {self.inline}{EOR}\n"
        if not self.entries:
            return f"{RESULTS}\n{NONE}\n{EOR}\n"
        return f"{RESULTS}\n" + "\n".join(e.render() for e in self.entries) + f"\n{EOR}\n"

    def entry_for(self, call: Call) -> ResultEntry | None:
        """The entry whose head is this call's text (recorded entries are not always in order)."""
        return next((e for e in self.entries if e.command == call.text), None)

    @classmethod
    def from_tool_results(cls, entries: Sequence[tuple[Call, ToolResult]], first_snippet: int = 1) -> Results:
        """Entries from our own tool results, Search snippets numbered across the segment (and
        across the turn: a later round starts at `first_snippet`)."""
        built: list[ResultEntry] = []
        first = first_snippet
        for call, result in entries:
            items = tuple(defang(i) for i in result.items)
            if items != result.items:
                result = result.model_copy(update={"items": items})
            if result.error is not None and defang(result.error.message) != result.error.message:
                error = result.error.model_copy(update={"message": defang(result.error.message)})
                result = result.model_copy(update={"error": error})
            built.append(ResultEntry(command=call.text, body=result.render_body(first)))
            first += result.snippet_count
        return cls(entries=tuple(built))


def render_results(entries: Sequence[tuple[Call, ToolResult]], first_snippet: int = 1) -> str:
    """The whole Results segment `<|Results|>:\\n...\\n<eor>\\n` for these calls and results."""
    return Results.from_tool_results(entries, first_snippet).render()


def results_text(entries: Sequence[tuple[Call, ToolResult]], first_snippet: int = 1) -> str:
    """The Results entries for (call, result) pairs as the model sees them, without the
    segment's markers: what `moss-agent call` prints and what `tools.testing` compares."""
    segment = render_results(entries, first_snippet)
    return segment.removeprefix(RESULTS + "\n").removesuffix("\n" + EOR + "\n")


def defang(text: str) -> str:
    """Break up segment markers inside tool output, so a web page cannot end the segment.

    A zero-width space after `<` keeps the text readable while the model no longer sees the
    marker; recorded data never contains markers inside results, so nothing recorded changes.
    """
    if "<" not in text:
        return text
    for tag in ALL_TAGS:
        if tag in text:
            text = text.replace(tag, "<\u200b" + tag[1:])
    return re.sub(r"<(\|\d+\|>)", "<\u200b\\1", text)


def unquote(text: str) -> str:
    """`'36'` -> `36`: undo the Python repr the recorded data shows; other text as is."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text[1:-1]
        return value if isinstance(value, str) else text[1:-1]
    return text


def parse_results(segment: str, calls: Sequence[Call] = ()) -> tuple[Results, list[ParseWarning]]:
    """Read a recorded Results segment; `calls` (the turn's commands) help find entry heads.

    Tolerant: a missing marker, a missing `<eor>` or a line before the first entry becomes a
    warning. When the warnings are empty the segment re-renders byte-identical.
    """
    warnings: list[ParseWarning] = []

    def warn(kind: WarningKind, message: str, text: str = "") -> None:
        warnings.append(ParseWarning(kind=kind, message=message, text=text, segment="Tool Responses"))

    rest = segment
    if rest.startswith(RESULTS):
        rest = rest[len(RESULTS) :]
    else:
        warn("missing_start_marker", f"the segment does not start with {RESULTS}", segment[:80])
    end = rest.rfind(EOR)
    if end < 0:
        warn("missing_end_marker", f"the segment does not end with {EOR}", rest[-80:])
        end = len(rest)
    elif rest[end + len(EOR) :] not in ("", "\n"):
        warn("trailing_text", f"text after {EOR} was dropped", rest[end + len(EOR) :])
    body = rest[:end]
    if not body.startswith("\n"):  # inline: `<|Results|>: Image generated successfully.<eor>`
        results = Results(inline=body[1:] if body.startswith(" ") else body)
    else:
        results = Results(entries=_entries(body[1:].removesuffix("\n"), calls, warn))
    if not warnings and results.render() != segment:
        warn("irregular_spacing", "the segment is not laid out the canonical way", segment)
    return results, warnings


def _entries(
    body: str, calls: Sequence[Call], warn: Callable[[WarningKind, str, str], None]
) -> tuple[ResultEntry, ...]:
    if body == NONE:
        return ()
    heads = sorted({c.text + _ARROW for c in calls}, key=len, reverse=True)
    entries: list[list[str]] = []  # [command, body] pairs being built
    for line in body.split("\n"):
        head = _head(line, heads)
        if head is not None:
            entries.append([head, line[len(head) + len(_ARROW) :]])
        elif entries:
            entries[-1][1] += "\n" + line
        else:
            warn("orphan_result_line", "a line before the first entry was dropped", line)
    return tuple(ResultEntry(command=c, body=b) for c, b in entries)


def _head(line: str, heads: Sequence[str]) -> str | None:
    """The command that starts this line if it is an entry's first line, else None."""
    if line.startswith("<|") and _SNIPPET.match(line):
        return None
    for head in heads:
        if line.startswith(head):
            return head[: -len(_ARROW)]
    at = line.find(")" + _ARROW)
    if at >= 0:
        return line[: at + 1]
    at = line.find(_ARROW)
    return line[:at] if at > 0 else None
