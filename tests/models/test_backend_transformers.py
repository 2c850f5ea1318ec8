"""TransformersBackend: cache reuse equals re-encoding, stop strings, limits, cancel, rewind.

The mechanical tests use SmolLM2-135M (float32, ~3 s to load once cached); one short check runs
the embedded default model. Equality of greedy outputs is the proof that resuming from the
session's KV cache is the same computation as encoding the whole id sequence again.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any

import pytest

from agent.backends.base import Backend, GenerationEnd
from agent.backends.transformers import TransformersBackend
from agent.errors import BackendError
from agent.backends.gguf import LoadedModel
from tests.helpers.fixtures_models import default_model, smollm2  # noqa: F401,F811  (pytest fixtures)

MOSS_STOPS = ["<eoh>", "<eot>", "<eoc>", "<eom>"]
PROMPT = (
    "You are MOSS, a helpful assistant.\n"
    "<|Human|>: What is 347 multiplied by 29?<eoh>\n<|Inner Thoughts|>:"
)
RESULTS = (
    ' I should use the calculator.<eot>\n<|Commands|>: Calculate("347*29")<eoc>\n'
    '<|Results|>:\nCalculate("347*29") => 10063\n<eor>\n<|MOSS|>:'
)
NEXT_TURN = "<eom>\n<|Human|>: And 10063 divided by 29?<eoh>\n<|Inner Thoughts|>:"


def run(backend: TransformersBackend, stop: Sequence[str], n: int,
        deadline: float | None = None) -> tuple[list[str], GenerationEnd]:
    items = list(backend.generate(stop, n, deadline))
    end = items[-1]
    assert isinstance(end, GenerationEnd)
    assert all(isinstance(p, str) and p for p in items[:-1])
    return items[:-1], end  # type: ignore[return-value]


def make(loaded: LoadedModel, **options: Any) -> TransformersBackend:
    return TransformersBackend(loaded.model, loaded.tokenizer, loaded.name, **options)


def spy_forward(monkeypatch: pytest.MonkeyPatch, loaded: LoadedModel) -> list[int]:
    """Record how many input ids each forward pass of the model receives."""
    sizes: list[int] = []
    real = loaded.model.forward

    def forward(*args: Any, **kwargs: Any) -> Any:
        sizes.append(int(kwargs["input_ids"].shape[-1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(loaded.model, "forward", forward)
    return sizes


def resume_vs_reencode(loaded: LoadedModel, resumed: TransformersBackend, appended: str,
                       stop: Sequence[str], n: int, sizes: list[int]) -> GenerationEnd:
    """Append to `resumed` and generate; do the same from a fresh cache holding the same ids."""
    fresh = make(loaded)
    fresh.reset_ids(resumed.token_ids, text=resumed.transcript)
    uncached = len(resumed.token_ids) - resumed.cached_tokens
    appended_ids = len(loaded.tokenizer.encode(appended, add_special_tokens=False))
    resumed.append(appended)
    fresh.append(appended)

    sizes.clear()
    r_pieces, r_end = run(resumed, stop, n)
    resumed_sizes = list(sizes)
    f_pieces, f_end = run(fresh, stop, n)

    assert r_end.text == f_end.text and r_end.reason == f_end.reason
    assert "".join(r_pieces) == r_end.text == "".join(f_pieces)
    assert resumed.token_ids == fresh.token_ids
    assert resumed.transcript == fresh.transcript
    # The resumed call encoded only what the cache lacked; the fresh one everything.
    assert r_end.prompt_tokens == uncached + appended_ids
    assert f_end.prompt_tokens == len(fresh.token_ids) - f_end.new_tokens
    assert r_end.prompt_tokens < f_end.prompt_tokens
    assert resumed_sizes[0] == r_end.prompt_tokens  # one forward pass for the whole prefill
    assert all(s == 1 for s in resumed_sizes[1:])  # then one token at a time
    return r_end


def test_is_a_backend(smollm2: LoadedModel) -> None:
    backend = make(smollm2)
    assert isinstance(backend, Backend)
    assert backend.name == "SmolLM2-135M-Instruct"


def test_resume_equals_full_reencode(smollm2: LoadedModel,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = spy_forward(monkeypatch, smollm2)
    backend = make(smollm2)
    backend.reset(PROMPT)
    _, first = run(backend, MOSS_STOPS, 12)
    assert first.prompt_tokens == len(backend.token_ids) - first.new_tokens
    # Results after the commands, then the next user turn: each continues the same cache.
    resume_vs_reencode(smollm2, backend, RESULTS, MOSS_STOPS, 16, sizes)
    resume_vs_reencode(smollm2, backend, NEXT_TURN, MOSS_STOPS, 16, sizes)


def _token_texts(loaded: LoadedModel, prompt: str, n: int) -> tuple[str, list[str]]:
    backend = make(loaded)
    backend.reset(prompt)
    run(backend, [], n)
    gen = backend.token_ids[-n:]
    return backend.transcript[len(prompt):], [loaded.tokenizer.decode([t]) for t in gen]


def test_stop_inside_a_token_is_cropped_and_never_yielded(
        smollm2: LoadedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    prompt = "Once upon a time"
    text, pieces = _token_texts(smollm2, prompt, 12)
    # A stop string that starts inside token 3 and ends inside token 6, so the token that
    # completes it runs past it and must be cropped back.
    starts = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces))]
    wide = [i for i in range(2, len(pieces) - 3) if len(pieces[i]) >= 2 and len(pieces[i + 3]) >= 2]
    assert wide, f"need multi-char tokens in {pieces!r}"
    i = wide[0]
    a, b = starts[i] + 1, starts[i + 3] + 1
    stop = text[a:b]
    assert text.find(stop) == a

    backend = make(smollm2)
    backend.reset(prompt)
    got, end = run(backend, ["never-there", stop], 12)
    assert end.reason == "stop" and end.stop == stop
    assert end.text == "".join(got) == text[:a]  # not one character of the stop was shown
    assert backend.transcript == prompt + text[:b]  # ends exactly with the stop string
    assert smollm2.tokenizer.decode(list(backend.token_ids)) == backend.transcript
    # The cropped ids and the cache behind them still match a full re-encode.
    sizes = spy_forward(monkeypatch, smollm2)
    resume_vs_reencode(smollm2, backend, " The end.", [], 6, sizes)


def test_stop_prefix_is_held_back_until_it_cannot_match(smollm2: LoadedModel) -> None:
    prompt = "Once upon a time"
    text, _ = _token_texts(smollm2, prompt, 10)
    stop = text[3:8] + "\x00"  # its first 5 characters occur; the whole never does
    backend = make(smollm2)
    backend.reset(prompt)
    seen = ""
    for item in backend.generate([stop], 10):
        if isinstance(item, GenerationEnd):
            end = item
            break
        seen += item
        # while the stop's prefix is the tail of what was generated, it is not shown
        assert not seen.endswith(text[3:8]) or seen == text
    assert end.reason == "length" and end.text == seen == text


def test_max_new_tokens_and_deadline(smollm2: LoadedModel) -> None:
    backend = make(smollm2)
    backend.reset("The weather today")
    _, end = run(backend, [], 5)
    assert end.reason == "length" and end.new_tokens == 5
    before = backend.transcript
    _, end = run(backend, [], 50, deadline=time.monotonic() - 1)
    assert end.reason == "deadline" and end.new_tokens == 0 and end.text == ""
    assert backend.transcript == before
    _, end = run(backend, [], 50, deadline=time.monotonic() + 0.5)
    assert end.reason == "deadline" and 0 < end.new_tokens < 50


def test_close_early_keeps_a_consistent_transcript(smollm2: LoadedModel,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    prompt = "def fibonacci(n):"
    backend = make(smollm2)
    backend.reset(prompt)
    gen = backend.generate([], 30)
    shown = next(gen) + next(gen) + next(gen)
    gen.close()
    assert backend.transcript.startswith(prompt + shown)
    assert smollm2.tokenizer.decode(list(backend.token_ids)) == backend.transcript
    sizes = spy_forward(monkeypatch, smollm2)
    resume_vs_reencode(smollm2, backend, "\n", [], 6, sizes)


def test_end_of_sequence_is_in_the_transcript_not_the_content(smollm2: LoadedModel) -> None:
    prompt = "The capital of France is"  # SmolLM2 Q4_1 ends this with <|im_end|> (greedy)
    backend = make(smollm2)
    backend.reset(prompt)
    pieces, end = run(backend, [], 60)
    assert end.reason == "eos" and end.stop is None
    assert "".join(pieces) == end.text and "<|im_end|>" not in end.text
    assert backend.transcript == prompt + end.text + "<|im_end|>"
    # Asked for as a stop string, the same token ends generation as a stop.
    backend.reset(prompt)
    _, end = run(backend, ["<|im_end|>"], 60)
    assert end.reason == "stop" and end.stop == "<|im_end|>"
    assert backend.transcript == prompt + end.text + "<|im_end|>"


def test_changing_the_transcript_cancels_an_open_generation(smollm2: LoadedModel) -> None:
    backend = make(smollm2)
    backend.reset("Once upon a time")
    gen = backend.generate([], 20)
    first = next(gen)
    backend.append(" X")  # the consumer moved on without closing the generator
    rest = list(gen)
    end = rest[-1]
    assert isinstance(end, GenerationEnd) and end.reason == "cancelled" and end.new_tokens == 1
    assert backend.transcript == "Once upon a time" + first + " X"


def test_rewind_drops_text_and_cache(smollm2: LoadedModel,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    backend = make(smollm2)
    backend.reset(PROMPT)
    run(backend, [], 8)
    full = backend.transcript
    backend.rewind(7)
    assert backend.transcript == full[:-7]
    assert backend.cached_tokens <= len(backend.token_ids)
    covered = smollm2.tokenizer.decode(list(backend.token_ids))
    assert backend.transcript.startswith(covered)  # ids never cover dropped text
    sizes = spy_forward(monkeypatch, smollm2)
    resume_vs_reencode(smollm2, backend, "<eot>\n<|Commands|>:", MOSS_STOPS, 6, sizes)
    with pytest.raises(ValueError):
        backend.rewind(len(backend.transcript) + 1)


def test_seeded_sampling_is_reproducible(smollm2: LoadedModel) -> None:
    outputs = []
    for _ in range(2):
        backend = make(smollm2, temperature=0.9, top_p=0.9, seed=1234)
        backend.reset("My favourite colour is")
        outputs.append(run(backend, [], 12)[1].text)
    assert outputs[0] == outputs[1]


def test_empty_transcript_is_an_error(smollm2: LoadedModel) -> None:
    backend = make(smollm2)
    with pytest.raises(BackendError, match="nothing to continue"):
        next(backend.generate([], 4))


def test_default_model_resumes_like_a_reencode(default_model: LoadedModel,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = spy_forward(monkeypatch, default_model)
    backend = make(default_model)
    backend.reset(PROMPT)
    run(backend, MOSS_STOPS, 8)
    end = resume_vs_reencode(default_model, backend, RESULTS, MOSS_STOPS, 20, sizes)
    assert "10063" in end.text or "10,063" in end.text, end.text


def test_load_default_model_reuses_the_conversion() -> None:
    from agent.backends.transformers import load_default_model

    backend = load_default_model(progress=False)
    assert backend.name == "Qwen2.5-Coder-0.5B-Instruct"
    backend.reset("def add(a, b):\n    return")
    _, end = run(backend, ["\n"], 6)
    assert "a + b" in end.text



def test_the_model_is_loaded_and_called_without_a_deprecated_argument() -> None:
    """transformers warns (FutureWarning) for a release series before it removes an argument,
    as it does for `past_key_values` (gone in 5.40): a release that deprecates something the
    backend passes fails here while the old spelling still works."""
    from agent.backends.assets import smollm2_path
    from agent.backends.gguf import load_pretrained

    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=FutureWarning)
        warnings.filterwarnings("error", category=DeprecationWarning, module="transformers")
        backend = make(load_pretrained(smollm2_path(), "float32"))  # from the converted cache
        backend.reset(PROMPT)
        run(backend, MOSS_STOPS, 4)  # prefill, then decode token by token
        backend.rewind(2)  # crops the cache
        scores = backend.score_continuations((" yes", " no"))
        run(backend, MOSS_STOPS, 2)
    assert len(scores) == 2
