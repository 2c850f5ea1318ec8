"""One turn as data: the question, one or more tool rounds, the reply; and its one renderer.

MOSS-003 writes one round per turn (thoughts, Commands, Results, then the reply). A turn here may
hold several: after Results the model may think again and issue further Commands (search, then
calculate on what it found; fix a call that failed) before it replies. Each round renders as
MOSS renders its one round, so a one-round turn is byte-identical to MOSS text:

    <|Human|>: ...<eoh>
    <|Inner Thoughts|>: ...<eot>          round 1
    <|Commands|>: Search("...")<eoc>
    <|Results|>:\\n...\\n<eor>
    <|Inner Thoughts|>: ...<eot>          round 2
    <|Commands|>: Calculate("...")<eoc>
    <|Results|>:\\n...\\n<eor>
    <|MOSS|>: ...<eom>

In the shared JSON files' shape, rounds after the first take the keys `Inner Thoughts 2`,
`Commands 2`, `Tool Responses 2`, ... placed before `MOSS`, so joining a turn's values in order
still gives its MOSS text. `Turn.segments()` is the only renderer: the live transcript (through
`agent.framing`), the recorded text and every export read it.

A turn read from a file also keeps its segments exactly as recorded (`recorded`), and each round
keeps its Results entries as written (`Round.recorded_results`), so an export gives the file back
byte for byte even where the recording is irregular, while `segments()` gives the canonical text.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from agent.errors import ParseError
from tools.wire.call import Call
from tools.wire.commands import parse_commands
from tools.wire.results import ResultEntry, Results, parse_results
from tools.wire.tags import COMMANDS, EOC, EOH, EOM, EOT, HUMAN, INNER_THOUGHTS, MOSS, NONE, SEGMENT_TAGS, render_segment
from tools.wire.warnings import ParseWarning
from tools.result import ErrorKind, ToolResult

#: The JSON keys of a one-round turn, in the order the segments are written.
SEGMENT_KEYS: tuple[str, ...] = tuple(SEGMENT_TAGS)
#: The keys of one round; rounds after the first add ` 2`, ` 3`, ...
ROUND_KEYS: tuple[str, ...] = ("Inner Thoughts", "Commands", "Tool Responses")
#: The most rounds a recorded turn may hold (the loop's own bound is far lower).
MAX_RECORDED_ROUNDS = 32
#: Convenience names a turn accepts for its first round (`Turn(question=..., thoughts=...)`).
_FLAT_KEYS = ("thoughts", "commands", "calls", "results")


def round_keys(number: int) -> tuple[str, str, str]:
    """The JSON keys of round `number` (1-based): `Inner Thoughts`, or `Inner Thoughts 2`, ..."""
    suffix = "" if number == 1 else f" {number}"
    thoughts, commands, results = (key + suffix for key in ROUND_KEYS)
    return thoughts, commands, results


class Round(BaseModel):
    """One tool round: the thoughts, the calls they led to (none: `None`), and the results."""

    model_config = ConfigDict(frozen=True)

    thoughts: str = ""
    calls: tuple[Call, ...] = ()
    #: One per call that ran; fewer than `calls` only when the turn was cut short.
    results: tuple[ToolResult, ...] = ()
    #: The Results entries exactly as a recording wrote them; None for a round run here.
    recorded_results: Results | None = None

    @property
    def commands(self) -> str:
        """The Commands segment's content: the calls as issued, or `None`."""
        return ", ".join(c.text for c in self.calls) or NONE

    @property
    def failed(self) -> bool:
        """True when a call of this round answered `No result.`."""
        return any(not r.ok for r in self.results)

    def results_segment(self, first_snippet: int = 1) -> Results:
        """This round's Results; Search snippets are numbered from `first_snippet` on."""
        if self.recorded_results is not None:
            return self.recorded_results
        return Results.from_tool_results(list(zip(self.calls, self.results)), first_snippet)

    @property
    def snippet_count(self) -> int:
        """How far this round advances the turn-wide `<|n|>` numbering of Search snippets."""
        if self.recorded_results is not None:
            return sum(len(e.snippets) for e in self.recorded_results.entries)
        return sum(r.snippet_count for r in self.results)


class Turn(BaseModel):
    """One exchange: the user's text, one or more rounds, the reply.

    `thoughts` and `commands` read the first round (the MOSS keys of those names); `calls` and
    `results` list every call of the turn and its result, in order. A one-round turn can be
    built from those names directly: `Turn(question=..., thoughts=..., calls=[...],
    results=[...], reply=...)`.
    """

    model_config = ConfigDict(frozen=True)

    question: str
    rounds: tuple[Round, ...] = Field(default=(Round(),), min_length=1)
    reply: str = ""
    #: The segments exactly as read (JSON key -> text); None for a turn built at runtime.
    recorded: dict[str, str] | None = None
    #: What a tolerant reader repaired or dropped when the turn came from a file.
    parse_warnings: tuple[ParseWarning, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _first_round_from_flat_names(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or not any(k in data for k in _FLAT_KEYS):
            return data
        data = dict(data)
        flat = {k: data.pop(k) for k in _FLAT_KEYS if k in data}
        if "rounds" not in data:  # with rounds present the flat names are a dump's derived views
            flat.pop("commands", None)  # derived from the calls
            data["rounds"] = [flat]
        return data

    # -- derived views -------------------------------------------------------------------------
    @computed_field  # type: ignore[prop-decorator]
    @property
    def thoughts(self) -> str:
        return self.rounds[0].thoughts

    @computed_field  # type: ignore[prop-decorator]
    @property
    def commands(self) -> str:
        return self.rounds[0].commands

    @computed_field  # type: ignore[prop-decorator]
    @property
    def calls(self) -> list[Call]:
        return [c for r in self.rounds for c in r.calls]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def results(self) -> list[ToolResult]:
        return [x for r in self.rounds for x in r.results]

    # -- rendering -----------------------------------------------------------------------------
    def segments(self) -> dict[str, str]:
        """The canonical text of each segment, by JSON key, in the order they are written."""
        out = {"Human": render_segment(HUMAN, EOH, self.question)}
        first_snippet = 1
        for number, round_ in enumerate(self.rounds, 1):
            thoughts, commands, results = round_keys(number)
            out[thoughts] = render_segment(INNER_THOUGHTS, EOT, round_.thoughts)
            out[commands] = render_segment(COMMANDS, EOC, round_.commands)
            out[results] = round_.results_segment(first_snippet).render()
            first_snippet += round_.snippet_count
        out["MOSS"] = render_segment(MOSS, EOM, self.reply)
        return out

    def render(self) -> str:
        """The turn's MOSS text: its segments joined."""
        return "".join(self.segments().values())

    def model_text(self) -> str:
        """What the model writes (and the runtime around it): from after `<|Inner Thoughts|>:`
        to the reply's `<eom>`. A framing puts the user's text in front of it."""
        segments = self.segments()
        del segments["Human"]
        text = "".join(segments.values())
        return text[len(INNER_THOUGHTS) : -1]  # every segment ends with its line break

    @property
    def round_trips(self) -> bool:
        """True when the canonical rendering equals the recording (always, when not recorded)."""
        return self.recorded is None or self.recorded == self.segments()

    def pairs(self) -> list[tuple[Call, ResultEntry | None]]:
        """Each call with its Results entry (as recorded, when read from a file); None where a
        recording has none."""
        out: list[tuple[Call, ResultEntry | None]] = []
        first_snippet = 1
        for round_ in self.rounds:
            results = round_.results_segment(first_snippet)
            out += [(call, results.entry_for(call)) for call in round_.calls]
            first_snippet += round_.snippet_count
        return out

    # -- the shared JSON files' shape ----------------------------------------------------------
    def to_moss_json(self) -> dict[str, str]:
        return dict(self.recorded) if self.recorded is not None else self.segments()

    @classmethod
    def from_moss_json(cls, data: Mapping[str, Any], known_tools: Collection[str] | None = None) -> Turn:
        """Read one `chat.turn_N` object. Raises `ParseError` only for the wrong shape."""
        if not isinstance(data, Mapping):
            raise ParseError(f"a turn must be a JSON object, not {type(data).__name__}")
        missing = [k for k in SEGMENT_KEYS if not isinstance(data.get(k), str)]
        if missing:
            raise ParseError(f"the turn lacks text for {', '.join(missing)}; keys present: {sorted(map(str, data))}")
        warnings: list[ParseWarning] = []
        keys = ["Human"]
        rounds = []
        for number in range(1, MAX_RECORDED_ROUNDS + 1):
            names = round_keys(number)
            present = [isinstance(data.get(k), str) for k in names]
            if not any(present):
                break
            if not all(present):
                absent = ", ".join(k for k, ok in zip(names, present) if not ok)
                raise ParseError(f"round {number} of the turn lacks text for {absent}")
            rounds.append(_read_round(data, names, known_tools, warnings))
            keys += names
        keys.append("MOSS")
        return cls(
            question=segment_content("Human", data["Human"], warnings),
            rounds=tuple(rounds),
            reply=segment_content("MOSS", data["MOSS"], warnings),
            parse_warnings=tuple(warnings),
            recorded={key: data[key] for key in keys},
        )


def _read_round(data: Mapping[str, Any], keys: tuple[str, str, str], known_tools: Collection[str] | None,
                warnings: list[ParseWarning]) -> Round:
    thoughts_key, commands_key, results_key = keys
    thoughts = segment_content("Inner Thoughts", data[thoughts_key], warnings, thoughts_key)
    parsed = parse_commands(data[commands_key], known_tools)
    warnings += [w.model_copy(update={"segment": commands_key}) for w in parsed.warnings]
    entries, result_warnings = parse_results(data[results_key], parsed.calls)
    warnings += [w.model_copy(update={"segment": results_key}) for w in result_warnings]
    results = []
    for call in parsed.calls:
        entry = entries.entry_for(call)
        results.append(entry.to_tool_result() if entry is not None
                       else ToolResult.failure(ErrorKind.NO_RESULT, "the recording has no result for this call"))
    return Round(thoughts=thoughts, calls=tuple(parsed.calls), results=tuple(results), recorded_results=entries)


def segment_content(kind: str, text: str, warnings: list[ParseWarning], key: str | None = None) -> str:
    """The content of an inline segment (`<|Tag|>: content<end>\\n`), tolerating bad markers.

    `kind` is the segment's base key (`Inner Thoughts`), `key` the JSON key it was read from
    (`Inner Thoughts 2`), which the warnings name.
    """
    key = key or kind
    tag, end = SEGMENT_TAGS[kind]
    found: list[ParseWarning] = []
    content = text
    if content.startswith(tag):
        content = content[len(tag) :]
        content = content[1:] if content.startswith(" ") else content
    else:
        found.append(ParseWarning(kind="missing_start_marker", message=f"no {tag} at the start", text=text[:80], segment=key))
    at = content.rfind(end)
    if at < 0:
        found.append(ParseWarning(kind="missing_end_marker", message=f"no {end} at the end", text=text[-80:], segment=key))
        content = content.removesuffix("\n")
    else:
        if content[at + len(end) :] not in ("", "\n"):
            found.append(ParseWarning(kind="trailing_text", message=f"text after {end} was dropped", text=content[at + len(end) :], segment=key))
        content = content[:at]
    if not found and render_segment(tag, end, content) != text:
        found.append(ParseWarning(kind="irregular_spacing", message="not laid out the canonical way", text=text[:80], segment=key))
    warnings += found
    return content


def render_turn(turn: Turn) -> str:
    """The canonical MOSS text of a turn: its segments joined."""
    return turn.render()
