"""Errors of the shipped plugins: those of Calculate's and Solve's pure cores.

They extend the project's root (`tools.errors.MossAgentError`, where the whole tree is drawn):

    MossAgentError
    ├── MathError (and ValueError)   input the calculator or solver refuses
    │   ├── TooLarge                 beyond a size limit (digits, depth, degree, unknowns)
    │   └── NoSolution               understood and worked on, and nothing to report
    └── SearchError                  the Search plugin's (plugins.search.errors)
        ├── ProviderUnavailable
        └── DocumentError

The cores are pure functions, tested and benchmarked without a sandbox; the tool wrappers turn
these into `ToolFailure` with the matching `ErrorKind`. Every message says what was wrong with
the input and, where there is one, what to write instead.
"""

from __future__ import annotations

from tools.errors import MossAgentError


class MathError(MossAgentError, ValueError):
    """Input the calculator or solver refuses: unparseable, unsafe or outside the limits."""

    kind: str = "refused"


class TooLarge(MathError):
    """The input or its result would exceed a size limit (digits, depth, degree, unknowns)."""


class NoSolution(MathError):
    """The input was understood and worked on, and there is nothing to report."""

    kind = "no_result"


def quote(text: str, limit: int = 24) -> str:
    """`text` quoted for a message, cut to `limit` characters: a refusal quotes the model's
    input, which may be a megabyte long, and must stay one short line."""
    one_line = " ".join(text.split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 3] + "..."
    return repr(one_line)
