"""The MOSS-003 wire format: models of a conversation and byte-exact rendering.

This module is the public face; the pieces live in `agent.wire`, one concern a module. Tags are
written from here (`HUMAN`, `EOH`, ...) so the loop and the renderer never disagree on a marker.
"""

from __future__ import annotations

from tools.wire.call import Call
from agent.wire.conversation import Conversation
from agent.wire.meta import (
    CAPABILITIES_HEADER,
    MOSS_CAPABILITIES,
    MOSS_PREAMBLE,
    Capability,
    capabilities_for,
    enabled_tools,
    render_meta_instruction,
)
from tools.wire.results import (
    FAILURE_SPELLINGS,
    ResultEntry,
    Results,
    Snippet,
    defang,
    render_results,
    unquote,
)
from tools.wire.tags import (
    ALL_TAGS,
    COMMANDS,
    EOC,
    EOH,
    EOM,
    EOR,
    EOT,
    HUMAN,
    INNER_THOUGHTS,
    MOSS,
    NONE,
    RESULTS,
    SEGMENT_TAGS,
    render_segment,
)
from agent.wire.turn import ROUND_KEYS, SEGMENT_KEYS, Round, Turn, render_turn, round_keys


def render_commands(calls: list[Call] | tuple[Call, ...]) -> str:
    """The whole Commands segment: `<|Commands|>: A("x"), B("y")<eoc>\\n`, or `None` for no call."""
    return render_segment(COMMANDS, EOC, ", ".join(c.text for c in calls) or NONE)


__all__ = [
    "ALL_TAGS",
    "CAPABILITIES_HEADER",
    "COMMANDS",
    "EOC",
    "EOH",
    "EOM",
    "EOR",
    "EOT",
    "FAILURE_SPELLINGS",
    "HUMAN",
    "INNER_THOUGHTS",
    "MOSS",
    "MOSS_CAPABILITIES",
    "MOSS_PREAMBLE",
    "NONE",
    "RESULTS",
    "ROUND_KEYS",
    "SEGMENT_KEYS",
    "SEGMENT_TAGS",
    "Call",
    "Capability",
    "Conversation",
    "ResultEntry",
    "Results",
    "Round",
    "Snippet",
    "Turn",
    "capabilities_for",
    "defang",
    "enabled_tools",
    "render_commands",
    "render_meta_instruction",
    "render_results",
    "render_segment",
    "render_turn",
    "round_keys",
    "unquote",
]
