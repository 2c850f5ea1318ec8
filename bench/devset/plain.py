"""The comparison row: the same model with no tools and no MOSS format.

The question goes in as the user message of the model's own chat template (read from the
tokenizer or the GGUF file, so transformers and llama.cpp see the same prompt), and the model
answers greedily through the backend's `reset`/`generate`, like the agent's turns do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from agent.backends.base import Backend, GenerationEnd

STOPS = ("<|im_end|>", "<|im_start|>", "<|endoftext|>")
MAX_NEW_TOKENS = 400


def chat_template(backend: Any) -> str | None:
    """The model's chat template, from a transformers tokenizer or a GGUF file's metadata."""
    template = getattr(getattr(backend, "tokenizer", None), "chat_template", None)
    if isinstance(template, str):
        return template
    llama = getattr(backend, "llama", None)
    metadata = getattr(llama, "metadata", None) or {}
    template = metadata.get("tokenizer.chat_template")
    return template if isinstance(template, str) else None


def chat_prompt(template: str | None, question: str) -> str:
    """The question as the model's chat template renders a single user message (plain ChatML,
    the embedded model's format, when the model carries no template)."""
    if template is None:
        return f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise ValueError(f"the model's chat template refused the prompt: {message}")

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(
        messages=[{"role": "user", "content": question}], add_generation_prompt=True, bos_token="", eos_token=""
    )


@dataclass(frozen=True)
class PlainAnswer:
    reply: str
    seconds: float
    tokens: int
    reason: str  # why generation stopped: stop, eos, length


def plain_answer(backend: Backend, prompt: str, max_new_tokens: int = MAX_NEW_TOKENS) -> PlainAnswer:
    """Greedy answer to one prompt from a fresh transcript."""
    started = time.monotonic()
    backend.reset(prompt)
    end: GenerationEnd | None = None
    for item in backend.generate(STOPS, max_new_tokens):
        if isinstance(item, GenerationEnd):
            end = item
    assert end is not None, "a backend's generate always ends with a GenerationEnd"
    return PlainAnswer(end.text.strip(), time.monotonic() - started, end.new_tokens, end.reason)
