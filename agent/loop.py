"""One MOSS turn as a small state machine: thoughts -> commands -> results -> reply.

The runtime writes every protocol tag itself and lets the model fill only the content of each
segment, so even a model never trained on MOSS keeps the structure. After each segment the
transcript is made canonical (content stripped, the expected end marker, calls re-quoted), so
the backend's transcript, and the KV cache behind it, always equal the rendering of the turns
recorded so far: the next segment and the next turn resume from text a reader would expect.

Every step is an event; nothing here prints. Hard bounds (tokens per segment, calls per turn,
seconds per turn, repetition) end a segment cleanly with a warning, and the turn still closes
with a reply or a clear error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator

from pydantic import BaseModel, Field

from agent.backends.base import Backend, GenerationEnd
from agent.errors import BackendError
from agent.events import (
    CommandsIssued,
    ErrorEvent,
    Event,
    ReplyDone,
    Segment,
    ThoughtsDone,
    TokenEvent,
    ToolResultEvent,
    TurnDone,
    TurnResult,
    TurnStarted,
    WarningEvent,
)
from agent.format import (
    COMMANDS,
    EOC,
    EOH,
    EOM,
    EOR,
    EOT,
    HUMAN,
    INNER_THOUGHTS,
    MOSS,
    RESULTS,
    Call,
    render_results,
)
from agent.framing import MOSS_FRAMING, Framing
from agent.parse import parse_commands
from tools import ToolResult

CallRunner = Callable[[list[Call]], list[ToolResult]]

# Any tag that can only mean the model left the segment it was asked to write.
_STRAY = (HUMAN, EOH, INNER_THOUGHTS, COMMANDS, RESULTS, MOSS, EOT, EOC, EOR, EOM)
SEGMENT_END = {"thoughts": EOT, "commands": EOC, "reply": EOM}
# A small model that has read search results sometimes goes on from its answer to a made-up
# result list (`...'\n<|4|>: '...`); a reply never holds a snippet marker, so one ends it.
_SNIPPET_MARKERS = tuple(f"<|{n}|>" for n in range(1, 31))


class _TurnAborted(Exception):
    """Ends a turn early with an error event of the given kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class TurnLimits(BaseModel):
    """Hard bounds for one turn. MOSS has one Commands segment per turn, so one tool round."""

    thoughts_tokens: int = Field(default=160, ge=1)
    commands_tokens: int = Field(default=96, ge=1)
    reply_tokens: int = Field(default=400, ge=1)
    max_calls: int = Field(default=8, ge=0)
    turn_seconds: float = Field(default=300.0, gt=0)
    repeat_window: int = Field(default=8, ge=2, description="a unit repeated this often ends a segment")


def quote_call(call: Call) -> Call:
    """The call as MOSS writes it, `Tool("arg", "arg")`, whatever quoting the model used."""
    quoted = ", ".join('"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"' for a in call.args)
    return call.model_copy(update={"text": f"{call.tool}({quoted})"})


# A unit longer than this is a sentence or more: four verbatim copies already make a loop
# (seen: ", which is a tool for interacting with the MOSS Agent" until the token limit).
_SHORT_UNIT = 40
_SENTENCE_REPEATS = 4


def repeating_tail(text: str, times: int, longest_unit: int = 200) -> int:
    """Length of a tail made of one unit repeated at least `times` times (a unit longer than
    40 characters: 4 times, or `times` if fewer), else 0.

    A model stuck in a loop writes the same few characters over and over; cutting the repeats
    keeps one copy and ends the segment instead of burning the token budget.
    """
    for unit in range(1, longest_unit + 1):
        needed = times if unit <= _SHORT_UNIT else min(times, _SENTENCE_REPEATS)
        span = unit * needed
        if span > len(text):
            if unit <= _SHORT_UNIT:
                continue
            break
        piece = text[-unit:]
        if text[-2 * unit : -unit] != piece:  # cheap test before building the whole span
            continue
        tail = text[-span:]
        if piece.strip() and tail == piece * needed:
            start = len(text) - span
            while start >= unit and text[start - unit : start] == piece:
                start -= unit
            return len(text) - start - unit  # keep one copy
    return 0


class TurnLoop:
    """Runs turns against one backend transcript; `run` yields the events of one turn."""

    def __init__(
        self,
        backend: Backend,
        run_calls: CallRunner,
        *,
        limits: TurnLimits | None = None,
        known_tools: Collection[str] | None = None,
        model_name: str = "",
        framing: Framing = MOSS_FRAMING,
    ) -> None:
        self.framing = framing
        self.backend = backend
        self.run_calls = run_calls
        self.limits = limits or TurnLimits()
        self.known_tools = known_tools
        self.model_name = model_name

    def run(self, question: str) -> Iterator[Event]:
        """Yield the events of one turn; the last is `TurnDone` unless the consumer stops early.

        Stopping early (closing the iterator, Ctrl-C in the REPL) closes the turn in the
        transcript with what was written so far, so the session stays usable.
        """
        turn = _Turn(self, question)
        yield from turn.events()


class _Turn:
    """The state of one turn in flight."""

    def __init__(self, loop: TurnLoop, question: str) -> None:
        self.loop = loop
        self.backend = loop.backend
        self.limits = loop.limits
        self.started = time.monotonic()
        self.deadline = self.started + self.limits.turn_seconds
        self.result = TurnResult(question=question, model=loop.model_name)
        self.stage: str = "human"
        self.segment_start = 0

    # -- the state machine -------------------------------------------------------------------
    def events(self) -> Iterator[Event]:
        result = self.result
        try:
            yield TurnStarted(text=result.question)
            self.backend.append(self.loop.framing.open_turn(result.question))
            self.stage = "thoughts"
            t0 = time.monotonic()
            result.thoughts = yield from self._segment("thoughts", self.limits.thoughts_tokens)
            result.timings.thoughts_s = time.monotonic() - t0
            yield ThoughtsDone(text=result.thoughts)

            self.backend.append(f"\n{COMMANDS}")
            self.stage = "commands"
            t0 = time.monotonic()
            raw = yield from self._segment("commands", self.limits.commands_tokens, canonical=False)
            calls = yield from self._parse_calls(raw)
            result.calls = calls
            result.commands = ", ".join(c.text for c in calls) if calls else "None"
            self._settle(result.commands, EOC)
            result.timings.commands_s = time.monotonic() - t0
            yield CommandsIssued(text=result.commands, calls=calls)

            self.stage = "results"
            t0 = time.monotonic()
            result.results = self.loop.run_calls(calls) if calls else []
            result.timings.tools_s = time.monotonic() - t0
            for call, outcome in zip(calls, result.results):
                yield ToolResultEvent(call=call, result=outcome)
            self.backend.append("\n" + render_results(list(zip(calls, result.results))) + MOSS)

            self.stage = "reply"
            t0 = time.monotonic()
            result.reply = yield from self._segment("reply", self.limits.reply_tokens)
            result.timings.reply_s = time.monotonic() - t0
            if not result.reply:
                yield self._warn("empty_reply", "the model ended its reply without writing anything")
            self.backend.append(self.loop.framing.turn_close)
            self.stage = "done"
            yield ReplyDone(text=result.reply)
        except BackendError as exc:
            result.error = ErrorEvent(kind="backend", message=str(exc))
            yield result.error
        except _TurnAborted as exc:
            result.error = ErrorEvent(kind=exc.kind, message=str(exc))
            yield result.error
        finally:
            if self.stage != "done":
                self._close_out()
        result.timings.total_s = time.monotonic() - self.started
        yield TurnDone(result=result)

    # -- one segment -------------------------------------------------------------------------
    def _segment(self, segment: Segment, max_tokens: int, canonical: bool = True) -> Iterator[Event]:
        """Generate one segment's content; returns it stripped (the transcript is settled
        unless `canonical` is False, where the caller settles it after parsing)."""
        self.segment_start = len(self.backend.transcript)
        if time.monotonic() >= self.deadline:
            self._deadline_error()
        end_marker = SEGMENT_END[segment]
        stray = _STRAY + self.loop.framing.stops + (_SNIPPET_MARKERS if segment == "reply" else ())
        stops = (end_marker,) + tuple(s for s in stray if s != end_marker)
        stream = self.backend.generate(stops, max_tokens, self.deadline)
        end: GenerationEnd | None = None
        content = ""
        checked = 0
        try:
            for item in stream:
                if isinstance(item, GenerationEnd):
                    end = item
                    break
                content += item
                if segment == "reply" and self.result.timings.first_reply_token_s is None:
                    self.result.timings.first_reply_token_s = time.monotonic() - self.started
                yield TokenEvent(segment=segment, text=item)
                if len(content) - checked >= 16:
                    checked = len(content)
                    cut = repeating_tail(content, self.limits.repeat_window)
                    if cut:
                        content = content[: len(content) - cut]
                        yield self._warn("repetition", f"the {segment} kept repeating itself; cut short")
                        break
        finally:
            stream.close()
        if end is not None:
            self.result.tokens.prompt += end.prompt_tokens
            self.result.tokens.generated += end.new_tokens
            if end.reason == "stop" and end.stop != end_marker:
                yield self._warn("stray_marker", f"the {segment} ended on {end.stop!r}; closed it with {end_marker!r}")
            elif end.reason == "length":
                yield self._warn("token_limit", f"the {segment} reached its limit of {max_tokens} tokens")
            elif end.reason == "deadline":
                self._deadline_error()
        text = content.strip()
        if canonical:
            self._settle(text, end_marker)
        return text

    def _parse_calls(self, raw: str) -> Iterator[Event]:
        parsed = parse_commands(raw, known_tools=self.loop.known_tools)
        for warning in parsed.warnings:
            yield self._warn(f"commands:{warning.kind}", warning.message)
        calls = [quote_call(c) for c in parsed.calls]
        if not calls and not parsed.none and raw.strip():
            yield self._warn("no_calls", f"the Commands segment held no call; read as None: {raw.strip()[:80]!r}")
        if len(calls) > self.limits.max_calls:
            yield self._warn("too_many_calls", f"{len(calls)} calls; ran the first {self.limits.max_calls}")
            calls = calls[: self.limits.max_calls]
        return calls

    def _settle(self, content: str, end_marker: str) -> None:
        """Make the transcript since the segment's start read ` content<end_marker>`."""
        transcript = self.backend.transcript
        actual = transcript[self.segment_start :]
        desired = f" {content}{end_marker}"
        common = 0
        for a, b in zip(actual, desired):
            if a != b:
                break
            common += 1
        if common < len(actual):
            self.backend.rewind(len(actual) - common)
        if common < len(desired):
            self.backend.append(desired[common:])

    def _close_out(self) -> None:
        """Finish the turn in the transcript after an error or a cancel, keeping what exists."""
        result = self.result
        try:
            if self.stage == "thoughts":
                self._settle(result.thoughts or self._partial(), EOT)
                self.stage = "commands"
                self.backend.append(f"\n{COMMANDS}")
                self.segment_start = len(self.backend.transcript)
            if self.stage == "commands":
                result.calls, result.commands = [], "None"
                self._settle("None", EOC)
                self.stage = "results"
            if self.stage == "results":
                calls = result.calls[: len(result.results)]
                self.backend.append("\n" + render_results(list(zip(calls, result.results))) + MOSS)
                self.segment_start = len(self.backend.transcript)
                self.stage = "reply"
            if self.stage == "reply":
                result.reply = result.reply or self._partial()
                self._settle(result.reply, EOM)
                self.backend.append(self.loop.framing.turn_close)
            self.stage = "done"
        except BackendError:  # the transcript is the backend's to repair; the turn is over
            pass

    def _partial(self) -> str:
        return self.backend.transcript[self.segment_start :].strip()

    def _deadline_error(self) -> None:
        raise _TurnAborted("deadline", f"the turn ran past its limit of {self.limits.turn_seconds:g} s")

    def _warn(self, kind: str, message: str) -> WarningEvent:
        event = WarningEvent(kind=kind, message=message)
        self.result.warnings.append(event)
        return event


def render_turn_text(result: TurnResult) -> str:
    """The canonical MOSS text of a finished turn, as sessions record and export it."""
    return MOSS_FRAMING.render_turn(result)
