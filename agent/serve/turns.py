"""One served turn in flight: run on a worker thread, recorded in the store, its events handed
to the event loop as they happen.

The agent's turn loop is synchronous (a model generates on this process's CPU, or an HTTP
backend blocks on its stream), so each turn runs on a thread of its own and the asyncio side
only awaits its events. Cancelling sets a flag the thread checks after every event (every
token): it then closes the stream, so the loop closes the turn in the transcript and the store
marks it cancelled, exactly as Ctrl-C does in the REPL. The slot is given back only when the
thread has really stopped, so a local model never runs two turns at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.errors import MossAgentError
from agent.events import TurnResult
from agent.store import Store
from agent.store.record import Recorder

if TYPE_CHECKING:
    from agent.agent import Agent

_log = logging.getLogger(__name__)
SERVED = "served"  # the store's `source` for conversations that came in through the server


@dataclass
class TurnRequest:
    """What to answer: the question, and either a stored conversation or the history the
    client sent (for a new conversation, recorded as its first turns)."""

    question: str
    conversation_id: int | None = None
    history: list[TurnResult] = field(default_factory=list)


@dataclass(frozen=True)
class Opened:
    """The turn has a conversation in the store (the first item a run yields)."""

    conversation_id: int


@dataclass(frozen=True)
class Failed:
    """The turn could not run or was cut by something outside the loop (the store, a bug)."""

    message: str


_END = object()


class TurnRun:
    """Runs `request` on `agent` in a thread; `events()` yields Opened, the turn's events
    (`agent.events`), perhaps Failed, then stops. `on_end` runs on the event loop once the
    thread has finished."""

    def __init__(self, agent: Agent, store: Store, request: TurnRequest, on_end: Callable[[], None]) -> None:
        self.agent = agent
        self.store = store
        self.request = request
        self._on_end = on_end
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._cancel = threading.Event()
        self.finished = asyncio.Event()
        self._thread = threading.Thread(target=self._work, name="moss-agent-turn", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Stop after the next event; the turn is recorded as cancelled."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    async def events(self) -> AsyncIterator[object]:
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            yield item

    # -- the worker thread -------------------------------------------------------------------
    def _emit(self, item: object) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the event loop has closed (server shutdown): nobody listens
            pass

    def _work(self) -> None:
        try:
            conversation_id, history = self._open()
            self._emit(Opened(conversation_id))
            if self._cancel.is_set():
                return
            session = self.agent.session(history)
            stream = Recorder(self.store, self.agent, conversation_id).stream(session, self.request.question)
            try:
                for event in stream:
                    self._emit(event)
                    if self._cancel.is_set():
                        break
            finally:
                stream.close()
        except MossAgentError as exc:
            self._emit(Failed(str(exc)))
        except Exception as exc:  # a bug: the client gets a message, the server keeps serving
            _log.exception("a served turn failed")
            self._emit(Failed(f"internal error ({type(exc).__name__}: {exc}); see the server's log"))
        finally:
            try:
                self._loop.call_soon_threadsafe(self._finish)
            except RuntimeError:
                pass

    def _open(self) -> tuple[int, list[TurnResult]]:
        """The conversation to record into and the history the model is shown."""
        request = self.request
        if request.conversation_id is not None:
            return request.conversation_id, self.store.history(request.conversation_id)
        agent = self.agent
        conversation_id = self.store.add_conversation(
            [(turn, None) for turn in request.history],
            meta_instruction=agent.meta_instruction,
            model=agent.model_name,
            tools=[t.name for t in agent.tools],
            source=SERVED,
        )
        return conversation_id, request.history

    def _finish(self) -> None:
        self._queue.put_nowait(_END)
        self.finished.set()
        self._on_end()


class Turns:
    """Every turn in flight, so that shutting down cancels them and waits for the threads."""

    def __init__(self) -> None:
        self._active: set[TurnRun] = set()

    def start(self, agent: Agent, store: Store, request: TurnRequest, on_end: Callable[[], None]) -> TurnRun:
        def ended() -> None:
            self._active.discard(run)
            on_end()

        run = TurnRun(agent, store, request, ended)
        self._active.add(run)
        run.start()
        return run

    async def cancel_all(self, timeout: float = 10.0) -> None:
        runs = list(self._active)
        for run in runs:
            run.cancel()
        if runs:
            await asyncio.wait([asyncio.ensure_future(r.finished.wait()) for r in runs], timeout=timeout)
