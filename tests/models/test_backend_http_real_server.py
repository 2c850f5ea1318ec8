"""The HTTP backend against a real llama.cpp server (llama-cpp-python[server]) serving the
embedded default model; tests/unit/test_backend_http.py covers the rest with a scripted server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.backends.http import HttpBackend
from agent.errors import BackendError
from tests.helpers.fixtures_models import gguf_path as _gguf_path
from tests.helpers.http_server import run


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


def test_real_server_length_and_eos(llama_server: str) -> None:
    with HttpBackend(llama_server, "default") as backend:
        backend.reset(PROMPT)
        _, end = run(backend, ["<eoc>"], max_new_tokens=3)
        assert end.reason == "length" and backend.transcript == PROMPT + end.text
        backend.reset(PROMPT)
        _, end = run(backend, ["<never>"], max_new_tokens=200)
        # The model ends its answer with <|im_end|>: the probe tells that from a stop string.
        assert end.reason == "eos" and end.stop is None and backend.transcript == PROMPT + end.text


def test_real_server_rejects_an_overlong_prompt(llama_server: str) -> None:
    with HttpBackend(llama_server, "default") as backend:
        backend.reset("word " * 6000)
        with pytest.raises(BackendError, match="without streaming.*HTTP 400.*context"):
            run(backend, [], max_new_tokens=4)
        assert backend.transcript == "word " * 6000


def test_real_server_tells_which_stop_string_ended_it(llama_server: str) -> None:
    question = PROMPT.replace("List three prime numbers, one per line.", "What is the capital of France? Answer in one sentence.")
    with HttpBackend(llama_server, "default") as backend:
        backend.reset(question)
        text, end = run(backend, ["\n", "Paris", "<eom>"])
        assert end.reason == "stop" and end.stop == "Paris"
        assert backend.transcript == question + "".join(text) + "Paris"
