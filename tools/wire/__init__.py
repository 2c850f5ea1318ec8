"""What crosses between a model and the tools, in MOSS-003's spelling: calls and Results.

The model writes `<|Commands|>: Calculate("2^10"), Solve("x^2=4")<eoc>`; `parse_commands` reads
that text (tolerantly, in linear time: model output is untrusted) into `Call`s, and
`render_results` writes the tools' answers back as `<|Results|>:\\nCalculate("2^10") => 1024\\n...`.
It lives in `tools`, below both the runtime and the SDK's testing helpers, so that a plugin's
tests run a call exactly as the agent will without importing `agent`. The rest of the wire
format (the meta instruction, whole turns, conversations) is `agent.wire`'s; `agent.format` and
`agent.parse` remain the runtime's one-stop faces for all of it.

- `tags`: the segment markers and the one-line segment renderer;
- `call`: `Call`, one command as the model issued it;
- `warnings`: `ParseWarning`, what a tolerant reader dropped or repaired;
- `commands`: the scanner for a Commands segment;
- `results`: Results segments, built from tool results or read from a recording.
"""

from __future__ import annotations

from tools.wire.call import Call
from tools.wire.commands import MAX_CALLS, MAX_CHARS, ParsedCommands, parse_commands
from tools.wire.results import ResultEntry, Results, parse_results, render_results, results_text
from tools.wire.warnings import WARNING_KINDS, ParseWarning, WarningKind

__all__ = [
    "MAX_CALLS",
    "MAX_CHARS",
    "WARNING_KINDS",
    "Call",
    "ParseWarning",
    "ParsedCommands",
    "ResultEntry",
    "Results",
    "WarningKind",
    "parse_commands",
    "parse_results",
    "render_results",
    "results_text",
]
