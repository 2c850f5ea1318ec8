"""The interactive chat: read a message, stream the answer, record it, repeat.

Ctrl-C while an answer streams asks the turn to stop at the next event: the stream is closed,
the loop closes the turn in the transcript, the store marks it cancelled, and the prompt comes
back with the session intact. A second Ctrl-C stops at once (a slow tool or model load).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from agent.errors import MossAgentError
from agent.events import EventStream, TurnResult
from agent.repl.commands import dispatch
from agent.repl.input import Reader
from agent.repl.render import TurnRenderer

if TYPE_CHECKING:
    from agent.agent import Agent, Session
    from agent.store import Store
    from agent.store.record import Recorder


#: What `signal.signal` takes and returns for SIGINT (None: not ours to change).
SigintHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Repl:
    """One chat: an agent, its current session, an optional store, and the terminal."""

    def __init__(self, agent: Agent, reader: Reader, console: Console, *, store: Store | None = None,
                 conversation_id: int | None = None, history: list[TurnResult] | None = None,
                 show_thoughts: bool = True) -> None:
        self.agent = agent
        self.reader = reader
        self.console = console
        self.store = store
        self.renderer = TurnRenderer(console, show_thoughts=show_thoughts)
        self.running = True
        self.session: Session = agent.session(history or [])
        self.recorder: Recorder | None = self._recorder(conversation_id)

    @property
    def conversation_id(self) -> int | None:
        return self.recorder.conversation_id if self.recorder else None

    def _recorder(self, conversation_id: int | None) -> Recorder | None:
        if self.store is None:
            return None
        from agent.store.record import Recorder

        return Recorder(self.store, self.agent, conversation_id)

    def new_conversation(self) -> None:
        """/reset: a fresh session, recorded as a new conversation from its first turn."""
        self.session = self.agent.session()
        self.recorder = self._recorder(None)

    def loop(self) -> None:
        while self.running:
            text = self.reader.read()
            if text is None:
                break
            if not text.strip():
                continue
            if text.lstrip().startswith("/"):
                try:
                    dispatch(self, text.strip())
                except KeyboardInterrupt:
                    self.console.print("[yellow]stopped[/yellow]")
                continue
            self.answer(text.strip())

    def answer(self, text: str) -> None:
        """Stream one turn to the screen; Ctrl-C cancels it and keeps the session."""
        cancel = threading.Event()

        def on_interrupt(signum: int, frame: object) -> None:
            if cancel.is_set():
                raise KeyboardInterrupt
            cancel.set()

        stream = self._stream(text)
        previous = _set_sigint(on_interrupt)
        try:
            for event in stream:
                self.renderer.show(event)
                if cancel.is_set():
                    break
        except KeyboardInterrupt:
            cancel.set()
        except MossAgentError as exc:  # e.g. the log database went away mid-turn
            self.console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        finally:
            try:
                stream.close()
            finally:
                _set_sigint(previous)
        if cancel.is_set():
            self.renderer.cancelled()

    def _stream(self, text: str) -> EventStream:
        if self.recorder is not None:
            return self.recorder.stream(self.session, text)
        return self.session.stream(text)


def _set_sigint(handler: SigintHandler) -> SigintHandler:
    """Swap the SIGINT handler (only the main thread may; elsewhere Ctrl-C is not ours)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if handler is None:
        return None
    return signal.signal(signal.SIGINT, handler)
