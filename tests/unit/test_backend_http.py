"""The HTTP backend against a tiny scripted server (tests/helpers/http_server.py); the checks
against a real llama.cpp server are in tests/models/test_backend_http_real_server.py.

The scripted server produces what a real one will not on demand: a cut stream, a server that
ignores `stop`, 5xx errors with a message, a stall. Each test says what the client must do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from agent.backends.base import Backend
from agent.backends.http import HttpBackend, completions_url
from agent.backends.llamacpp_server import free_port
from agent.errors import BackendError
from tests.helpers.http_server import (  # noqa: F401  (scripted is a pytest fixture)
    Scripted, completion, cut_chunked, run, scripted, sse, stall, status)


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
    assert probe["max_tokens"] == 2  # a couple of tokens at a time, each answer read to its end


def test_probe_asks_again_until_the_stop_strings_part(scripted: Callable[..., Scripted]) -> None:
    # "\n" alone fits both "\n" and "\n\n": the probe asks for the next tokens after it.
    server = scripted(sse("a", finish="stop"), sse("\n", finish="length"), sse("\n", finish="length"))
    backend = backend_for(server)
    _, end = run(backend, ["\n\n", "\n", "<eom>"])
    assert end.stop == "\n\n" and backend.transcript == "a\n\n"
    prompts = [body["prompt"] for _, body in server.requests]
    assert prompts == ["", "a", "a\n"] and len(server.requests) == 3


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
