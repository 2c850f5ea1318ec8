"""Showing a turn's events on the terminal, as they arrive.

The reply streams token by token in plain text; inner thoughts stream dimmed, and each tool
call appears as a compact dimmed panel with its result, time and error kind. With thoughts off,
a tool call shrinks to one dim line so the user still sees that a tool answered.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from agent.events import (
    CommandsIssued,
    ErrorEvent,
    Event,
    RoundStarted,
    ThoughtsDone,
    TokenEvent,
    ToolResultEvent,
    TurnDone,
    TurnStarted,
    WarningEvent,
)


class TurnRenderer:
    """Prints events to a rich console; `show_thoughts` is toggled by `/thoughts`."""

    def __init__(self, console: Console, *, show_thoughts: bool = True) -> None:
        self.console = console
        self.show_thoughts = show_thoughts
        self._segment: str | None = None
        self._line_open = False

    def show(self, event: Event) -> None:
        if isinstance(event, TurnStarted):
            self._segment, self._line_open = None, False
            if self.show_thoughts and event.examples:
                self.console.print(f"[dim]examples shown first: {escape(safe(' | '.join(event.examples)))}[/dim]")
        elif isinstance(event, TokenEvent):
            self._token(event)
        elif isinstance(event, ThoughtsDone):
            self._end_line()
        elif isinstance(event, CommandsIssued):
            self._end_line()
        elif isinstance(event, ToolResultEvent):
            self._tool(event)
        elif isinstance(event, RoundStarted):
            if self.show_thoughts:
                self._end_line()
                why = "a call failed: one more round to fix it" if event.reason == "retry" else "thinking again"
                self.console.print(f"[dim]round {event.round}: {why}[/dim]")
        elif isinstance(event, WarningEvent):
            if self.show_thoughts:
                self._end_line()
                self.console.print(f"[yellow dim]warning ({escape(event.kind)}): {escape(safe(event.message))}[/]")
        elif isinstance(event, ErrorEvent):
            self._end_line()
            self.console.print(f"[red]error ({escape(event.kind)}): {escape(safe(event.message))}[/red]")
        elif isinstance(event, TurnDone):
            self._end_line()
            if self.show_thoughts:
                result = event.result
                self.console.print(
                    f"[dim]{result.tokens.generated} tokens · {result.timings.total_s:.1f} s[/dim]"
                )

    def cancelled(self) -> None:
        self._end_line()
        self.console.print("[yellow]cancelled[/yellow] (the session goes on)")

    def _token(self, event: TokenEvent) -> None:
        if event.segment == "commands":
            return  # shown parsed, with its results
        if event.segment == "thoughts" and not self.show_thoughts:
            return
        text = safe(event.text)
        if event.segment != self._segment:
            self._end_line()
            self._segment = event.segment
            text = text.lstrip()
            if event.segment == "thoughts":
                self.console.print(Text("thinking: ", style="dim italic"), end="")
        if event.segment == "thoughts":
            self.console.print(Text(text, style="dim italic"), end="", soft_wrap=True)
        else:
            self.console.file.write(text)  # plain and unstyled: the reply as the model writes it
            self.console.file.flush()
        self._line_open = True

    def _tool(self, event: ToolResultEvent) -> None:
        self._end_line()
        result = event.result
        body = safe(result.render_body().strip()) if result.ok else "No result."
        elapsed = f" · {result.elapsed_s:.2f} s" if result.elapsed_s is not None else ""
        if not self.show_thoughts:
            self.console.print(Text(f"used {event.call.tool}{elapsed}", style="dim"))
            return
        lines = Text(f"{safe(event.call.text)} => {body}", style="dim")
        if result.error is not None:
            lines.append(f"\n{result.error.kind.value}: {safe(result.error.message)}", style="dim red")
        self.console.print(Panel(lines, title=f"[dim]{escape(event.call.tool)}{elapsed}[/dim]",
                                 title_align="left", border_style="dim", expand=False))

    def _end_line(self) -> None:
        if self._line_open:
            self.console.file.write("\n")
            self.console.file.flush()
            self._line_open = False
        self._segment = None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Model and tool output without terminal control characters (escape sequences could
    move the cursor, retitle the window or hide text); line breaks and tabs stay."""
    return _CONTROL.sub("", text)
