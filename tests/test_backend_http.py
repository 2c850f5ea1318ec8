"""The HTTP backend: against a real llama.cpp server (slow) and a tiny scripted server (fast).

The scripted server produces what a real one will not on demand: a cut stream, a server that
ignores `stop`, 5xx errors with a message, a stall. Each test says what the client must do.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.backends.base import Backend, GenerationEnd
from agent.backends.http import HttpBackend, completions_url
from agent.backends.llamacpp_server import free_port
from agent.errors import BackendError

# -- a scripted server ------------------------------------------------------------------------

Reply = Callable[[BaseHTTPRequestHandler], None]


def sse(*chunks: str, finish: str | None = "stop", done: bool = True, extra: dict[str, Any] | None = None, pause: float = 0.0) -> Reply:
    """Stream `chunks` as completion events, then a finish_reason and `[DONE]` (as told)."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.end_headers()
        for chunk in chunks:
            event = {"choices": [{"text": chunk, "index": 0, "finish_reason": None}]}
            h.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            h.wfile.flush()
            if pause:
                time.sleep(pause)
        if finish is not None:
            choice: dict[str, Any] = {"text": "", "index": 0, "finish_reason": finish}
            choice.update(extra or {})
            h.wfile.write(f"data: {json.dumps({'choices': [choice]})}\n\n".encode())
        if done:
            h.wfile.write(b"data: [DONE]\n\n")

    return reply


def status(code: int, body: Any) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        data = json.dumps(body).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return reply


def completion(text: str, finish: str = "length") -> Reply:
    """A non-streamed completion (what the stop-string probe asks for)."""
    return status(200, {"choices": [{"text": text, "index": 0, "finish_reason": finish}]})


def stall(seconds: float) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)

    return reply


def cut_chunked(first: str) -> Reply:
    """Start a chunked body, send one event, then drop the connection mid-body."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        event = json.dumps({"choices": [{"text": first, "index": 0, "finish_reason": None}]})
        data = f"data: {event}\n\n".encode()
        h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    return reply


class Scripted:
    """A local server that answers each request with the next scripted reply, and records it."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                reply = outer.replies.pop(0) if outer.replies else status(500, {"error": "no reply scripted"})
                try:
                    reply(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def make(*replies: Reply) -> Scripted:
        servers.append(Scripted(list(replies)))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def run(backend: HttpBackend, stop: list[str], max_new_tokens: int = 64, deadline: float | None = None) -> tuple[list[str], GenerationEnd]:
    pieces: list[str] = []
    end = None
    for item in backend.generate(stop, max_new_tokens, deadline):
        if isinstance(item, GenerationEnd):
            end = item
        else:
            pieces.append(item)
    assert end is not None
    return pieces, end


def backend_for(server: Scripted, **kwargs: Any) -> HttpBackend:
    kwargs.setdefault("backoff", 0.0)
    return HttpBackend(server.url, "test-model", **kwargs)


# -- fast tests against the scripted server ---------------------------------------------------


def test_is_a_backend() -> None:
    assert isinstance(HttpBackend("http://127.0.0.1:9", "m"), Backend)


def test_completions_url_accepts_root_or_v1() -> None:
    assert completions_url("http://h:8000") == "http://h:8000/v1/completions"
    assert completions_url("http://h:8000/v1/") == "http://h:8000/v1/completions"
    assert completions_url("https://h/api/v1") == "https://h/api/v1/completions"


def test_rejects_a_base_url_without_scheme() -> None:
    with pytest.raises(BackendError, match="http"):
        HttpBackend("localhost:8000", "m")


def test_server_ignoring_stop_is_cut_at_the_stop_string(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("Hello wor", "ld<e", "oc>and more", "text after", finish="length"))
    backend = backend_for(server)
    backend.reset("<|Human|>: hi<eoh>\n<|Commands|>:")
    pieces, end = run(backend, ["<eoc>"])
    assert "".join(pieces) == "Hello world"
    assert all("<" not in p for p in pieces)  # no part of the stop string is ever shown
    assert end.reason == "stop" and end.stop == "<eoc>" and end.text == "Hello world"
    assert backend.transcript == "<|Human|>: hi<eoh>\n<|Commands|>:Hello world<eoc>"
    headers, body = server.requests[0]
    assert body["prompt"] == "<|Human|>: hi<eoh>\n<|Commands|>:"
    assert body["stop"] == ["<eoc>"] and body["stream"] is True and body["model"] == "test-model"
    assert body["temperature"] == 0.0 and body["max_tokens"] == 64


def test_extra_body_is_sent_but_cannot_override_the_protocol(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("a", finish="length"))
    backend = backend_for(server, extra_body={"repeat_penalty": 1.0, "prompt": "not this"})
    backend.reset("T:")
    run(backend, [])
    _, body = server.requests[0]
    assert body["repeat_penalty"] == 1.0 and body["prompt"] == "T:"


def test_prompt_is_the_previous_prompt_plus_what_followed(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse(" x", "<eot>", finish="length"), sse(" y<eom>", finish="length"))
    backend = backend_for(server)
    backend.reset("P:")
    run(backend, ["<eot>"])
    backend.append("\nR:")
    run(backend, ["<eom>"])
    first, second = (body["prompt"] for _, body in server.requests)
    assert second == first + " x<eot>" + "\nR:"
    assert backend.transcript == "P: x<eot>\nR: y<eom>"


def test_honoured_stop_is_identified_by_probing(scripted: Callable[..., Scripted]) -> None:
    # The server stopped at a stop string it does not name; the probe shows which one it was.
    server = scripted(sse("I will search", finish="stop"), sse("<|", "Comm", "ands|>", ": Search(", finish="length"))
    backend = backend_for(server)
    backend.reset("T:")
    pieces, end = run(backend, ["<eot>", "<|Commands|>"])
    assert end.reason == "stop" and end.stop == "<|Commands|>"
    assert backend.transcript == "T:I will search<|Commands|>"
    _, probe = server.requests[1]
    assert probe["prompt"] == "T:I will search" and "stop" not in probe
    assert probe["max_tokens"] == len("<|Commands|>")


def test_probe_reads_only_as_far_as_needed(scripted: Callable[..., Scripted]) -> None:
    # With "\n" and "\n\n" both possible after "\n", one more piece decides; the rest is unread.
    server = scripted(
        sse("a", finish="stop"),
        sse("\n", "x", "<eom>", finish="length"),
        sse("b", finish="stop"),
        completion("\n\nmore"),  # a server that ignored stream=true: one JSON body
    )
    backend = backend_for(server)
    _, end = run(backend, ["\n\n", "\n", "<eom>"])
    assert end.stop == "\n" and backend.transcript == "a\n"
    _, end = run(backend, ["\n\n", "\n", "<eom>"])
    assert end.stop == "\n\n" and backend.transcript == "a\nb\n\n"


def test_deadline_already_passed_sends_nothing(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("a", finish="length"))
    _, end = run(backend_for(server), [], deadline=time.monotonic() - 1)
    assert end.reason == "deadline" and end.text == "" and not server.requests


def test_end_of_sequence_is_told_from_a_stop_string(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("All done.", finish="stop"), completion("", "stop"))
    backend = backend_for(server)
    backend.reset("T:")
    _, end = run(backend, ["<eom>"])
    assert end.reason == "eos" and end.stop is None and end.text == "All done."
    assert backend.transcript == "T:All done."


def test_tgi_finish_reasons(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("a", finish="stop_sequence"), sse("<eoc>", finish="length"), sse("b", finish="eos_token"))
    backend = backend_for(server)
    _, end = run(backend, ["<eoc>"])
    assert end.reason == "stop" and end.stop == "<eoc>"
    _, end = run(backend, ["<eoc>"])
    assert end.reason == "eos" and backend.transcript == "a<eoc>b" and len(server.requests) == 3


def test_vllm_stop_reason_needs_no_probe(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("a", finish="stop", extra={"stop_reason": "<eoc>"}))
    backend = backend_for(server)
    _, end = run(backend, ["<eot>", "<eoc>"])
    assert end.reason == "stop" and end.stop == "<eoc>" and backend.transcript == "a<eoc>"
    assert len(server.requests) == 1


def test_length_keeps_a_held_back_tail(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("abc", "<e", finish="length"))
    backend = backend_for(server)
    pieces, end = run(backend, ["<eoc>"], max_new_tokens=2)
    assert "".join(pieces) == "abc<e" and end.reason == "length" and end.text == "abc<e"
    assert backend.transcript == "abc<e"


def test_http_error_carries_the_servers_message_and_is_not_retried(scripted: Callable[..., Scripted]) -> None:
    server = scripted(status(500, {"error": {"message": "prompt is longer than the context (4096)"}}))
    backend = backend_for(server)
    backend.reset("before")
    with pytest.raises(BackendError, match=r"HTTP 500: prompt is longer than the context \(4096\)"):
        run(backend, ["<eoc>"])
    assert backend.transcript == "before" and len(server.requests) == 1


def test_4xx_fastapi_detail_is_reported(scripted: Callable[..., Scripted]) -> None:
    server = scripted(status(422, {"detail": [{"loc": ["body", "max_tokens"], "msg": "bad"}]}))
    with pytest.raises(BackendError, match="HTTP 422.*max_tokens"):
        run(backend_for(server), [])


def test_503_is_retried_with_backoff_then_succeeds(scripted: Callable[..., Scripted]) -> None:
    server = scripted(status(503, {"error": "loading"}), status(502, {}), sse("ok", finish="length"))
    backend = backend_for(server, retries=2)
    pieces, end = run(backend, [])
    assert "".join(pieces) == "ok" and len(server.requests) == 3


def test_503_gives_up_after_the_retries(scripted: Callable[..., Scripted]) -> None:
    server = scripted(*[status(503, {"error": "model is loading"})] * 3)
    with pytest.raises(BackendError, match="HTTP 503: model is loading.*tried 3 times"):
        run(backend_for(server, retries=2), [])


def test_connection_refused_says_what_to_check() -> None:
    backend = HttpBackend(f"http://127.0.0.1:{free_port()}", "m", retries=1, backoff=0.0)
    backend.reset("before")
    with pytest.raises(BackendError, match="cannot connect to .*is the server running"):
        run(backend, [])
    assert backend.transcript == "before"


def test_no_answer_within_the_timeout(scripted: Callable[..., Scripted]) -> None:
    server = scripted(stall(3.0))
    with pytest.raises(BackendError, match="did not answer within|sent nothing"):
        run(backend_for(server, timeout=0.3), [])


def test_stall_mid_stream_is_a_timeout_error(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("a", "b", finish="length", pause=2.0))
    backend = backend_for(server, timeout=0.5)
    backend.reset("before")
    with pytest.raises(BackendError, match="sent nothing for 0.5 s after 1 characters"):
        run(backend, [])
    assert backend.transcript == "before"


def test_stream_ending_without_finish_is_an_error_and_rolls_back(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("half an ans", finish=None, done=False))
    backend = backend_for(server)
    backend.reset("before")
    shown: list[str] = []
    with pytest.raises(BackendError, match="ended after 11 characters without a finish_reason"):
        for item in backend.generate(["<eoc>"], 32):
            shown.append(item)  # type: ignore[arg-type]
    assert shown == ["half an ans"]  # the consumer saw it, but the transcript does not keep it
    assert backend.transcript == "before"


def test_stream_cut_mid_body_is_an_error(scripted: Callable[..., Scripted]) -> None:
    server = scripted(cut_chunked("par"))
    backend = backend_for(server)
    backend.reset("before")
    with pytest.raises(BackendError, match="cut after 3 characters|ended after 3 characters"):
        run(backend, [])
    assert backend.transcript == "before"


def test_error_event_inside_the_stream(scripted: Callable[..., Scripted]) -> None:
    def reply(h: BaseHTTPRequestHandler) -> None:
        sse("x", finish=None, done=False)(h)
        h.wfile.write(b'data: {"error": {"message": "CUDA out of memory"}}\n\n')

    server = scripted(reply)
    with pytest.raises(BackendError, match="mid-stream: CUDA out of memory"):
        run(backend_for(server), [])


def test_api_key_is_sent_but_never_shown(scripted: Callable[..., Scripted], monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-test-0123456789"
    monkeypatch.setenv("MOSS_TEST_KEY", secret)
    server = scripted(sse("ok", finish="length"), status(401, {"error": {"message": "invalid key"}}))
    backend = backend_for(server, api_key_env="MOSS_TEST_KEY")
    run(backend, [])
    headers, _ = server.requests[0]
    assert headers["authorization"] == f"Bearer {secret}"
    assert secret not in repr(backend) and secret not in str(vars(backend))
    with pytest.raises(BackendError) as info:
        run(backend, [])
    assert "MOSS_TEST_KEY" in str(info.value) and secret not in str(info.value)
    assert secret not in backend.transcript


def test_no_key_no_authorization_header(scripted: Callable[..., Scripted], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOSS_AGENT_API_KEY", raising=False)
    server = scripted(sse("ok", finish="length"))
    run(backend_for(server), [])
    assert "authorization" not in server.requests[0][0]


def test_closing_early_keeps_what_was_received(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("one ", "two ", "three", finish="length", pause=0.05))
    backend = backend_for(server)
    backend.reset("T:")
    stream = backend.generate([], 10)
    assert next(stream) == "one "
    stream.close()
    assert backend.transcript == "T:one "


def test_deadline_ends_the_generation(scripted: Callable[..., Scripted]) -> None:
    server = scripted(sse("a", "b", "c", "d", finish="length", pause=0.3))
    backend = backend_for(server)
    _, end = run(backend, [], deadline=time.monotonic() + 0.5)
    assert end.reason == "deadline" and 0 < len(end.text) < 4
    assert backend.transcript == end.text


def test_rewind(scripted: Callable[..., Scripted]) -> None:
    backend = HttpBackend("http://127.0.0.1:9", "m")
    backend.reset("abc<|Commands|>")
    backend.rewind(len("<|Commands|>"))
    assert backend.transcript == "abc"
    with pytest.raises(ValueError):
        backend.rewind(4)


# -- slow tests against a real llama.cpp server -----------------------------------------------


def _gguf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded default model's GGUF (assembled into the user cache on first use)."""
    from agent.backends.assets import default_model_path

    return default_model_path(progress=False)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A llama.cpp server (llama-cpp-python[server]) on a free local port, stopped afterwards."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install 'llama-cpp-python[server]'")
    pytest.importorskip("llama_cpp.server", reason="the server extra is missing: pip install 'llama-cpp-python[server]'")
    from agent.backends.llamacpp_server import local_server

    log = tmp_path_factory.mktemp("server") / "server.log"
    with local_server(_gguf_path(tmp_path_factory), threads=2, log=log) as url:
        yield url


PROMPT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\nList three prime numbers, one per line.<|im_end|>\n<|im_start|>assistant\n"
)


@pytest.mark.slow
def test_real_server_streams_and_stops(llama_server: str) -> None:
    with HttpBackend(llama_server, "default") as backend:
        backend.reset(PROMPT)
        pieces, end = run(backend, ["\n"], max_new_tokens=40)
        assert end.reason == "stop" and end.stop == "\n"
        assert end.text and "\n" not in end.text and "".join(pieces) == end.text
        assert backend.transcript == PROMPT + end.text + "\n"
        # The next segment continues the same transcript; the server sees it byte-identical.
        first_line = end.text
        backend.append("")
        _, end2 = run(backend, ["\n"], max_new_tokens=40)
        assert end2.reason == "stop" and end2.text and end2.text != first_line
        assert backend.transcript == PROMPT + first_line + "\n" + end2.text + "\n"


@pytest.mark.slow
def test_real_server_length_and_eos(llama_server: str) -> None:
    with HttpBackend(llama_server, "default") as backend:
        backend.reset(PROMPT)
        _, end = run(backend, ["<eoc>"], max_new_tokens=3)
        assert end.reason == "length" and backend.transcript == PROMPT + end.text
        backend.reset(PROMPT)
        _, end = run(backend, ["<never>"], max_new_tokens=200)
        # The model ends its answer with <|im_end|>: the probe tells that from a stop string.
        assert end.reason == "eos" and end.stop is None and backend.transcript == PROMPT + end.text


@pytest.mark.slow
def test_real_server_rejects_an_overlong_prompt(llama_server: str) -> None:
    with HttpBackend(llama_server, "default") as backend:
        backend.reset("word " * 6000)
        with pytest.raises(BackendError, match="without streaming.*HTTP 400.*context"):
            run(backend, [], max_new_tokens=4)
        assert backend.transcript == "word " * 6000


@pytest.mark.slow
def test_real_server_tells_which_stop_string_ended_it(llama_server: str) -> None:
    question = PROMPT.replace("List three prime numbers, one per line.", "What is the capital of France? Answer in one sentence.")
    with HttpBackend(llama_server, "default") as backend:
        backend.reset(question)
        text, end = run(backend, ["\n", "Paris", "<eom>"])
        assert end.reason == "stop" and end.stop == "Paris"
        assert backend.transcript == question + "".join(text) + "Paris"
