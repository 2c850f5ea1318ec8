"""Recording a session into the store by consuming its event stream.

The loop knows nothing of the store: whoever consumes a turn's events (`ask`, the REPL, a web
server) wraps the stream in `Recorder.record`, which writes each step in its own transaction as
the event passes through, then hands the event on unchanged. Reply and thought tokens are not
rows of their own; the text of the segment in flight is flushed every few tokens, so a crash
mid-reply keeps most of what was written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agent.events import (
    CommandsIssued,
    ErrorEvent,
    Event,
    EventStream,
    ReplyDone,
    RoundStarted,
    ThoughtsDone,
    TokenEvent,
    ToolResultEvent,
    TurnDone,
    TurnStarted,
    WarningEvent,
)
from agent.store.database import Store
from agent.store.rows import to_json

if TYPE_CHECKING:
    from agent.agent import Agent, Session


class Recorder:
    """Records the turns of one conversation; the conversation row is made on the first turn.

    `conversation_id` continues a stored conversation (`--continue`, `--cid`). The agent is
    asked for its model name, meta instruction and tools when a turn starts, so tools switched
    on or off mid-conversation are recorded with the turns they applied to.
    """

    def __init__(self, store: Store, agent: Agent, conversation_id: int | None = None,
                 *, flush_every: int = 32) -> None:
        self.store = store
        self.agent = agent
        self.conversation_id = conversation_id
        self.flush_every = flush_every

    def stream(self, session: Session, text: str) -> EventStream:
        """`session.stream(text)`, recorded."""
        return self.record(session.stream(text))

    def record(self, events: Iterator[Event]) -> EventStream:
        """Pass `events` through, writing each step; closing early marks the turn cancelled."""
        turn_id: int | None = None
        finished = False
        segment: str | None = None
        partial = ""
        pending = 0
        call_index = 0
        thoughts: list[str] = []  # each round's, for the `rounds` column
        status = "cancelled"
        try:
            for event in events:
                if isinstance(event, TurnStarted):
                    turn_id = self._start(event)
                elif turn_id is None:
                    pass  # a stream that did not start with TurnStarted: nothing to attach to
                elif isinstance(event, TokenEvent):
                    if event.segment != segment:
                        segment, partial, pending = event.segment, "", 0
                    partial += event.text
                    pending += 1
                    if pending >= self.flush_every:
                        self.store.record_step(turn_id, fields={"partial_segment": segment, "partial": partial.strip()})
                        pending = 0
                elif isinstance(event, ThoughtsDone):
                    thoughts[event.round - 1 :] = [event.text]
                    fields: dict[str, object] = {
                        "rounds": to_json([{"thoughts": t} for t in thoughts]), "partial_segment": None,
                        "partial": ""}
                    self._step(turn_id, event, {"thoughts": event.text, **fields} if event.round == 1 else fields)
                elif isinstance(event, CommandsIssued):
                    fields = {"partial_segment": None, "partial": ""}
                    if event.round == 1:
                        fields["commands"] = event.text
                    self.store.record_step(turn_id, event, fields=fields, calls=event.calls,
                                           round_=event.round, first_index=call_index)
                elif isinstance(event, ToolResultEvent):
                    self.store.record_step(turn_id, event,
                                           result=(call_index, event.result))
                    call_index += 1
                elif isinstance(event, ReplyDone):
                    self._step(turn_id, event, {"reply": event.text, "partial_segment": None, "partial": ""})
                elif isinstance(event, (WarningEvent, ErrorEvent, RoundStarted)):
                    self._step(turn_id, event, {})
                elif isinstance(event, TurnDone):
                    result = event.result
                    self.store.finish_turn(turn_id, result, "done" if result.ok else "error", event)
                    finished = True
                if isinstance(event, (ThoughtsDone, CommandsIssued, ReplyDone)):
                    segment, partial, pending = None, "", 0
                yield event
        except GeneratorExit:
            raise
        except BaseException:
            status = "interrupted"  # an exception (Ctrl-C pressed twice, a bug) ended the turn
            raise
        finally:
            if turn_id is not None and not finished:
                ended: dict[str, object] = {"status": status, "ended_at": time.time()}
                if partial:
                    ended.update(partial_segment=segment, partial=partial.strip())
                try:
                    self.store.record_step(turn_id, fields=ended)
                finally:
                    events_close = getattr(events, "close", None)
                    if events_close is not None:
                        events_close()

    def _start(self, event: TurnStarted) -> int:
        agent = self.agent
        tools = [t.name for t in agent.tools]
        if self.conversation_id is None:
            self.conversation_id = self.store.new_conversation(
                model=agent.model_name, meta_instruction=agent.meta_instruction, tools=tools
            )
        return self.store.start_turn(self.conversation_id, event.text, model=agent.model_name, tools=tools,
                                     event=event)

    def _step(self, turn_id: int, event: Event, fields: dict[str, object]) -> None:
        self.store.record_step(turn_id, event, fields=fields)
