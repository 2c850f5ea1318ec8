"""What the web page reads besides the chat endpoint: past conversations and their turns.

Plain JSON shaped for the page (titles, turns with each call's rendered result), read from the
session store; the page never sees SQL rows or internal models.
"""

from __future__ import annotations

from typing import Any

from agent.serve.turns import SERVED
from agent.store import Store

# The conversations the page lists: served ones and those of `moss-agent chat`/`ask`, not
# imported training data.
LISTED_SOURCES = (SERVED, "recorded")


def conversation_list(store: Store, limit: int) -> dict[str, Any]:
    """Conversations with at least one turn, most recent first, each titled by its first question."""
    infos = [c for c in store.conversations(limit, sources=LISTED_SOURCES) if c.turn_count]
    titles = store.first_questions([c.id for c in infos])
    return {"data": [{"id": c.id, "title": titles.get(c.id, ""), "turns": c.turn_count,
                      "updated_at": c.updated_at, "model": c.model} for c in infos]}


def conversation_detail(store: Store, conversation_id: int) -> dict[str, Any]:
    """One conversation's turns as the page draws them (StoreError if there is none)."""
    info = store.conversation(conversation_id)
    turns = []
    for turn in store.turns(conversation_id):
        result = turn.result
        calls = [{"text": call.text, "result": outcome.render_body().strip(),
                  "error": outcome.error.kind.value if outcome.error else None}
                 for call, outcome in zip(result.calls, result.results)]
        calls += [{"text": call.text, "result": None, "error": None} for call in result.calls[len(result.results):]]
        turns.append({
            "seq": turn.seq,
            "status": turn.status,
            "question": result.question,
            "thoughts": result.thoughts or (turn.partial if turn.partial_segment == "thoughts" else ""),
            "calls": calls,
            "reply": result.reply or (turn.partial if turn.partial_segment == "reply" else ""),
            "error": result.error.message if result.error else None,
        })
    return {"id": info.id, "model": info.model, "turns": turns}
