"""The tolerant, linear-time reader of a Commands segment.

Model output is untrusted, and the recorded MOSS data shows what a model really writes:
`None.`, `Non`, `Search("a"), None`, trailing commas, line breaks between calls, numbered lists
with `# comments`, `Solve("...", "x")`, calls to tools that do not exist, Python code inside
arguments. The scanner keeps every call it is sure of, drops the rest, and reports each repair
or drop as a typed `ParseWarning`.

Why it is hand-written and not one big regex: a regex over nested parentheses and quotes
either cannot express them or backtracks catastrophically. Here every regex is a simple run
(`[^",\\n]*`-like) that the engine matches in one pass, the cursor only moves forward, and a
call never spans a line break, so a broken call costs at most the rest of its line. The work
is linear in the input, which is further capped at `MAX_CHARS`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection

from pydantic import BaseModel, ConfigDict, Field

from tools.errors import ParseError
from tools.wire.call import Call
from tools.wire.tags import COMMANDS, EOC, NONE
from tools.wire.warnings import ParseWarning, WarningKind

#: Longer Commands segments are cut here (with a `truncated` warning); a real one is under 1 KB.
MAX_CHARS = 32_768
#: Calls past this many are dropped (with a `too_many_calls` warning); MOSS writes at most ~10.
MAX_CALLS = 64
#: Warnings past this many are folded into one `too_many_warnings`.
MAX_WARNINGS = 64

def _run(pattern: str) -> Callable[..., re.Match[str]]:
    """The `match` of a pattern that matches wherever it is used (a `*` run, or a `+` run
    tried only on its own character), typed so: no None check in the scanner's hot loop."""
    return re.compile(pattern).match  # type: ignore[return-value]


# Where a Commands segment ends: its own end marker, or any marker of another segment.
_STOP = re.compile(r"<eo[chtrm]>|<\|(?:Commands|Results|MOSS|Human|Inner Thoughts)\|>:")
_SEPARATORS = _run(r"[\s,]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BLANKS = _run(r"[ \t]*")
_NUMBERING = re.compile(r"(?:\d{1,4}[.)、]|[-*•])(?=[ \t])[ \t]*")
_JUNK = _run(r"[^,\n]*")
_NONE_WORDS = frozenset({"none", "non"})
# Inside a call's parentheses: the next character that matters.
_ARG_STOP = re.compile(r"[(),\"'“‘]")
_OPEN_RUN = _run(r"\(+")
_CLOSE_RUN = _run(r"\)+")
# One string literal, escapes allowed, never across a line break (unrolled: no backtracking).
_LITERALS = {
    '"': re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'),
    "'": re.compile(r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"),
    "“": re.compile(r"“[^”\n]*”"),
    "‘": re.compile(r"‘[^’\n]*’"),
}
_ESCAPE = re.compile(r"\\([\"'\\])")


class ParsedCommands(BaseModel):
    """What a Commands segment asked for.

    `calls` are the calls the parser is sure of, in the order issued; `none` is true when the
    model said it needs no tool (`None`, however spelled); `warnings` say what was repaired or
    dropped, and are empty exactly when the segment was written the canonical way.
    """

    model_config = ConfigDict(frozen=True)

    calls: list[Call] = Field(default_factory=list)
    warnings: list[ParseWarning] = Field(default_factory=list)
    none: bool = False

    @property
    def well_formed(self) -> bool:
        return not self.warnings


def parse_commands(
    text: str,
    known_tools: Collection[str] | None = None,
    *,
    max_chars: int = MAX_CHARS,
    max_calls: int = MAX_CALLS,
) -> ParsedCommands:
    """Read the calls in a Commands segment, with or without its `<|Commands|>:`/`<eoc>` markers.

    With `known_tools`, a call to any other name is dropped with an `unknown_tool` warning.
    Never raises anything but `ParseError` (for input that is not text at all); every other
    irregularity becomes a warning.
    """
    if not isinstance(text, str):
        raise ParseError(
            f"a Commands segment must be text, not {type(text).__name__}; decode it first"
        )
    try:
        return _Scanner(text, known_tools, max_chars, max_calls).run()
    except ParseError:
        raise
    except Exception as exc:  # a bug here must not take the runtime down with model output
        raise ParseError(f"could not read the Commands segment ({type(exc).__name__}: {exc})") from exc


def unescape(body: str) -> str:
    """The value of a quoted argument: `\\"`, `\\'` and `\\\\` decoded, other escapes kept."""
    return _ESCAPE.sub(r"\1", body) if "\\" in body else body


class _Scanner:
    """One pass over one segment; see the module docstring for the rules."""

    def __init__(
        self, text: str, known: Collection[str] | None, max_chars: int, max_calls: int
    ) -> None:
        self.text = text
        self.known = None if known is None else frozenset(known)
        self.max_chars = max_chars
        self.max_calls = max_calls
        self.calls: list[Call] = []
        self.warnings: list[ParseWarning] = []
        self.overflow: Counter[str] = Counter()
        self.extra_calls: list[str] = []
        self.none = False
        self.s = ""
        self.eol = -1
        self.known_call = (
            re.compile(
                r"(?<![A-Za-z0-9_])(?:"
                + "|".join(re.escape(t) for t in sorted(self.known, key=len, reverse=True))
                + r")[ \t]*\("
            )
            if self.known
            else None
        )

    # -- bookkeeping -------------------------------------------------------------------------

    def warn(self, kind: WarningKind, message: str, text: str = "") -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(ParseWarning(kind=kind, message=message, text=text))
        else:
            self.overflow[kind] += 1

    def line_end(self, i: int) -> int:
        """End of the line holding position `i` (cached: the cursor never moves back)."""
        if i > self.eol:
            found = self.s.find("\n", i)
            self.eol = len(self.s) if found < 0 else found
        return self.eol

    def finish(self) -> ParsedCommands:
        if self.extra_calls:
            self.warn(
                "too_many_calls",
                f"{len(self.extra_calls)} calls past the limit of {self.max_calls} were dropped",
                ", ".join(self.extra_calls),
            )
        if self.overflow:
            folded = ", ".join(f"{kind} x{count}" for kind, count in sorted(self.overflow.items()))
            self.warnings.append(
                ParseWarning(
                    kind="too_many_warnings",
                    message=f"{sum(self.overflow.values())} more warnings not listed: {folded}",
                )
            )
        return ParsedCommands(calls=self.calls, warnings=self.warnings, none=self.none)

    # -- the segment -------------------------------------------------------------------------

    def run(self) -> ParsedCommands:
        content = self.extract(self.text)
        if len(content) > self.max_chars:
            self.warn(
                "truncated",
                f"the segment is {len(content)} characters; read the first {self.max_chars}",
                content[self.max_chars :],
            )
            content = content[: self.max_chars]
        self.s = content.strip()
        if not self.s:
            self.warn("empty", "the Commands segment is empty; no tool was called", content)
            return self.finish()
        self.scan()
        return self.finish()

    def extract(self, text: str) -> str:
        """The content between the markers; warns about missing or extra markers."""
        start = text.find(COMMANDS)
        marked = start >= 0
        begin = start + len(COMMANDS) if marked else 0
        stop = _STOP.search(text, begin)
        end = len(text) if stop is None else stop.start()
        if stop is not None and stop.group() == EOC:
            after = text[stop.end() :]
            if after.strip():
                self.warn("trailing_text", "text after <eoc> was dropped", after)
        elif marked or stop is not None:
            self.warn("missing_end_marker", f"the segment does not end with {EOC}", text[begin:end])
            if stop is not None:
                self.warn("trailing_text", f"the segment ran into {stop.group()}; the rest was dropped", text[end:])
        content = text[begin:end]
        if marked and content.strip() and (
            not content.startswith(" ") or content[1:2].isspace() or content[-1:].isspace()
        ):
            self.warn("irregular_spacing", "expected exactly one space after the marker and none before <eoc>", content)
        return content

    def scan(self) -> None:
        s, n = self.s, len(self.s)
        i = 0
        last_call_end = -1  # where the previous kept call ended, for separator checks
        clean_since = False  # nothing was dropped since that call
        while True:
            j = _SEPARATORS(s, i).end()
            if j >= n:
                tail = s[last_call_end:] if last_call_end >= 0 else ""
                if "," in tail and tail.strip(", \t\n") == "":
                    self.warn("trailing_comma", "a comma after the last call was ignored", tail)
                return
            ch = s[j]
            if ch == "#":
                end = self.line_end(j)
                self.warn("comment", "a # comment was dropped", s[j:end])
                i, clean_since = end, False
                continue
            numbered = _NUMBERING.match(s, j)
            if numbered:
                self.warn("numbering", "a list number was dropped", numbered.group())
                i, clean_since = numbered.end(), False
                continue
            ident = _IDENT.match(s, j)
            if ident:
                name = ident.group()
                if name.lower() in _NONE_WORDS:
                    if not self.calls:
                        self.read_none(j, ident.end())
                        return
                    self.warn("none_with_calls", "a None beside calls was dropped", name)
                    i, clean_since = ident.end(), False
                    continue
                paren = _BLANKS(s, ident.end()).end()
                if paren < n and s[paren] == "(":
                    if last_call_end >= 0 and clean_since:
                        self.check_separator(s[last_call_end:j])
                    i, kept = self.read_call(name, j, paren)
                    last_call_end, clean_since = (i, True) if kept else (last_call_end, False)
                    continue
            i = self.skip_junk(j)
            clean_since = False

    def read_none(self, start: int, end: int) -> None:
        """`None` first in the segment: no tool. Anything after it is dropped, not scanned."""
        self.none = True
        if self.s[start:end] != NONE or end < len(self.s):
            self.warn("malformed_none", "read as None; the rest of the segment was dropped", self.s[start:])

    def check_separator(self, sep: str) -> None:
        if sep == ", ":
            return
        if "\n" in sep and "," not in sep:
            self.warn("newline_separator", "calls separated by a line break", sep)
        elif "," not in sep:
            self.warn("missing_separator", "calls separated by blanks only", sep)
        else:
            self.warn("irregular_spacing", "calls separated by something other than ', '", sep)

    def skip_junk(self, j: int) -> int:
        """Drop text that is not a call, up to the next `,`, line break or known tool call."""
        s = self.s
        end = _JUNK(s, j).end()
        if self.known_call is not None:
            found = self.known_call.search(s, j + 1, end)
            if found:
                end = found.start()
        self.warn("junk", "text that is not a call was dropped", s[j:end])
        return end

    # -- one call ----------------------------------------------------------------------------

    def read_call(self, name: str, start: int, paren: int) -> tuple[int, bool]:
        """Read `Name(args)` from `start`; returns where scanning resumes and if it was kept."""
        s = self.s
        eol = self.line_end(start)
        args: list[str] = []
        notes: set[WarningKind] = set()
        i = paren + 1
        while True:  # one argument a round
            arg_start, depth, literals, code = i, 0, 0, False
            while True:
                stop = _ARG_STOP.search(s, i, eol)
                if stop is None:
                    self.warn("unterminated_call", f"{name}( is never closed on its line; dropped", s[start:eol])
                    return eol, False
                p, c = stop.start(), stop.group()
                if not code and s[i:p].strip():
                    code = True
                if c in _LITERALS:
                    literal = _LITERALS[c].match(s, p, eol)
                    if literal is None:
                        self.warn("unterminated_string", f"a quote in {name}(...) is never closed; dropped", s[start:eol])
                        return eol, False
                    literals += 1
                    if c in "“‘":
                        notes.add("full_width_quotes")
                    i = literal.end()
                elif c == "(":
                    run = _OPEN_RUN(s, p, eol).end() - p
                    depth, code, i = depth + run, True, p + run
                elif c == ")" and depth:
                    run = min(depth, _CLOSE_RUN(s, p, eol).end() - p)
                    depth, i = depth - run, p + run
                elif c == "," and depth:
                    i = p + 1
                else:  # `,` or `)` at depth 0 ends the argument
                    break
            raw = s[arg_start:p].strip()
            if raw:
                args.append(self.arg_value(raw, literals, code, notes))
            if c == ")":
                break
            i = p + 1
        end = p + 1
        text = s[start:end]
        if self.known is not None and name not in self.known:
            self.warn("unknown_tool", f"{name} is not an enabled tool; the call was dropped", text)
            return end, False
        if len(self.calls) >= self.max_calls:
            self.extra_calls.append(text)
            return end, False
        for kind in sorted(notes):
            self.warn(kind, _NOTE_MESSAGES[kind].format(name=name), text)
        if len(args) > 1:
            self.warn("multiple_args", f"{name} was given {len(args)} arguments", text)
        self.calls.append(Call(tool=name, args=tuple(args), text=text))
        return end, True

    @staticmethod
    def arg_value(raw: str, literals: int, code: bool, notes: set[WarningKind]) -> str:
        if literals == 1 and not code and raw[0] in _LITERALS:
            return unescape(raw[1:-1])
        notes.add("unquoted_args" if literals == 0 else "expression_arg")
        return raw


_NOTE_MESSAGES: dict[str, str] = {
    "unquoted_args": "an argument of {name} is not quoted; taken as written",
    "expression_arg": "an argument of {name} is code, not a string; taken as written",
    "full_width_quotes": "{name} uses full-width quotes; read as quotes",
}
