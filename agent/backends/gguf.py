"""Loading a causal LM and its tokenizer from a directory or a GGUF file, fast the second time.

transformers can read a GGUF file directly, but on CPU without GGUF kernels it dequantizes every
tensor and converts the GGUF vocabulary into a fast tokenizer each time: ~40 s for the default
0.5B model on 2 cores. The result is saved once (safetensors in the dtype asked for, plus
`tokenizer.json`) under the cache folder, keyed by the GGUF file's path, size and mtime, and
reloaded from there in about a second. A changed GGUF gets a new key and is converted again.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# OpenMP's wait policy is left to the user. On a quiet 2-core machine libgomp's default
# (spin, then sleep) decoded 11.9 tok/s against 9.8 with OMP_WAIT_POLICY=PASSIVE; on cores
# shared with other busy processes spinning threads collapse (an 8-token forward took
# 1.5-2.9 s against 0.28 s passive), so set OMP_WAIT_POLICY=PASSIVE there (the tests do).

import torch  # noqa: E402

from agent.backends.assets import cache_dir
from agent.errors import BackendError

DtypeLike = str | torch.dtype
_DONE = "moss-agent-converted"  # marker written last into a complete conversion


@dataclass
class LoadedModel:
    """A model in eval mode, its tokenizer, and a short name for logs."""

    model: Any  # transformers.PreTrainedModel
    tokenizer: Any  # transformers.PreTrainedTokenizerBase
    name: str


def resolve_dtype(dtype: DtypeLike) -> torch.dtype:
    """`"bfloat16"`, `"bf16"`, `torch.float32`, ... -> a torch dtype (BackendError otherwise)."""
    if isinstance(dtype, torch.dtype):
        return dtype
    aliases = {"bf16": "bfloat16", "fp32": "float32", "f32": "float32", "fp16": "float16",
               "f16": "float16", "half": "float16", "float": "float32"}
    name = aliases.get(str(dtype).lower(), str(dtype).lower())
    value = getattr(torch, name, None)
    if not isinstance(value, torch.dtype):
        raise BackendError(f"unknown dtype {dtype!r}; use 'bfloat16' or 'float32'")
    return value


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def converted_dir(gguf: Path, dtype: torch.dtype) -> Path:
    """Where the conversion of `gguf` in `dtype` is (or will be) kept.

    The key covers the resolved path, size and mtime, so replacing the file invalidates it
    without hashing the whole file.
    """
    st = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
    return cache_dir() / "converted" / f"{gguf.stem}-{key[:16]}-{_dtype_name(dtype)}"


def load_pretrained(
    path: str | os.PathLike[str],
    dtype: DtypeLike = "bfloat16",
    *,
    progress: bool = False,
    convert_cache: bool = True,
    name: str | None = None,
    num_threads: int | None = None,
) -> LoadedModel:
    """Load a causal LM from a transformers directory (or hub id) or a `.gguf` file.

    A GGUF file is converted once into the cache folder (see the module docstring) unless
    `convert_cache` is False. `progress` shows a spinner on stderr while loading.
    `num_threads` sets torch's (process-wide) thread count; None keeps torch's default, one per
    core.
    """
    if num_threads is not None:
        if num_threads < 1:
            raise BackendError(f"num_threads must be at least 1, got {num_threads}")
        torch.set_num_threads(num_threads)
    torch_dtype = resolve_dtype(dtype)
    source = Path(path)
    label = name or source.stem
    if source.suffix.lower() == ".gguf":
        if not source.is_file():
            raise BackendError(f"GGUF file not found: {source}")
        if convert_cache:
            target = converted_dir(source, torch_dtype)
            if not (target / _DONE).is_file():
                _convert(source, target, torch_dtype, progress, label)
            with _status(f"Loading {label}", progress):
                model, tok = _from_dir(str(target), torch_dtype)
        else:
            model, tok = _from_gguf(source, torch_dtype, progress, label)
    else:
        with _status(f"Loading {label}", progress):
            model, tok = _from_dir(str(path), torch_dtype)
    model.eval()
    return LoadedModel(model=model, tokenizer=tok, name=label)


def _from_dir(path: str, dtype: torch.dtype) -> tuple[Any, Any]:
    from concurrent.futures import ThreadPoolExecutor

    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        with _quiet_transformers(), ThreadPoolExecutor(1) as pool:
            # The tokenizer (~1.5 s for Qwen's 151k vocabulary) loads while the weights do.
            tok_future = pool.submit(AutoTokenizer.from_pretrained, path)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
            tok = tok_future.result()
    except (OSError, ValueError) as exc:
        raise BackendError(f"could not load a causal LM from {path}: {exc}") from exc
    return model, tok


def _from_gguf(gguf: Path, dtype: torch.dtype, progress: bool, label: str) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, file = str(gguf.parent), gguf.name
    with _quiet_transformers():
        try:
            with _status(f"Converting the GGUF tokenizer of {label}", progress):
                tok = AutoTokenizer.from_pretrained(folder, gguf_file=file)
            with _rich_tqdm(f"Dequantizing {label} to {_dtype_name(dtype)}", progress):
                model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=dtype)
        except (OSError, ValueError, KeyError) as exc:
            raise BackendError(f"transformers could not load the GGUF file {gguf}: {exc}") from exc
    return model, tok


def _convert(gguf: Path, target: Path, dtype: torch.dtype, progress: bool, label: str) -> None:
    """Dequantize `gguf` and save weights + tokenizer to `target` (atomically, by rename)."""
    model, tok = _from_gguf(gguf, dtype, progress, label)
    if any(type(m).__name__.lower().startswith("gguf") for m in model.modules()):
        # Weights kept packed (GGUF kernels installed): nothing to gain from a conversion.
        raise BackendError(f"{gguf} loaded with packed GGUF weights; pass convert_cache=False")
    # The GGUF quantizer refuses save_pretrained, but the weights are already plain tensors in
    # `dtype` here (checked above), so the model saves and reloads as an ordinary checkpoint.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=target.name + ".tmp"))
    try:
        with _quiet_transformers(), _status(f"Saving {label} to the cache", progress):
            model.save_pretrained(tmp)
            tok.save_pretrained(tmp)
        (tmp / _DONE).write_text(f"{gguf.name}\n")
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / _DONE).is_file():  # not a concurrent conversion that won: a bug
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune_stale(target)


def _prune_stale(current: Path) -> None:
    """Remove older conversions of the same file name and dtype (they are ~1 GB each)."""
    rest, _, dtype = current.name.rpartition("-")
    pattern = re.escape(rest.rpartition("-")[0]) + r"-[0-9a-f]{16}-" + re.escape(dtype)
    for other in current.parent.iterdir():
        if other != current and other.is_dir() and re.fullmatch(pattern, other.name):
            shutil.rmtree(other, ignore_errors=True)


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' tqdm bars and warnings while it loads (we show our own status).

    Its GGUF loader warns that bfloat16 is slower with packed weights, which does not apply
    once the weights are dequantized, as they are on CPU without GGUF kernels.
    """
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


@contextmanager
def _status(message: str, enabled: bool) -> Iterator[None]:
    """A rich spinner with elapsed time on stderr, or nothing."""
    if not enabled:
        yield
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status(message):
        yield


@contextmanager
def _rich_tqdm(label: str, enabled: bool) -> Iterator[None]:
    """Route the legacy GGUF loader's per-tensor tqdm loop into a rich bar on stderr (or hide it).

    transformers' older GGUF path iterates tensors through `tqdm` imported into its module;
    that bar ignores `disable_progress_bar`, so it is swapped for the duration of the load.
    """
    from transformers import modeling_gguf_pytorch_utils as legacy

    original = getattr(legacy, "tqdm", None)
    if original is None:
        yield
        return

    def quiet(iterable: Any, *args: Any, **kwargs: Any) -> Any:
        return iterable

    if not enabled:
        legacy.tqdm = quiet
        try:
            yield
        finally:
            legacy.tqdm = original
        return
    from rich.console import Console
    from rich.progress import track

    console = Console(stderr=True)

    def bar(iterable: Any, *args: Any, **kwargs: Any) -> Any:
        return track(iterable, description=label, console=console, transient=True)

    legacy.tqdm = bar
    try:
        yield
    finally:
        legacy.tqdm = original
