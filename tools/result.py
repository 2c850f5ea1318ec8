"""What a tool call produced, in the shapes MOSS-003 renders.

A tool returns one of four shapes, because the recorded MOSS conversations show exactly four:
a single value on the entry's own line (`Calculate("2^10") => 1024`), one line per variable
(`Solve(...) =>` then `x = 19`), numbered snippets (`Search(...) =>` then `<|1|>: ...`,
numbered across the whole Commands segment), and failure (`No result.`). The body is rendered
here so that plugins, the sandbox and the wire format agree on one spelling.
"""

from __future__ import annotations

import warnings
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.errors import ToolsError

NO_RESULT = "No result."
#: How much of a failure's reason the model is shown after `No result.` (one line).
REASON_CHARS = 200


class ErrorKind(str, Enum):
    """Why a call produced no result; the runtime logs it and the REPL shows it."""

    TIMEOUT = "timeout"  # wall-time limit: the worker was killed
    CPU = "cpu"  # CPU-time limit (RLIMIT_CPU)
    MEMORY = "memory"  # allocation failed under the memory limit
    OUTPUT = "output"  # result larger than the output limit
    NETWORK = "network"  # the tool tried to reach the network without permission
    SANDBOX = "sandbox"  # refused by the sandbox: an undeclared file, a blocked system call
    CRASHED = "crashed"  # worker died (os._exit, signal, segfault)
    EXCEPTION = "exception"  # the tool raised an unexpected exception
    INVALID_ARGS = "invalid_args"  # the model's arguments failed validation
    UNKNOWN_TOOL = "unknown_tool"  # no enabled tool has that name
    REFUSED = "refused"  # the tool judged the input unsafe or unanswerable (clear message)
    NO_RESULT = "no_result"  # the tool ran fine and found nothing (no solution, no hit)


class FailureReason(BaseModel):
    """Why a call failed, as data (`ToolResult.error`): a kind, and a message for a person.

    Named apart from the exceptions (`ToolsError`, `ToolFailure`): this is a value a result
    carries, never raised. It was called `ToolError` before; that name still imports, with a
    DeprecationWarning, for one release.
    """

    model_config = ConfigDict(frozen=True)

    kind: ErrorKind
    message: str


class ToolResult(BaseModel):
    """One call's outcome. Build it with the class methods, not the constructor."""

    model_config = ConfigDict(frozen=True)

    shape: Literal["value", "lines", "snippets", "failure"]
    items: tuple[str, ...] = ()
    error: FailureReason | None = None
    block: bool = Field(default=False, description="failure on its own line, as Solve writes it")
    elapsed_s: float | None = Field(default=None, description="set by the sandbox")

    @classmethod
    def value(cls, text: str) -> ToolResult:
        return cls(shape="value", items=(text,))

    @classmethod
    def lines(cls, lines: list[str] | tuple[str, ...]) -> ToolResult:
        return cls(shape="lines", items=tuple(lines))

    @classmethod
    def snippets(cls, snippets: list[str] | tuple[str, ...]) -> ToolResult:
        return cls(shape="snippets", items=tuple(snippets))

    @classmethod
    def failure(cls, kind: ErrorKind | str, message: str, *, block: bool = False) -> ToolResult:
        error = FailureReason(kind=ErrorKind(kind), message=message)
        return cls(shape="failure", error=error, block=block)

    @property
    def ok(self) -> bool:
        return self.shape != "failure"

    @property
    def snippet_count(self) -> int:
        """How far this result advances the turn-wide `<|n|>` numbering."""
        return len(self.items) if self.shape == "snippets" else 0

    def with_elapsed(self, seconds: float) -> ToolResult:
        return self.model_copy(update={"elapsed_s": seconds})

    def render_body(self, first_snippet: int = 1) -> str:
        """The text that follows `=>` in a Results entry, separator included.

        A value sits on the entry's line (` 1024`); lines and snippets start on the next line
        (`\\nx = 19\\ny = 11`); a failure reads ` No result.` followed by its reason on the same
        line (` No result. unknown function 'gcf'; known: ...`), so the model can fix the call
        in its next round instead of guessing why it failed.
        """
        if self.shape == "value":
            return " " + self.items[0]
        if self.shape == "lines":
            return "".join("\n" + line for line in self.items) if self.items else " " + NO_RESULT
        if self.shape == "snippets":
            if not self.items:
                return " " + NO_RESULT
            return "".join(
                f"\n<|{first_snippet + i}|>: {snippet}" for i, snippet in enumerate(self.items)
            )
        return ("\n" if self.block else " ") + NO_RESULT + self.reason_suffix()

    def reason_suffix(self) -> str:
        """` <reason>` as the model sees it after `No result.`: one line, bounded; empty when
        there is no reason (a recorded `No result.` carries none).

        A tool's own refusal is written to help fix the call, so the model reads it as is; a
        limit or a crash is told in general words, since its message is for the person running
        the agent (limits, file names) and holds nothing the model could act on.
        """
        if self.error is None:
            return ""
        message = _MODEL_REASONS.get(self.error.kind, self.error.message)
        line = " ".join(message.split())
        if not line:
            return ""
        if len(line) > REASON_CHARS:
            line = line[: REASON_CHARS - 3].rstrip() + "..."
        return " " + line


#: What the model is told of a failure that says nothing about its arguments.
_MODEL_REASONS: dict[ErrorKind, str] = {
    ErrorKind.TIMEOUT: "the call took too long and was stopped",
    ErrorKind.CPU: "the call took too long and was stopped",
    ErrorKind.MEMORY: "the call needed too much memory",
    ErrorKind.OUTPUT: "the result was too long",
    ErrorKind.NETWORK: "this tool may not use the network",
    ErrorKind.CRASHED: "the tool crashed",
    ErrorKind.EXCEPTION: "the tool failed on this input",
}


class ToolFailure(ToolsError):
    """Raise inside a tool to report a clean failure (`No result.`) with a reason.

    Use it for input the tool refuses (too large, unsafe) or cannot answer; anything else a
    tool raises is reported as an unexpected exception.
    """

    def __init__(self, message: str, kind: ErrorKind | str = ErrorKind.REFUSED) -> None:
        super().__init__(message)
        self.kind = ErrorKind(kind)
        self.message = message


def old_name(module: str, name: str) -> object:
    """`ToolError`, the result type's old name (one letter from the exception `ToolsError`),
    as `FailureReason` with a DeprecationWarning, for one release; any other name is an
    AttributeError. Shared by `tools` and `tools.result`, the two places it was imported from."""
    if name == "ToolError":
        warnings.warn(f"{module}.ToolError is now FailureReason; the old name goes in the next "
                      "release", DeprecationWarning, stacklevel=3)
        return FailureReason
    raise AttributeError(f"module {module!r} has no attribute {name!r}")


def __getattr__(name: str) -> object:
    return old_name(__name__, name)
