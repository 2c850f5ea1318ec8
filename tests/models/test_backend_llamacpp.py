"""The in-process llama.cpp backend with the default model; its install hints are checked in
tests/unit/test_backend_llamacpp_install.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.backends.base import Backend, GenerationEnd
from agent.errors import BackendError


def chat(question: str) -> str:
    return (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
    )


CAPITAL = chat("What is the capital of France? Answer in one sentence.")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install 'moss-agent[llamacpp]'")
    from agent.backends.llamacpp import LlamaCppBackend
    from tests.helpers.fixtures_models import gguf_path as _gguf_path

    yield LlamaCppBackend.from_gguf(_gguf_path(tmp_path_factory), n_threads=2, n_ctx=2048)


def run(backend: Backend, stop: list[str], max_new_tokens: int = 48, deadline: float | None = None) -> tuple[str, GenerationEnd]:
    pieces: list[str] = []
    for item in backend.generate(stop, max_new_tokens, deadline):
        if isinstance(item, GenerationEnd):
            assert "".join(pieces) == item.text
            return "".join(pieces), item
        pieces.append(item)
    raise AssertionError("generate ended without a GenerationEnd")


def covered_text(b) -> str:  # type: ignore[no-untyped-def]
    """The text the owned token ids stand for."""
    return b.llama.detokenize(list(b.token_ids), special=True).decode("utf-8")


def test_is_a_backend(backend) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(backend, Backend)


def test_stop_string_ends_the_transcript_and_the_cache_is_kept(backend) -> None:  # type: ignore[no-untyped-def]
    backend.reset(CAPITAL)
    text, end = run(backend, ["."])
    assert end.reason == "stop" and end.stop == "." and "Paris" in text
    assert backend.transcript == CAPITAL + text + "."
    assert end.prompt_tokens > 20  # the prompt was prefilled once...
    ids = backend.token_ids
    cached = backend.cached_tokens
    assert covered_text(backend) == backend.transcript
    # ...and the next segment evaluates only what was appended (and the last generated token).
    appended = "<|im_end|>\n<|im_start|>user\nAnd of Italy?<|im_end|>\n<|im_start|>assistant\n"
    backend.append(appended)
    text2, end2 = run(backend, ["."])
    assert end2.prompt_tokens == (len(ids) - cached) + len(backend.llama.tokenize(appended.encode(), add_bos=False, special=True))
    assert backend.token_ids[: len(ids)] == ids  # earlier tokens are never re-tokenized
    assert "Rome" in text2 and backend.transcript == CAPITAL + text + "." + appended + text2 + "."


def test_a_token_that_runs_past_the_stop_string_is_trimmed(backend) -> None:  # type: ignore[no-untyped-def]
    backend.reset(CAPITAL)
    _, end = run(backend, [], max_new_tokens=2)
    assert end.text == "The capital"  # tokens "The", " capital": the stop below ends inside the second
    backend.reset(CAPITAL)
    text, end = run(backend, ["The cap"])
    assert text == "" and end.reason == "stop" and backend.transcript == CAPITAL + "The cap"
    covered = covered_text(backend)
    assert covered == CAPITAL + "The"  # " capital" went past the end: dropped, " cap" is text again
    assert backend.cached_tokens <= len(backend.token_ids)
    backend.append("ital of Germany is")
    text, end = run(backend, ["."])
    assert "Berlin" in text
    assert covered_text(backend) == backend.transcript
    assert backend.transcript.startswith(CAPITAL + "The capital of Germany is")


def test_rewind_then_generate_again_is_the_same(backend) -> None:  # type: ignore[no-untyped-def]
    backend.reset(CAPITAL)
    text, end = run(backend, [" of"])
    assert end.stop == " of" and backend.transcript == CAPITAL + text + " of"
    first = backend.transcript
    backend.rewind(len(" of"))  # on a token boundary: the cache keeps everything before it
    assert backend.transcript == CAPITAL + text
    run(backend, [" of"])
    assert backend.transcript == first
    backend.rewind(len(" of") + 3)  # inside " capital": that token goes, "The capi" stays text
    assert backend.transcript == CAPITAL + "The capi"
    assert covered_text(backend) == CAPITAL + "The"
    backend.append("tal")
    run(backend, [" of"])
    assert backend.transcript == first


def test_length_deadline_cancel_and_eos(backend) -> None:  # type: ignore[no-untyped-def]
    backend.reset(CAPITAL)
    text, end = run(backend, [], max_new_tokens=3)
    assert end.reason == "length" and end.new_tokens == 3 and backend.transcript == CAPITAL + text

    backend.reset(CAPITAL)
    text, end = run(backend, [], deadline=0.0)
    assert end.reason == "deadline" and text == "" and backend.transcript == CAPITAL

    backend.reset(CAPITAL)
    stream = backend.generate([], 40)
    first = next(stream)
    stream.close()
    assert backend.transcript == CAPITAL + first

    backend.reset(CAPITAL)
    text, end = run(backend, [], max_new_tokens=60)
    assert end.reason == "eos" and "Paris" in text and backend.transcript == CAPITAL + text  # <|im_end|> not kept


def test_transcript_longer_than_the_context_is_an_error(backend) -> None:  # type: ignore[no-untyped-def]
    backend.reset(CAPITAL)
    backend.append("word " * 3000)
    with pytest.raises(BackendError, match="larger n_ctx"):
        run(backend, [])
    assert backend.transcript == CAPITAL + "word " * 3000
    backend.reset(CAPITAL)
    _, end = run(backend, ["."])
    assert end.reason == "stop"
