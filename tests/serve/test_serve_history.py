"""Where a served turn's history comes from: the messages of a new conversation, or the store
for a continued one; either way the model sees it and the store keeps it."""

from __future__ import annotations

from pathlib import Path

import httpx

from agent.agent import Agent
from agent.backends.scripted import ScriptedBackend
from agent.serve import ServeConfig, create_app
from agent.store import Store
from tests.helpers.serve_helpers import PLAIN_TURN, serve_in_thread


def test_earlier_messages_become_the_history_the_model_sees_and_the_store_keeps(tmp_path: Path) -> None:
    backend = ScriptedBackend(PLAIN_TURN * 2)
    with Agent(backend, tools=[]) as agent, Store.open(tmp_path / "logs.db") as store:
        with serve_in_thread(create_app(agent, store, ServeConfig())) as url:
            messages = [{"role": "system", "content": "Be brief."},
                        {"role": "user", "content": "My name is Ada."},
                        {"role": "assistant", "content": "Nice to meet you, Ada."},
                        {"role": "user", "content": "What is my name?"}]
            first = httpx.post(url + "/v1/chat/completions", json={"model": "scripted", "messages": messages},
                               timeout=60).json()
            cid = first["conversation_id"]
            # Continued by id: the history comes from the store; the resent messages are not needed.
            httpx.post(url + "/v1/chat/completions", timeout=60, json={
                "model": "scripted", "conversation_id": cid, "messages": [{"role": "user", "content": "Thanks"}]})
        seen_by_model = backend.calls[0]
        assert "My name is Ada." in seen_by_model and "Nice to meet you, Ada." in seen_by_model
        assert "Be brief." not in seen_by_model
        assert first["moss"]["warnings"][0]["kind"] == "request"  # the ignored system message is said
        assert "What is my name?" in backend.calls[3] and "Nice to meet you, Ada." in backend.calls[3]
        turns = store.turns(cid)
        assert [(t.result.question, t.status) for t in turns] == [
            ("My name is Ada.", "done"), ("What is my name?", "done"), ("Thanks", "done")]
        assert store.conversation(cid).source == "served"
