"""`moss-agent serve` with the embedded model (llama.cpp in process), asked through the
official `openai` client: a real tool turn, then the same conversation continued, streamed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.serve_helpers import serve_process


def test_the_embedded_model_answers_a_tool_question_and_continues_the_conversation(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install 'moss-agent[llamacpp]'")
    import openai

    args = ["--backend", "llamacpp", "--tools", "Calculate,Solve", "--db", str(tmp_path / "logs.db")]
    with serve_process(args, log=tmp_path / "serve.log", timeout=600) as url:
        client = openai.OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0, timeout=600)
        model = client.models.list().data[0].id
        answer = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "What is 347 multiplied by 29?"}])
        calls = answer.moss["calls"]
        assert [c["tool"] for c in calls] == ["Calculate"]
        assert calls[0]["result"] == "10063"
        assert "10063" in answer.choices[0].message.content.replace(",", "")

        stream = client.chat.completions.create(
            model=model, stream=True, extra_body={"conversation_id": answer.conversation_id},
            messages=[{"role": "user", "content": "Thank you!"}])
        chunks = list(stream)
        reply = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        [done] = [c.moss for c in chunks if getattr(c, "moss", None) and c.moss["type"] == "turn_done"]
        assert reply.strip() and done["error"] is None
        assert done["conversation_id"] == answer.conversation_id
