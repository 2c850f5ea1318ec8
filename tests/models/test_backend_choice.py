"""Scoring continuations on the local backends: the likelier text wins, the transcript and the
cache are left as they were, and both backends agree on the same GGUF (SmolLM2, mechanical)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from agent.backends.base import GenerationEnd, prefer
from agent.backends.transformers import TransformersBackend
from agent.backends.gguf import LoadedModel
from tests.helpers.fixtures_models import smollm2  # noqa: F401  (pytest fixture)

PROMPT = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\nThe capital of France is"
OPTIONS = (" Paris.", " a small banana.")


def greedy(backend, n: int = 8) -> str:  # type: ignore[no-untyped-def]
    items = list(backend.generate([], n))
    assert isinstance(items[-1], GenerationEnd)
    return items[-1].text


@pytest.fixture(scope="module")
def llamacpp() -> Iterator[object]:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install 'moss-agent[llamacpp]'")
    from agent.backends.assets import smollm2_path
    from agent.backends.llamacpp import LlamaCppBackend

    yield LlamaCppBackend.from_gguf(smollm2_path(), n_threads=2, n_ctx=1024)


def check_backend(backend, fresh) -> list[float]:  # type: ignore[no-untyped-def]
    backend.reset(PROMPT)
    scores = backend.score_continuations(OPTIONS)
    assert all(math.isfinite(s) and s < 0 for s in scores)
    assert scores[0] > scores[1] + 5  # the capital, by a wide margin
    assert prefer(backend, OPTIONS) == 0
    assert backend.transcript == PROMPT
    # generation after scoring is what it would have been without it
    fresh.reset(PROMPT)
    assert greedy(backend) == greedy(fresh)
    return scores


def test_transformers_scores_leave_the_cache_as_it_was(smollm2: LoadedModel) -> None:  # noqa: F811
    make = lambda: TransformersBackend(smollm2.model, smollm2.tokenizer, smollm2.name)  # noqa: E731
    backend = make()
    check_backend(backend, make())
    # and after a rewind that cut the cache at a token boundary
    backend.reset(PROMPT)
    greedy(backend, 4)
    backend.rewind(len(backend.transcript) - len(PROMPT))
    assert prefer(backend, OPTIONS) == 0 and backend.transcript == PROMPT


def test_llamacpp_scores_leave_the_cache_as_it_was(llamacpp, smollm2: LoadedModel) -> None:  # noqa: F811
    from agent.backends.assets import smollm2_path
    from agent.backends.llamacpp import LlamaCppBackend

    fresh = LlamaCppBackend.from_gguf(smollm2_path(), n_threads=2, n_ctx=1024)
    scores = check_backend(llamacpp, fresh)
    # the same weights give close log-likelihoods under both engines
    reference = TransformersBackend(smollm2.model, smollm2.tokenizer, smollm2.name)
    reference.reset(PROMPT)
    expected = reference.score_continuations(OPTIONS)
    assert all(abs(a - b) < 1.5 for a, b in zip(scores, expected)), (scores, expected)
