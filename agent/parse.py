"""Tolerant reading of MOSS-003 text: model output and recorded conversations.

The public face of the readers in `agent.wire`. They share two promises, because model output
is untrusted: nothing but `agent.errors.ParseError` is ever raised (and only for input of the
wrong type or shape), and the work is linear in the input. Everything irregular that can be
survived is survived and reported as a typed `ParseWarning`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.errors import ParseError
from tools.wire.commands import MAX_CALLS, MAX_CHARS, ParsedCommands, parse_commands, unescape
from agent.wire.conversation import Conversation
from agent.wire.turn import Turn
from agent.wire.meta import parse_meta_instruction
from tools.wire.results import parse_results
from tools.wire.warnings import WARNING_KINDS, ParseWarning, WarningKind


def parse_turn(data: Mapping[str, Any], known_tools: list[str] | None = None) -> Turn:
    """One recorded `chat.turn_N` object as a `Turn` (see `Turn.from_moss_json`)."""
    return Turn.from_moss_json(data, known_tools)


def parse_conversation(data: Any) -> Conversation:
    """One recorded conversation file's JSON as a `Conversation`."""
    return Conversation.from_moss_json(data)


__all__ = [
    "MAX_CALLS",
    "MAX_CHARS",
    "WARNING_KINDS",
    "ParseError",
    "ParseWarning",
    "ParsedCommands",
    "WarningKind",
    "parse_commands",
    "parse_conversation",
    "parse_meta_instruction",
    "parse_results",
    "parse_turn",
    "unescape",
]
