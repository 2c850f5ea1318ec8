"""Reading the user's next message: prompt_toolkit on a terminal, plain lines otherwise.

On a terminal: Enter sends, Esc then Enter (or Alt-Enter) starts a new line, Up/Down walk the
history file, Ctrl-C clears the line, Ctrl-D on an empty line quits. Piped input (a script,
`echo question | moss-agent chat`) is read line by line with the same meaning.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from prompt_toolkit.key_binding import KeyPressEvent


class Reader(Protocol):
    def read(self) -> str | None:
        """The next message; None to quit (Ctrl-D, end of input); "" for a cleared line."""


class TerminalReader:
    """prompt_toolkit with a history file and multi-line editing."""

    def __init__(self, history_file: Path | None) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, History, InMemoryHistory
        from prompt_toolkit.key_binding import KeyBindings

        bindings = KeyBindings()

        @bindings.add("enter")
        def _send(event: KeyPressEvent) -> None:
            event.current_buffer.validate_and_handle()

        @bindings.add("escape", "enter")
        def _newline(event: KeyPressEvent) -> None:
            event.current_buffer.insert_text("\n")

        history: History = InMemoryHistory()
        if history_file is not None:
            try:
                history_file.parent.mkdir(parents=True, exist_ok=True)
                history = FileHistory(str(history_file))
            except OSError:
                pass  # an unwritable data folder costs the history, not the session
        self._session: PromptSession[str] = PromptSession(
            history=history, multiline=True, key_bindings=bindings,
            prompt_continuation=lambda width, line, soft: "." * (width - 1) + " ",
        )

    def read(self) -> str | None:
        try:
            return self._session.prompt("you> ")
        except KeyboardInterrupt:
            return ""
        except EOFError:
            return None


class LineReader:
    """Plain lines from a pipe or file; the prompt is still written so transcripts read well."""

    def read(self) -> str | None:
        sys.stdout.write("you> ")
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            sys.stdout.write("\n")
            return None
        return line.rstrip("\n")


def make_reader(history_file: Path | None) -> Reader:
    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalReader(history_file)
    return LineReader()
