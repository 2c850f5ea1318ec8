"""The MOSS-003 segment markers, written in one place so the loop and the renderer agree.

A turn reads `<|Human|>: ...<eoh>\\n<|Inner Thoughts|>: ...<eot>\\n<|Commands|>: ...<eoc>\\n`
`<|Results|>:\\n...\\n<eor>\\n<|MOSS|>: ...<eom>\\n`.
"""

from __future__ import annotations

HUMAN = "<|Human|>:"
EOH = "<eoh>"
INNER_THOUGHTS = "<|Inner Thoughts|>:"
EOT = "<eot>"
COMMANDS = "<|Commands|>:"
EOC = "<eoc>"
RESULTS = "<|Results|>:"
EOR = "<eor>"
MOSS = "<|MOSS|>:"
EOM = "<eom>"

#: The word a Commands or Results segment holds when no tool was used.
NONE = "None"

#: Start and end marker of each segment, by the key the shared JSON files use.
SEGMENT_TAGS: dict[str, tuple[str, str]] = {
    "Human": (HUMAN, EOH),
    "Inner Thoughts": (INNER_THOUGHTS, EOT),
    "Commands": (COMMANDS, EOC),
    "Tool Responses": (RESULTS, EOR),
    "MOSS": (MOSS, EOM),
}

#: Every marker, for code that must notice a model wandering out of its segment.
ALL_TAGS: tuple[str, ...] = (HUMAN, EOH, INNER_THOUGHTS, EOT, COMMANDS, EOC, RESULTS, EOR, MOSS, EOM)


def render_segment(tag: str, end: str, content: str) -> str:
    """One inline segment: `<|Tag|>: content<end>\\n` (Human, Inner Thoughts, Commands, MOSS)."""
    return f"{tag} {content}{end}\n"
