"""Writing one segment of a turn under its bounds: tokens, seconds, repetition, stray markers.

The turn loop (`agent.loop`) decides which segment comes next; this writes it. The model fills
only the segment's content; a stray tag, the token limit, a loop of repeated text or the turn's
deadline ends it with a warning (or, for the deadline, an error), and `_settle` makes the
transcript read exactly ` content<end>` so that it, and the cache behind it, stay canonical.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

from agent.backends.base import Backend, Constraint, GenerationEnd
from agent.errors import MossAgentError
from agent.events import Event, Segment, Timings, TokenCounts, TokenEvent, WarningEvent
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
)
from agent.framing import Framing
from agent.policy import TurnLimits
from agent.repetition import repeating_tail

#: A step of the loop: yields events, returns its value to the caller.
Steps = Generator[Event, None, "str"]

# Any tag that can only mean the model left the segment it was asked to write.
_STRAY = (HUMAN, EOH, INNER_THOUGHTS, COMMANDS, RESULTS, MOSS, EOT, EOC, EOR, EOM)
SEGMENT_END = {"thoughts": EOT, "commands": EOC, "reply": EOM}
# A small model that has read search results sometimes goes on from its answer to a made-up
# result list (`...'\n<|4|>: '...`); a reply never holds a snippet marker, so one ends it.
_SNIPPET_MARKERS = tuple(f"<|{n}|>" for n in range(1, 31))
class TurnAborted(MossAgentError):
    """Ends a turn early with an error event of the given kind (caught by the loop, never
    raised to a caller)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind



class SegmentWriter:
    """Writes segments into one backend transcript and keeps what they cost."""

    def __init__(self, backend: Backend, limits: TurnLimits, framing: Framing) -> None:
        self.backend = backend
        self.limits = limits
        self.framing = framing
        self.started = time.monotonic()
        self.deadline = self.started + limits.turn_seconds
        self.tokens = TokenCounts()
        self.timings = Timings()
        self.warnings: list[WarningEvent] = []
        self.segment_start = 0

    def _segment(self, segment: Segment, max_tokens: int, canonical: bool = True, *,
                 constraint: Constraint | None = None, temperature: float | None = None,
                 quiet: bool = False) -> Steps:
        """Generate one segment's content; returns it stripped (the transcript is settled
        unless `canonical` is False, where the caller settles it after parsing). `quiet`
        keeps its tokens out of the event stream (a sample drawn for a vote)."""
        self.segment_start = len(self.backend.transcript)
        if time.monotonic() >= self.deadline:
            self._deadline_error()
        end_marker = SEGMENT_END[segment]
        stray = _STRAY + self.framing.stops + (_SNIPPET_MARKERS if segment == "reply" else ())
        stops = (end_marker,) + tuple(s for s in stray if s != end_marker)
        options: dict[str, Any] = {}
        if constraint is not None:
            options["constraint"] = constraint
        if temperature is not None:
            options["temperature"] = temperature
        stream = self.backend.generate(stops, max_tokens, self.deadline, **options)
        end: GenerationEnd | None = None
        content = ""
        checked = 0
        try:
            for item in stream:
                if isinstance(item, GenerationEnd):
                    end = item
                    break
                content += item
                if segment == "reply" and self.timings.first_reply_token_s is None:
                    self.timings.first_reply_token_s = time.monotonic() - self.started
                if not quiet:
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
            self.tokens.prompt += end.prompt_tokens
            self.tokens.generated += end.new_tokens
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

    def _partial(self) -> str:
        return self.backend.transcript[self.segment_start :].strip()

    def _deadline_error(self) -> None:
        raise TurnAborted("deadline", f"the turn ran past its limit of {self.limits.turn_seconds:g} s")

    def _warn(self, kind: str, message: str) -> WarningEvent:
        event = WarningEvent(kind=kind, message=message)
        self.warnings.append(event)
        return event
