"""A Backend over any transformers causal LM, keeping one KV cache for the whole session.

The backend owns the exact token ids its cache holds and never re-tokenizes earlier text:
appended text is tokenized on its own when `generate` next runs and prefilled in one forward
pass; generated tokens stay as generated. After a command round the runtime appends the
Results and generation resumes from the same cache, so a resume costs the ~40 new tokens, not
the whole transcript.

Decoding is a plain loop calling the model forward one token at a time (greedy by default,
optional temperature/top-p with a seed), not `model.generate`: stop strings, the deadline and
cancellation are checked between tokens in the caller's thread, with no streamer thread (which
cost ~13% of decode speed on 2 cores). What transformers releases changed under the backend (the
cache's keyword, cropping it) is handled in transformers_compat.py.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Sequence
from typing import Any

from agent.backends import transformers_compat as compat
from agent.backends.base import Constraint, FinishReason, GenerationEnd, TokenStream, rewound
from agent.backends.stops import StopScanner
from agent.backends.transformers_choice import TokenChooser
from agent.errors import BackendError
from agent.backends.gguf import DtypeLike, load_pretrained  # first: it sets OMP_WAIT_POLICY for torch

import torch  # noqa: E402,I001

#: Default dtype for the embedded model on CPU: bfloat16. It is ~2x faster (decode 12.4 vs 6.3
#: tok/s on an idle 2-core box; prefill 283 vs 88 tok/s measured by `bench/backend.py` on a busy
#: one) because the memory-bound matmuls move half the bytes, and its first start is as fast.
#: The weights come from a Q4_K_M GGUF (4-6 bit blocks), so rounding them to bfloat16 loses far
#: less than the quantization already did: next-token top-1 agreed with float32 at 400/400
#: positions; greedy runs match for a while and then part at a near-tie, as any two dtypes do.
DEFAULT_DTYPE = "bfloat16"

class TransformersBackend:
    """A `Backend` driving a transformers causal LM with a persistent `DynamicCache`.

    Several backends may share one loaded model (each keeps its own ids and cache), which is
    how tests reuse one model per session. Not thread-safe.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        name: str | None = None,
        *,
        temperature: float = 0.0,
        top_p: float = 1.0,
        seed: int | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name or getattr(model.config, "_name_or_path", "") or type(model).__name__
        self.temperature = temperature
        self.top_p = top_p
        self._chooser = TokenChooser(tokenizer, self._decode, seed)
        self._cache_kw = compat.cache_kw(model)
        self._eos = compat.eos_ids(model, tokenizer)
        self._max_positions = getattr(model.config, "max_position_embeddings", None)
        self.reset("")

    @classmethod
    def from_pretrained(
        cls,
        path_or_gguf: str | os.PathLike[str],
        dtype: DtypeLike = DEFAULT_DTYPE,
        *,
        progress: bool = False,
        name: str | None = None,
        num_threads: int | None = None,
        **options: Any,
    ) -> TransformersBackend:
        """Load a model directory, hub id or `.gguf` file (GGUF is converted once and cached).

        `num_threads` sets torch's thread count (default: one per core); `options` go to the
        constructor (temperature, top_p, seed).
        """
        loaded = load_pretrained(path_or_gguf, dtype, progress=progress, name=name,
                                 num_threads=num_threads)
        return cls(loaded.model, loaded.tokenizer, loaded.name, **options)

    # --- the Backend protocol ------------------------------------------------------------

    def reset(self, text: str = "") -> None:
        """Start a new transcript holding `text`; drops the cache."""
        self._epoch = getattr(self, "_epoch", 0) + 1  # cancels an open generation
        self._transcript = text
        self._ids: list[int] = []
        # Where each id's text ends in the transcript (chars), or None when it ends inside a
        # character or is not known; `rewind` keeps the ids that end at or before its cut.
        self._ends: list[int | None] = []
        self._covered = 0  # transcript[:_covered] is what the ids hold; the rest is pending
        self._cache = compat.new_cache(self.model)
        self._cached = 0  # self._ids[:_cached] are in the cache
        self._logits: torch.Tensor | None = None  # next-token logits after the cached ids

    def reset_ids(self, ids: Sequence[int], text: str | None = None) -> None:
        """Start a new transcript from exact token ids (a saved session, or a test's
        re-encode); `text` defaults to the ids decoded."""
        self.reset("")
        self._ids = [int(i) for i in ids]
        self._transcript = self._decode(self._ids) if text is None else text
        self._covered = len(self._transcript)
        self._ends = [None] * len(self._ids)
        if self._ends:
            self._ends[-1] = self._covered

    def append(self, text: str) -> None:
        """Add runtime-written text; it is tokenized on its own by the next `generate`."""
        self._epoch += 1  # cancels an open generation
        self._transcript += text

    def rewind(self, chars: int) -> None:
        """Drop the last `chars` characters of the transcript and the cache entries behind them.

        Ids that end at or before the cut are kept (with their cache); text between the last
        kept id and the cut becomes pending again and is re-tokenized by the next `generate`.
        """
        self._transcript = rewound(self._transcript, chars)
        self._epoch += 1  # cancels an open generation
        cut = len(self._transcript)
        if cut >= self._covered:
            return  # only pending text was dropped
        keep = len(self._ids)
        while keep and (self._ends[keep - 1] is None or self._ends[keep - 1] > cut):  # type: ignore[operator]
            keep -= 1
        self._truncate(keep)
        self._covered = self._ends[keep - 1] if keep else 0  # type: ignore[assignment]

    @property
    def transcript(self) -> str:
        """Everything the model has seen or written so far, as text."""
        return self._transcript

    @property
    def token_ids(self) -> tuple[int, ...]:
        """The ids of the transcript so far (text appended since the last generate excluded)."""
        return tuple(self._ids)

    @property
    def cached_tokens(self) -> int:
        """How many of `token_ids` the KV cache holds (the rest is prefilled next time)."""
        return self._cached

    def generate(
        self,
        stop: Sequence[str],
        max_new_tokens: int,
        deadline: float | None = None,
        *,
        temperature: float | None = None,
        top_p: float | None = None,
        constraint: Constraint | None = None,
    ) -> TokenStream:
        """Continue the transcript (see `Backend.generate`); `temperature`/`top_p` override the
        instance's sampling settings for this call (0 = greedy). Under a `constraint` a token is
        taken only if the text stays in its language: the model's own choice when allowed,
        else the likeliest allowed one among its 256 best."""
        started = time.monotonic()
        scanner = StopScanner(stop)
        temp = self.temperature if temperature is None else temperature
        nucleus = self.top_p if top_p is None else top_p
        self._flush_pending()
        if not self._ids:
            raise BackendError("nothing to continue: reset() or append() some text first")
        self._epoch += 1
        epoch = self._epoch  # any later reset/append/rewind/generate cancels this generation
        base = len(self._ids)  # gen == self._ids[base:]
        prior = self._transcript  # gen's text follows it
        prompt_tokens = base - self._cached
        gen: list[int] = []
        text = ""  # gen decoded
        fed = 0  # chars of `text` given to the scanner (complete characters only)
        reason: FinishReason = "length"
        unfed: str | None = None  # after end of sequence: the content not yet given to scanner
        while True:
            if self._epoch != epoch:
                reason = "cancelled"
                break
            if len(gen) >= max_new_tokens:
                reason = "length"
                break
            if deadline is not None and time.monotonic() >= deadline:
                reason = "deadline"
                break
            token = self._chooser.choose(self._advance(), temp, nucleus, constraint, gen)
            self._ids.append(token)
            gen.append(token)
            before, text = text, self._decode(gen)
            complete = len(text.rstrip("\ufffd"))  # U+FFFD: a character still incomplete
            if token in self._eos and not _ends_with_stop(scanner, text[fed:complete]):
                # End of sequence: its text (e.g. `<|im_end|>`) is in the transcript, since the
                # model saw it, but not in the content.
                reason, unfed = "eos", before[fed:]
                self._ends.append(len(prior) + len(text))
                self._commit(prior + text)
                break
            self._ends.append(len(prior) + len(text) if complete == len(text) else None)
            piece = scanner.feed(text[fed:complete])
            fed = complete
            if scanner.stopped:
                reason = "stop"
                end = len(scanner.text) + len(scanner.stop or "")
                text = self._end_at_stop(base, len(prior), gen, text, end)
            # After every token the ids, the cache and the transcript agree, so closing the
            # generator at this yield leaves a consistent transcript without cleanup.
            self._commit(prior + text)
            if piece:
                yield piece
            if scanner.stopped:
                break
        if reason != "stop":  # the held-back tail is content after all
            rest = scanner.feed(text[fed:] if unfed is None else unfed) + scanner.flush()
            if rest:
                yield rest
        yield GenerationEnd(
            reason=reason, text=scanner.text, stop=scanner.stop,
            new_tokens=len(gen), prompt_tokens=prompt_tokens,
            seconds=time.monotonic() - started,
        )

    @torch.inference_mode()
    def score_continuations(self, options: Sequence[str]) -> list[float]:
        """The log-likelihood of each option's tokens after the transcript (see `base.prefer`).

        Each option is tokenized on its own, as `append` would, and run through the model on
        top of the kept cache, which is then cropped back: nothing before it is re-encoded.
        """
        self._flush_pending()
        if not self._ids:
            raise BackendError("nothing to continue: reset() or append() some text first")
        first = torch.log_softmax(self._advance(), dim=-1)
        base = self._cached
        scores = []
        for option in options:
            ids = self._encode(option)
            if not ids:
                scores.append(0.0)
                continue
            score = float(first[ids[0]])
            if len(ids) > 1:
                out = self.model(input_ids=torch.tensor([ids[:-1]]), **{self._cache_kw: self._cache}, use_cache=True)
                steps = torch.log_softmax(out.logits[0].float(), dim=-1)
                score += float(sum(steps[i, token] for i, token in enumerate(ids[1:])))
                compat.crop(self._cache, base)
            scores.append(score)
        return scores

    # --- internals ---------------------------------------------------------------------------

    def _commit(self, transcript: str) -> None:
        """The transcript now ends with generated text that the ids fully cover."""
        self._transcript = transcript
        self._covered = len(transcript)

    def _flush_pending(self) -> None:
        """Tokenize the text appended since the last generate, on its own."""
        pending = self._transcript[self._covered:]
        if pending:
            ids, ends = self._encode_with_ends(pending)
            self._ids.extend(ids)
            self._ends.extend(None if e is None else self._covered + e for e in ends)
            self._covered = len(self._transcript)

    def _encode_with_ends(self, text: str) -> tuple[list[int], list[int | None]]:
        """Ids of `text` and where each ends in it (None where unknown)."""
        try:
            enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
            ids = list(enc["input_ids"])
            ends: list[int | None] = [int(e) for _, e in enc["offset_mapping"]]
        except (NotImplementedError, KeyError, TypeError):  # a slow tokenizer has no offsets
            ids = self._encode(text)
            ends = [None] * len(ids)
        if ends:
            ends[-1] = len(text)
        return ids, ends

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def _decode(self, ids: Sequence[int]) -> str:
        # Special tokens stay in the text: the transcript shows what the model saw.
        return self.tokenizer.decode(ids, skip_special_tokens=False,
                                     clean_up_tokenization_spaces=False)

    def _truncate(self, keep: int) -> None:
        """Keep the first `keep` ids; crop the cache to match."""
        del self._ids[keep:], self._ends[keep:]
        if self._cached > keep:
            compat.crop(self._cache, keep)
            self._cached = keep
            self._logits = None

    @torch.inference_mode()
    def _advance(self) -> torch.Tensor:
        """Prefill every id the cache lacks in one forward pass; return next-token logits."""
        if self._logits is None and self._ids and self._cached == len(self._ids):
            # A rewind cropped the cache exactly at a token boundary: its logits are gone, so
            # the last token is evaluated again.
            self._cached -= 1
            compat.crop(self._cache, self._cached)
        new = self._ids[self._cached:]
        if new:
            if self._max_positions and len(self._ids) > self._max_positions:
                raise BackendError(
                    f"{self.name}: the transcript has {len(self._ids)} tokens, over the model's "
                    f"{self._max_positions}; start a new session (reset) or shorten the history"
                )
            out = self.model(input_ids=torch.tensor([new]), **{self._cache_kw: self._cache},
                             use_cache=True, logits_to_keep=1)
            self._cached = len(self._ids)
            self._logits = out.logits[0, -1].float()
        if self._logits is None:  # pragma: no cover - guarded by generate
            raise BackendError("internal error: no logits for an empty transcript")
        return self._logits

    def _end_at_stop(self, base: int, offset: int, gen: list[int], text: str, end: int) -> str:
        """Make the ids end exactly at the stop string's last character; return the new text.

        The last token may run past the stop (`<eoc>\\n` as one token). It is dropped and the
        part of its text that belongs (up to the stop's end) re-tokenized on its own; those ids
        are not in the cache yet and get prefilled with the next appended text.
        """
        if len(text) == end:
            return text
        k = len(gen) - 1  # the longest prefix of gen whose text stays short of `end`
        while k > 0 and len(self._decode(gen[:k])) >= end:
            k -= 1
        kept = self._decode(gen[:k])
        if not text.startswith(kept):  # decoding not prefix-stable here: keep what was made
            return text
        tail, tail_ends = self._encode_with_ends(text[len(kept):end])
        self._truncate(base + k)
        del gen[k:]
        gen.extend(tail)
        self._ids.extend(tail)
        self._ends.extend(None if e is None else offset + len(kept) + e for e in tail_ends)
        return text[:end]


def _ends_with_stop(scanner: StopScanner, piece: str) -> bool:
    """Would `piece` complete a stop string? (Asked of a copy, so the scanner is unchanged.)"""
    probe = copy.copy(scanner)
    probe.feed(piece)
    return probe.stopped


def load_default_model(
    dtype: DtypeLike = DEFAULT_DTYPE,
    progress: bool = True,
    num_threads: int | None = None,
    **options: Any,
) -> TransformersBackend:
    """The embedded Qwen2.5-Coder-0.5B-Instruct, assembled, verified and converted on first use.

    Load it once per process: the first start takes about a minute (assembly, hashing,
    dequantizing, tokenizer conversion), later ones a second or two.
    """
    from agent.backends.assets import DEFAULT_MODEL, default_model_path

    path = default_model_path(progress=progress)
    return TransformersBackend.from_pretrained(
        path, dtype, progress=progress, name=DEFAULT_MODEL.name, num_threads=num_threads,
        **options,
    )
