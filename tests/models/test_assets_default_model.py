"""The real default model, assembled from the six installed wheels, checked by size and sha256
(the assembly itself is tested with tiny fake parts in tests/unit/test_assets.py)."""

from __future__ import annotations

from agent.backends import assets


def test_default_model_is_assembled_and_verified() -> None:
    path = assets.default_model_path(progress=False)
    assert path.stat().st_size == assets.DEFAULT_MODEL.size
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"
    assert assets.is_verified(path, assets.DEFAULT_MODEL)
