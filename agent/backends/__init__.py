"""Model backends behind one small protocol (`agent.backends.base.Backend`).

`create_backend` turns a user's choice (`--backend`, `--model`) into a backend, importing only
the one asked for: torch for transformers, llama_cpp for llamacpp, httpx for http.
"""

from __future__ import annotations

from typing import Any

from agent.backends.base import Backend, GenerationEnd
from agent.backends.scripted import ScriptedBackend
from agent.errors import BackendError

BACKENDS = ("transformers", "llamacpp", "http")

__all__ = ["BACKENDS", "Backend", "GenerationEnd", "ScriptedBackend", "create_backend"]


def create_backend(kind: str, model: str | None = None, *, progress: bool = False, **options: Any) -> Backend:
    """A backend of `kind` serving `model` (a path, a server's model name, or None for the
    embedded default model)."""
    if kind == "transformers":
        from agent.backends.transformers import TransformersBackend, load_default_model

        if model is None:
            return load_default_model(progress=progress, **options)
        return TransformersBackend.from_pretrained(model, progress=progress, **options)
    if kind == "llamacpp":
        from agent.backends.llamacpp import LlamaCppBackend

        if model is None:
            from agent.backends.assets import default_model_path

            model = str(default_model_path(progress=progress))
        return LlamaCppBackend.from_gguf(model, **options)
    if kind == "http":
        from agent.backends.http import HttpBackend

        base_url = options.pop("base_url", None)
        if not base_url:
            raise BackendError("the http backend needs a server: pass --base-url URL (e.g. http://127.0.0.1:8000/v1)")
        return HttpBackend(base_url=base_url, model=model or "default", **options)
    raise BackendError(f"unknown backend {kind!r}: choose one of {', '.join(BACKENDS)}")
