"""One MOSS turn as a small state machine: thoughts -> commands -> results, again while the
model wants another round (or a call failed and it may fix it), then the reply.

The runtime writes every protocol tag itself and lets the model fill only the content of each
segment, so even a model never trained on MOSS keeps the structure. After each segment the
transcript is made canonical (content stripped, the expected end marker, calls re-quoted), so
the backend's transcript, and the KV cache behind it, always equal the rendering of the turns
recorded so far (`Turn.model_text`): the next segment and the next turn resume from text a
reader would expect.

After a round's Results the loop decides between another round and the reply by asking the
backend which of `<|Inner Thoughts|>:` and `<|MOSS|>:` the model finds likelier next
(`agent.backends.base.prefer`), never by reading keywords in its text; a failed call instead
gets one more round outright, once a turn.

Every step is an event; nothing here prints. Hard bounds (tokens per segment, calls and rounds
per turn, seconds per turn, repetition) end a segment cleanly with a warning, and the turn still
closes with a reply or a clear error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from dataclasses import dataclass, field

from agent.backends.base import Backend, prefer
from agent.constraint import CommandsGrammar
from agent.errors import BackendError
from agent.events import (
    CommandsIssued,
    CommandsVoted,
    ErrorEvent,
    Event,
    ReplyDone,
    RoundReason,
    RoundStarted,
    ThoughtsDone,
    ToolResultEvent,
    TurnDone,
    TurnResult,
    TurnStarted,
)
from agent.format import (
    COMMANDS,
    EOC,
    EOM,
    EOT,
    INNER_THOUGHTS,
    MOSS,
    NONE,
    Call,
    Round,
    Turn,
    render_results,
)
from agent.framing import MOSS_FRAMING, Framing
from agent.parse import parse_commands
from agent.policy import TurnLimits, TurnPolicy
from agent.repetition import repeating_tail
from agent.segments import SegmentWriter, TurnAborted
from agent.voting import choose as choose_sample
from tools import ToolResult

CallRunner = Callable[[list[Call]], list[ToolResult]]
#: What the model may write after a round's Results: another round, or the reply (the default).
NEXT_AFTER_RESULTS = (INNER_THOUGHTS, MOSS)

__all__ = ["CallRunner", "TurnLimits", "TurnLoop", "TurnPolicy", "quote_call", "render_turn_text", "repeating_tail"]


def quote_call(call: Call) -> Call:
    """The call as MOSS writes it, `Tool("arg", "arg")`, whatever quoting the model used."""
    quoted = ", ".join('"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"' for a in call.args)
    return call.model_copy(update={"text": f"{call.tool}({quoted})"})


class TurnLoop:
    """Runs turns against one backend transcript; `run` yields the events of one turn."""

    def __init__(
        self,
        backend: Backend,
        run_calls: CallRunner,
        *,
        limits: TurnLimits | None = None,
        policy: TurnPolicy | None = None,
        known_tools: Collection[str] | None = None,
        model_name: str = "",
        framing: Framing = MOSS_FRAMING,
    ) -> None:
        self.framing = framing
        self.backend = backend
        self.run_calls = run_calls
        self.limits = limits or TurnLimits()
        self.policy = policy or TurnPolicy()
        self.known_tools = known_tools
        self.model_name = model_name
        #: The Commands grammar when the policy constrains Commands and tools are known.
        self.grammar: CommandsGrammar | None = None
        if self.policy.constrain_commands and known_tools:
            self.grammar = CommandsGrammar(list(known_tools))

    def run(self, question: str, examples: Sequence[Turn] = ()) -> Iterator[Event]:
        """Yield the events of one turn; the last is `TurnDone` unless the consumer stops early.

        `examples` are worked turns written into the transcript right before the question (the
        nearest pool examples, `agent.nearest`); they are not part of the turn's result.
        Stopping early (closing the iterator, Ctrl-C in the REPL) closes the turn in the
        transcript with what was written so far, so the session stays usable.
        """
        turn = _Turn(self, question, examples)
        yield from turn.events()


@dataclass
class _RoundDraft:
    """A round being written; frozen into a `Round` when the turn ends."""

    thoughts: str = ""
    calls: list[Call] = field(default_factory=list)
    results: list[ToolResult] = field(default_factory=list)

    def freeze(self) -> Round:
        return Round(thoughts=self.thoughts, calls=tuple(self.calls), results=tuple(self.results))


class _Turn(SegmentWriter):
    """The state of one turn in flight."""

    def __init__(self, loop: TurnLoop, question: str, examples: Sequence[Turn] = ()) -> None:
        super().__init__(loop.backend, loop.limits, loop.framing)
        self.loop = loop
        self.examples = examples
        self.policy = loop.policy
        self.question = question
        self.rounds: list[_RoundDraft] = [_RoundDraft()]
        self.reply = ""
        self.error: ErrorEvent | None = None
        self.retried = False
        self.stage: str = "human"

    @property
    def current(self) -> _RoundDraft:
        return self.rounds[-1]

    def result(self) -> TurnResult:
        return TurnResult(
            question=self.question,
            rounds=tuple(r.freeze() for r in self.rounds),
            reply=self.reply,
            tokens=self.tokens,
            timings=self.timings,
            warnings=self.warnings,
            error=self.error,
            model=self.loop.model_name,
        )

    # -- the state machine -------------------------------------------------------------------
    def events(self) -> Iterator[Event]:
        try:
            yield TurnStarted(text=self.question, examples=tuple(e.question for e in self.examples))
            framing = self.loop.framing
            shown = "".join(framing.render_turn(example) for example in self.examples)
            self.backend.append(shown + framing.open_turn(self.question))
            while True:
                yield from self._round()
                reason = self._another_round()
                if reason is None:
                    break
                self.rounds.append(_RoundDraft())
                self.backend.append(INNER_THOUGHTS)
                yield RoundStarted(round=len(self.rounds), reason=reason)
            self.backend.append(MOSS)
            self.stage = "reply"
            t0 = time.monotonic()
            self.reply = yield from self._segment("reply", self.limits.reply_tokens)
            self.timings.reply_s += time.monotonic() - t0
            if not self.reply:
                yield self._warn("empty_reply", "the model ended its reply without writing anything")
            self.backend.append(self.loop.framing.turn_close)
            self.stage = "done"
            yield ReplyDone(text=self.reply)
        except BackendError as exc:
            self.error = ErrorEvent(kind="backend", message=str(exc))
            yield self.error
        except TurnAborted as exc:
            self.error = ErrorEvent(kind=exc.kind, message=str(exc))
            yield self.error
        finally:
            if self.stage != "done":
                self._close_out()
        self.timings.total_s = time.monotonic() - self.started
        yield TurnDone(result=self.result())

    def _round(self) -> Iterator[Event]:
        """Thoughts, Commands and Results of the current round."""
        number, current = len(self.rounds), self.current
        self.stage = "thoughts"
        t0 = time.monotonic()
        current.thoughts = yield from self._segment("thoughts", self.limits.thoughts_tokens)
        self.timings.thoughts_s += time.monotonic() - t0
        yield ThoughtsDone(text=current.thoughts, round=number)

        self.backend.append(f"\n{COMMANDS}")
        self.stage = "commands"
        t0 = time.monotonic()
        start = len(self.backend.transcript)
        raw = yield from self._segment("commands", self.limits.commands_tokens, canonical=False,
                                       constraint=self.loop.grammar)
        current.calls = yield from self._parse_calls(raw)
        voted: list[ToolResult] | None = None
        if self._votes(current.calls):
            current.calls, voted = yield from self._vote(start, current.calls)
        commands = ", ".join(c.text for c in current.calls) or NONE
        self._settle(commands, EOC)
        self.timings.commands_s += time.monotonic() - t0
        yield CommandsIssued(text=commands, calls=current.calls, round=number)

        self.stage = "results"
        t0 = time.monotonic()
        if voted is not None:
            current.results = voted
        else:
            current.results = self.loop.run_calls(current.calls) if current.calls else []
        self.timings.tools_s += time.monotonic() - t0
        for call, outcome in zip(current.calls, current.results):
            yield ToolResultEvent(call=call, result=outcome, round=number)
        self._append_results()

    def _append_results(self) -> None:
        current = self.current
        first_snippet = 1 + sum(r.freeze().snippet_count for r in self.rounds[:-1])
        self.backend.append("\n" + render_results(list(zip(current.calls, current.results)), first_snippet))
        self.stage = "after_results"

    def _another_round(self) -> RoundReason | None:
        """Why the turn goes on with another round, or None for the reply."""
        current = self.current
        if not current.calls or len(self.rounds) >= self.limits.max_rounds or self._calls_left() == 0:
            return None
        failed = any(not r.ok for r in current.results)
        if failed and self.policy.retry_failed and not self.retried:
            self.retried = True
            return "retry"
        if failed and self.retried:
            return None  # the retry failed too: a further round would only repeat it
        if not self.policy.more_rounds:
            return None
        if time.monotonic() >= self.deadline:
            self._deadline_error()
        return "model" if prefer(self.backend, NEXT_AFTER_RESULTS, self.deadline) == 0 else None

    # -- voting over sampled Commands --------------------------------------------------------
    def _votes(self, calls: list[Call]) -> bool:
        if not getattr(self.backend, "samples", True):  # a scripted backend without samples in it
            return False
        return self.policy.voting and bool(calls) and all(c.tool in self.policy.vote_tools for c in calls)

    def _vote(self, start: int, greedy: list[Call]) -> Generator[Event, None, tuple[list[Call], list[ToolResult]]]:
        """Sample more Commands from the same thoughts (rewinding to `start`, right after
        `<|Commands|>:`, so the cache is reused), run them all, keep the most agreed one."""
        samples: list[list[Call]] = [greedy]
        for _ in range(self.policy.vote - 1):
            self.backend.rewind(len(self.backend.transcript) - start)
            raw = yield from self._segment("commands", self.limits.commands_tokens, canonical=False,
                                           constraint=self.loop.grammar, temperature=self.policy.vote_temperature,
                                           quiet=True)
            parsed = parse_commands(raw, known_tools=self.loop.known_tools).calls
            calls = [quote_call(c) for c in parsed][: len(greedy)]
            samples.append(calls if all(c.tool in self.policy.vote_tools for c in calls) else [])
        self.backend.rewind(len(self.backend.transcript) - start)
        self.segment_start = start
        unique = list({c.text: c for sample in samples for c in sample}.values())
        t0 = time.monotonic()
        ran = dict(zip((c.text for c in unique), self.loop.run_calls(unique)))
        self.timings.tools_s += time.monotonic() - t0
        chosen, votes = choose_sample(samples, ran)
        yield CommandsVoted(samples=[", ".join(c.text for c in s) or NONE for s in samples], chosen=chosen,
                            votes=votes, round=len(self.rounds))
        return samples[chosen], [ran[c.text] for c in samples[chosen]]

    def _calls_left(self) -> int:
        return self.limits.max_calls - sum(len(r.calls) for r in self.rounds)

    # -- one segment -------------------------------------------------------------------------
    def _parse_calls(self, raw: str) -> Generator[Event, None, list[Call]]:
        parsed = parse_commands(raw, known_tools=self.loop.known_tools)
        for warning in parsed.warnings:
            yield self._warn(f"commands:{warning.kind}", warning.message)
        calls = [quote_call(c) for c in parsed.calls]
        if not calls and not parsed.none and raw.strip():
            yield self._warn("no_calls", f"the Commands segment held no call; read as None: {raw.strip()[:80]!r}")
        budget = self.limits.max_calls - sum(len(r.calls) for r in self.rounds[:-1])
        if len(calls) > budget:
            yield self._warn("too_many_calls", f"{len(calls)} calls; ran the first {budget}")
            calls = calls[:budget]
        return calls

    def _close_out(self) -> None:
        """Finish the turn in the transcript after an error or a cancel, keeping what exists."""
        current = self.current
        try:
            if self.stage == "thoughts":
                current.thoughts = current.thoughts or self._partial()
                self._settle(current.thoughts, EOT)
                self.stage = "commands"
                self.backend.append(f"\n{COMMANDS}")
                self.segment_start = len(self.backend.transcript)
            if self.stage == "commands":
                current.calls = []
                self._settle(NONE, EOC)
                self.stage = "results"
            if self.stage == "results":
                self._append_results()
            if self.stage == "after_results":
                self.backend.append(MOSS)
                self.segment_start = len(self.backend.transcript)
                self.stage = "reply"
            if self.stage == "reply":
                self.reply = self.reply or self._partial()
                self._settle(self.reply, EOM)
                self.backend.append(self.loop.framing.turn_close)
            self.stage = "done"
        except BackendError:  # the transcript is the backend's to repair; the turn is over
            pass

def render_turn_text(result: TurnResult) -> str:
    """The canonical MOSS text of a finished turn, as sessions record and export it."""
    return MOSS_FRAMING.render_turn(result)
