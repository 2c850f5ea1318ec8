"""Conversations in the shape of the shared MOSS-003 JSON files.

A conversation is its meta instruction and its turns (`agent.wire.turn`); read from a file it
keeps what the file recorded beside them (id, category, num_turns) so that it writes back the
same.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from agent.errors import ParseError
from agent.wire.meta import Capability, enabled_tools, parse_meta_instruction
from agent.wire.turn import Turn
from tools.wire.warnings import ParseWarning


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
