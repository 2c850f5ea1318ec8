"""Session-wide loaded models for the backend tests (import the fixtures you use).

Loading is the slow part (the first run downloads, assembles and converts; later runs reload
the cached safetensors in seconds), so each model is loaded once per test session and every
test builds its own cheap `TransformersBackend` around it: each backend owns its own ids and
KV cache, so tests cannot disturb one another.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.backends.gguf import LoadedModel


@pytest.fixture(scope="session")
def smollm2() -> LoadedModel:
    """SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI), in float32 so greedy decoding is stable."""
    from agent.backends.assets import smollm2_path
    from agent.backends.gguf import load_pretrained

    return load_pretrained(smollm2_path(), "float32", name="SmolLM2-135M-Instruct")


@pytest.fixture(scope="session")
def default_model() -> LoadedModel:
    """The embedded default model in its default dtype, as `load_default_model` loads it."""
    from agent.backends.assets import DEFAULT_MODEL, default_model_path
    from agent.backends.transformers import DEFAULT_DTYPE
    from agent.backends.gguf import load_pretrained

    return load_pretrained(default_model_path(progress=False), DEFAULT_DTYPE,
                           name=DEFAULT_MODEL.name)


def gguf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded default model's GGUF (assembled into the user cache on first use)."""
    from agent.backends.assets import default_model_path

    return default_model_path(progress=False)
