"""Turns and conversations, in the shape of the shared MOSS-003 JSON files.

A `Turn` holds the five segments as data (texts, calls, results). Read from a file, it also
keeps the segments exactly as recorded, so `to_moss_json()` gives the file back byte for byte
even where the recording is irregular, while `render_turn()` always gives the canonical text.
A turn built by the runtime has no recording; its export reads back to the same turn.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.errors import ParseError
from agent.wire.call import Call
from agent.wire.commands import parse_commands
from agent.wire.meta import Capability, enabled_tools, parse_meta_instruction
from agent.wire.results import ResultEntry, Results, parse_results
from agent.wire.tags import SEGMENT_TAGS, NONE, render_segment
from agent.wire.warnings import ParseWarning

#: The JSON keys of a turn, in the order the segments are written.
SEGMENT_KEYS: tuple[str, ...] = tuple(SEGMENT_TAGS)
_TURN_KEY = re.compile(r"turn_(\d+)\Z")


class Turn(BaseModel):
    """One exchange: Human, Inner Thoughts, Commands, Results, MOSS reply."""

    model_config = ConfigDict(frozen=True)

    human: str
    inner_thoughts: str = ""
    commands: tuple[Call, ...] = ()
    results: Results = Field(default_factory=Results)
    moss: str = ""
    warnings: tuple[ParseWarning, ...] = ()
    #: The five segments exactly as read (JSON key -> text); None for a turn built at runtime.
    recorded: dict[str, str] | None = None

    def segments(self) -> dict[str, str]:
        """The canonical text of each segment, by JSON key."""
        commands = ", ".join(c.text for c in self.commands) or NONE
        return {
            "Human": render_segment(*SEGMENT_TAGS["Human"], self.human),
            "Inner Thoughts": render_segment(*SEGMENT_TAGS["Inner Thoughts"], self.inner_thoughts),
            "Commands": render_segment(*SEGMENT_TAGS["Commands"], commands),
            "Tool Responses": self.results.render(),
            "MOSS": render_segment(*SEGMENT_TAGS["MOSS"], self.moss),
        }

    def render(self) -> str:
        return "".join(self.segments().values())

    @property
    def round_trips(self) -> bool:
        """True when the canonical rendering equals the recording (always, when not recorded)."""
        return self.recorded is None or self.recorded == self.segments()

    def pairs(self) -> list[tuple[Call, ResultEntry | None]]:
        """Each call with its recorded result entry, None where the recording has none."""
        return [(call, self.results.entry_for(call)) for call in self.commands]

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
        texts = {key: _content(key, data[key], warnings) for key in ("Human", "Inner Thoughts", "MOSS")}
        parsed = parse_commands(data["Commands"], known_tools)
        warnings += [w.model_copy(update={"segment": "Commands"}) for w in parsed.warnings]
        results, result_warnings = parse_results(data["Tool Responses"], parsed.calls)
        warnings += result_warnings
        return cls(
            human=texts["Human"],
            inner_thoughts=texts["Inner Thoughts"],
            commands=tuple(parsed.calls),
            results=results,
            moss=texts["MOSS"],
            warnings=tuple(warnings),
            recorded={key: data[key] for key in SEGMENT_KEYS},
        )


def render_turn(turn: Turn) -> str:
    """The canonical MOSS text of a turn: its five segments concatenated."""
    return turn.render()


def _content(key: str, text: str, warnings: list[ParseWarning]) -> str:
    """The content of an inline segment (`<|Tag|>: content<end>\\n`), tolerating bad markers."""
    tag, end = SEGMENT_TAGS[key]
    content = text
    if content.startswith(tag):
        content = content[len(tag) :]
        content = content[1:] if content.startswith(" ") else content
    else:
        warnings.append(ParseWarning(kind="missing_start_marker", message=f"no {tag} at the start", text=text[:80], segment=key))
    at = content.rfind(end)
    if at < 0:
        warnings.append(ParseWarning(kind="missing_end_marker", message=f"no {end} at the end", text=text[-80:], segment=key))
        content = content.removesuffix("\n")
    else:
        if content[at + len(end) :] not in ("", "\n"):
            warnings.append(ParseWarning(kind="trailing_text", message=f"text after {end} was dropped", text=content[at + len(end) :], segment=key))
        content = content[:at]
    if not warnings and render_segment(tag, end, content) != text:
        warnings.append(ParseWarning(kind="irregular_spacing", message="not laid out the canonical way", text=text[:80], segment=key))
    return content


class Conversation(BaseModel):
    """One conversation file: id, meta instruction, turns, and the category when recorded."""

    model_config = ConfigDict(frozen=True)

    conversation_id: int | str | None = None
    meta_instruction: str
    turns: tuple[Turn, ...] = ()
    category: str | None = None
    num_turns: int | None = None  # as recorded; None means len(turns)
    warnings: tuple[ParseWarning, ...] = ()

    @property
    def capabilities(self) -> list[Capability] | None:
        """The capabilities block, or None if the meta instruction has none readable."""
        try:
            return parse_meta_instruction(self.meta_instruction)[1]
        except ParseError:
            return None

    @property
    def known_tools(self) -> list[str] | None:
        """The enabled tools' function names; None when the meta instruction does not say."""
        caps = self.capabilities
        return None if caps is None else enabled_tools(caps)

    @classmethod
    def from_moss_json(cls, data: Any, known_tools: Collection[str] | None = None) -> Conversation:
        """Read a conversation in the shared files' shape; `ParseError` for any other shape.

        Calls are checked against the tools the meta instruction enables, unless `known_tools`
        is given; a meta instruction without a capabilities block checks nothing.
        """
        if not isinstance(data, Mapping):
            raise ParseError(f"a conversation must be a JSON object, not {type(data).__name__}")
        meta, chat = data.get("meta_instruction"), data.get("chat")
        if not isinstance(meta, str) or not isinstance(chat, Mapping):
            raise ParseError("a conversation needs a text 'meta_instruction' and a 'chat' object of turns")
        num_turns = data.get("num_turns")
        if num_turns is not None and (not isinstance(num_turns, int) or isinstance(num_turns, bool)):
            raise ParseError(f"'num_turns' must be an integer, not {num_turns!r:.40}")
        conversation_id, category = data.get("conversation_id"), data.get("category")
        if not isinstance(conversation_id, (int, str, type(None))) or isinstance(conversation_id, bool):
            raise ParseError(f"'conversation_id' must be an integer or text, not {conversation_id!r:.40}")
        if not isinstance(category, (str, type(None))):
            raise ParseError(f"'category' must be text, not {category!r:.40}")
        if known_tools is None:
            try:
                known_tools = enabled_tools(parse_meta_instruction(meta)[1])
            except ParseError:
                known_tools = None
        warnings: list[ParseWarning] = []
        keys = list(chat)
        if keys != [f"turn_{i}" for i in range(1, len(keys) + 1)]:
            warnings.append(ParseWarning(kind="turn_keys", message="chat keys are not turn_1..turn_N in order; kept in file order", text=", ".join(map(str, keys))[:200]))
        if num_turns is not None and num_turns != len(keys):
            warnings.append(ParseWarning(kind="num_turns", message=f"num_turns is {num_turns} but the chat has {len(keys)} turns"))
        turns = []
        for key in keys:
            try:
                turns.append(Turn.from_moss_json(chat[key], known_tools))
            except ParseError as exc:
                raise ParseError(f"{key}: {exc}") from exc
        return cls(
            conversation_id=conversation_id,
            meta_instruction=meta,
            turns=tuple(turns),
            category=category,
            num_turns=num_turns,
            warnings=tuple(warnings),
        )

    def to_moss_json(self) -> dict[str, Any]:
        """The shared files' shape; `category` only when there is one (text2img has none)."""
        out: dict[str, Any] = {
            "conversation_id": self.conversation_id,
            "meta_instruction": self.meta_instruction,
            "num_turns": len(self.turns) if self.num_turns is None else self.num_turns,
            "chat": {f"turn_{i}": t.to_moss_json() for i, t in enumerate(self.turns, 1)},
        }
        if self.category is not None:
            out["category"] = self.category
        return out
