"""What the transformers backend asks of a model, its tokenizer and its KV cache that has
changed between transformers releases, in one place: a fresh cache, the forward's keyword for
it, cutting it back, and where the end-of-sequence ids are declared. `pyproject.toml` gives
transformers a tested range; a new release that moves one of these again is fixed here.
"""

from __future__ import annotations

import inspect
from typing import Any


def eos_ids(model: Any, tokenizer: Any) -> frozenset[int]:
    """Every id that ends a sequence: models declare them in the generation config, the model
    config or the tokenizer, as one id or a list, and chat models often have several."""
    ids: set[int] = set()
    for source in (getattr(model, "generation_config", None), model.config, tokenizer):
        value = getattr(source, "eos_token_id", None)
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, (list, tuple)):
            ids.update(int(v) for v in value)
    return frozenset(ids)


def new_cache(model: Any) -> Any:
    """An empty `DynamicCache` for `model` (sized from its config where the release allows)."""
    from transformers import DynamicCache

    try:
        return DynamicCache(config=model.config)
    except TypeError:  # older transformers
        return DynamicCache()


def cache_kw(model: Any) -> str:
    """The forward's name for the KV cache. transformers renamed `past_key_values` to `cache`
    between 5.20 and 5.24 (the old name warns from then on and is removed in 5.40), so the
    model's own signature decides; a forward that names neither takes the current one."""
    params = inspect.signature(type(model).forward).parameters
    if "cache" not in params and "past_key_values" in params:
        return "past_key_values"
    return "cache"


def crop(cache: Any, keep: int) -> None:
    """Cut `cache` to its first `keep` positions (crop's argument changed meaning in v5)."""
    remove = cache.get_seq_length() - keep
    if remove <= 0:
        return
    params = inspect.signature(cache.crop).parameters
    cache.crop(-remove if "tokens_to_remove" in params else keep)
