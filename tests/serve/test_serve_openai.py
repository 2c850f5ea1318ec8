"""`moss-agent serve` as an OpenAI client sees it: the official `openai` package against a real
server process (scripted backend, real sandboxed tools, real session store)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import openai
import pytest

from tests.helpers.serve_helpers import PLAIN_TURN, TOOL_TURN, serve_process, write_script


def _serve(tmp_path: Path, outputs: list[str], *extra: str, env: dict[str, str] | None = None):
    script = write_script(tmp_path / "script.json", outputs)
    args = ["--script", str(script), "--db", str(tmp_path / "logs.db"), "--tools", "Calculate", *extra]
    return serve_process(args, log=tmp_path / "serve.log", env=env)


def _client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=60)


def _logs(tmp_path: Path, *args: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "agent", "logs", "--db", str(tmp_path / "logs.db"), "--json", *args],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_a_plain_answer_and_a_tool_turn_not_streamed(tmp_path: Path) -> None:
    with _serve(tmp_path, PLAIN_TURN + TOOL_TURN) as url:
        client = _client(url)
        [model] = client.models.list().data
        assert model.id == "scripted"

        plain = client.chat.completions.create(model=model.id, messages=[{"role": "user", "content": "Hi"}])
        assert plain.choices[0].message.content == "Hello! How can I help you today?"
        assert plain.choices[0].finish_reason == "stop"
        assert plain.moss["calls"] == [] and plain.moss["commands"] == "None"

        tool = client.chat.completions.create(model=model.id, messages=[{"role": "user", "content": "2^10?"}])
        assert tool.choices[0].message.content == "2 to the 10th is 1024."
        [call] = tool.moss["calls"]
        assert (call["tool"], call["args"], call["result"], call["error"]) == ("Calculate", ["2^10"], "1024", None)
        assert tool.moss["thoughts"].startswith("The user asks for a power of two")
        assert tool.conversation_id != plain.conversation_id  # no conversation_id: a new conversation

    turns = _logs(tmp_path)
    assert [t["result"]["question"] for t in turns] == ["Hi", "2^10?"]
    assert turns[1]["result"]["results"][0]["items"] == ["1024"]
    assert all(t["status"] == "done" for t in turns)


def test_a_streamed_tool_turn_sends_the_reply_as_content_and_the_steps_as_moss_chunks(tmp_path: Path) -> None:
    with _serve(tmp_path, TOOL_TURN) as url:
        stream = _client(url).chat.completions.create(
            model="scripted", messages=[{"role": "user", "content": "What is 2^10?"}], stream=True,
            stream_options={"include_usage": True})
        chunks = list(stream)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == "2 to the 10th is 1024."
    kinds = [c.moss["type"] for c in chunks if getattr(c, "moss", None)]
    assert kinds.index("commands_issued") < kinds.index("tool_result") < kinds.index("turn_done")
    [result] = [c.moss for c in chunks if getattr(c, "moss", None) and c.moss["type"] == "tool_result"]
    assert (result["call"]["text"], result["body"]) == ('Calculate("2^10")', "1024")
    first_content = next(i for i, c in enumerate(chunks) if c.choices and c.choices[0].delta.content)
    assert chunks.index(next(c for c in chunks if getattr(c, "moss", None) and c.moss["type"] == "tool_result")) < first_content
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert len({c.conversation_id for c in chunks if getattr(c, "conversation_id", None)}) == 1


def test_a_conversation_continues_by_its_id_in_the_body_or_a_header(tmp_path: Path) -> None:
    with _serve(tmp_path, TOOL_TURN + PLAIN_TURN + PLAIN_TURN) as url:
        client = _client(url)
        first = client.chat.completions.create(model="scripted", messages=[{"role": "user", "content": "2^10?"}])
        cid = first.conversation_id
        second = client.chat.completions.create(model="scripted", messages=[{"role": "user", "content": "Thanks"}],
                                                extra_body={"conversation_id": cid})
        third = client.chat.completions.with_raw_response.create(
            model="scripted", messages=[{"role": "user", "content": "Bye"}],
            extra_headers={"X-Conversation-Id": str(cid)})
        assert second.conversation_id == cid
        assert third.headers["X-Conversation-Id"] == str(cid)
    turns = _logs(tmp_path, "--cid", str(cid))
    assert [(t["seq"], t["result"]["question"]) for t in turns] == [(1, "2^10?"), (2, "Thanks"), (3, "Bye")]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"model": "scripted", "messages": [{"role": "assistant", "content": "hi"}]}, 400, "must follow a user message"),
        ({"model": "scripted", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x"}]},
         400, "the last message must be the user's question"),
        ({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}, 404, "serves 'scripted'"),
        ({"model": "scripted", "messages": [{"role": "user", "content": "hi"}] * 5}, 400, "--max-messages"),
        ({"model": "scripted", "messages": [{"role": "user", "content": "x" * 3000}]}, 413, "--max-body"),
        ({"model": "scripted", "messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]},
         400, "runs its own tools"),
        ({"model": "scripted", "messages": [{"role": "user", "content": "hi"}], "conversation_id": 99}, 404,
         "no conversation 99"),
        ({"model": "scripted"}, 400, "messages: Field required"),
    ],
)
def test_bad_requests_get_a_4xx_that_names_the_problem(tmp_path: Path, body: dict, status: int, says: str) -> None:
    with _serve(tmp_path, PLAIN_TURN, "--max-messages", "4", "--max-body", "2000") as url:
        client = _client(url)
        with pytest.raises(openai.APIStatusError) as caught:  # the body as given, unchecked by the client
            client.post("/chat/completions", body=body, cast_to=object)
        assert caught.value.status_code == status
        assert says in caught.value.message
        # The server is still fine afterwards, and nothing was recorded for the refused request.
        ok = client.chat.completions.create(model="scripted", messages=[{"role": "user", "content": "hi"}])
        assert ok.choices[0].message.content == "Hello! How can I help you today?"
    assert len(_logs(tmp_path)) == 1


def test_with_a_key_the_api_needs_it_and_the_page_and_healthz_do_not(tmp_path: Path) -> None:
    with _serve(tmp_path, PLAIN_TURN, env={"MOSS_AGENT_SERVE_KEY": "s3cret"}) as url:
        with pytest.raises(openai.AuthenticationError) as caught:
            _client(url, "wrong").models.list()
        assert "wrong API key" in caught.value.message
        assert httpx.get(url + "/v1/models").json()["error"]["message"].startswith("missing API key")
        assert httpx.get(url + "/api/conversations").status_code == 401
        assert httpx.get(url + "/healthz").json()["status"] == "ok"
        assert "<title>moss-agent</title>" in httpx.get(url + "/").text
        answer = _client(url, "s3cret").chat.completions.create(
            model="scripted", messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content == "Hello! How can I help you today?"


def test_another_host_without_a_key_is_refused_before_listening(tmp_path: Path) -> None:
    script = write_script(tmp_path / "script.json", PLAIN_TURN)
    env = {k: v for k, v in __import__("os").environ.items() if k != "MOSS_AGENT_SERVE_KEY"}
    done = subprocess.run([sys.executable, "-m", "agent", "serve", "--script", str(script), "--host", "0.0.0.0",
                           "--db", str(tmp_path / "logs.db")], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1
    assert "--host 0.0.0.0" in done.stderr and "--api-key" in done.stderr
    assert "Traceback" not in done.stderr


def test_stopping_the_server_ends_a_running_turn_with_an_error_and_records_it(tmp_path: Path) -> None:
    import signal

    long_reply = " " + " ".join(f"w{i}" for i in range(300)) + ".<eom>"
    script = write_script(tmp_path / "script.json", [" t.<eot>", " None<eoc>", long_reply], seconds_per_piece=0.05)
    args = [sys.executable, "-m", "agent", "serve", "--script", str(script), "--db", str(tmp_path / "logs.db")]
    from agent.backends.llamacpp_server import free_port

    port = free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen([*args, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        from tests.helpers.serve_helpers import wait_healthy

        wait_healthy(f"http://127.0.0.1:{port}")
        stream = _client(f"http://127.0.0.1:{port}").chat.completions.create(
            model="scripted", stream=True, messages=[{"role": "user", "content": "long"}])
        interrupted = False
        with pytest.raises(openai.APIError) as caught:
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content and not interrupted:
                    proc.send_signal(signal.SIGINT)  # Ctrl-C (once) while the reply streams
                    interrupted = True
        assert "shutting down" in caught.value.message
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
    [turn] = _logs(tmp_path)
    assert turn["status"] == "cancelled" and turn["partial_segment"] == "reply"
