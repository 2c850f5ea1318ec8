"""The in-process llama.cpp backend's install hints, without a model (the backend itself is
tested with the default model in tests/models/test_backend_llamacpp.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent.errors import BackendError


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.backends import llamacpp

    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    with pytest.raises(BackendError, match=r"pip install 'moss-agent\[llamacpp\]'"):
        llamacpp.LlamaCppBackend.from_gguf("model.gguf")


def test_missing_model_file(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install 'moss-agent[llamacpp]'")
    from agent.backends.llamacpp import LlamaCppBackend

    with pytest.raises(BackendError, match="model file not found"):
        LlamaCppBackend.from_gguf(tmp_path / "absent.gguf")
