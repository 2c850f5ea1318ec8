"""A backend that runs a GGUF model in process with llama.cpp (the `llamacpp` extra).

On a CPU, llama.cpp decodes the default model about three times faster than transformers in
bfloat16, so this is the backend for a laptop. It drives `llama_cpp.Llama` token by token rather
than through its completion API, because the runtime needs what that API does not give:

- The KV cache is kept across segments and turns. The backend owns the token ids of the
  transcript; text appended by the runtime (tags, Results) is tokenized on its own and only
  those new tokens are evaluated. Earlier text is never re-tokenized, so a Results block costs
  its own tokens and nothing else.
- After a stop string the transcript ends exactly with the stop string. When the last token ran
  past it (`c>\\n` after `<eo`), the tokens that cross the end are dropped, the cache is rewound
  to match, and the missing part of the stop string is kept as text to be tokenized with
  whatever the runtime appends next.
- `reset` with a transcript that shares a prefix with the cached one (the next turn of the
  same conversation, say) reuses the cached tokens of that prefix.

Decoding is greedy (the argmax of the logits), the same choice the transformers backend makes,
so the two can be compared output for output; the loop samples (`temperature`) only to vote over
Commands, and constrains the Commands segment with llama.cpp's grammar sampler
(`agent.backends.llamacpp_choice`).
"""

from __future__ import annotations

import codecs
import ctypes
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.backends.base import Constraint, FinishReason, GenerationEnd, TokenStream, rewound
from agent.backends.llamacpp_choice import TokenChooser
from agent.backends.stops import StopScanner
from agent.errors import BackendError

if TYPE_CHECKING:  # the extra is optional: import it only when a backend is built
    import llama_cpp

# llama.cpp's CPU threads are OpenMP threads, and their wait policy is left to the user: on a
# quiet 2-core machine the default decoded 25.4 tok/s against 16.4 with OMP_WAIT_POLICY=PASSIVE,
# while on cores shared with busy processes passive waiting was the faster (7.4 vs 1.5 tok/s).

INSTALL_HINT = (
    "pip install 'moss-agent[llamacpp]' (it compiles llama.cpp, a few minutes; "
    "set CMAKE_ARGS=-DGGML_NATIVE=OFF for a build that runs on other CPUs too)"
)


def _import_llama_cpp() -> Any:
    """The `llama_cpp` module, or a BackendError that says how to install it."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise BackendError(f"the llamacpp backend needs llama-cpp-python, which is not installed: {INSTALL_HINT}") from exc
    return llama_cpp


def _continuation(byte: int) -> bool:
    return 0x80 <= byte < 0xC0


class LlamaCppBackend:
    """A GGUF model evaluated incrementally by llama.cpp, with its KV cache kept across calls."""

    name = "llamacpp"

    def __init__(self, llama: llama_cpp.Llama, *, seed: int | None = None) -> None:
        """Wrap a loaded `llama_cpp.Llama`; prefer `from_gguf`, which sets it up as needed.
        `seed` fixes the sampling done when the loop votes (greedy decoding needs none)."""
        lib = _import_llama_cpp()
        import numpy  # a dependency of llama-cpp-python

        self._lib = lib
        self._np = numpy
        self._rng = numpy.random.default_rng(seed)  # for sampled Commands when voting
        self._llama = llama
        # What logs and the framing choice call the model: the GGUF's own name for it.
        self.model_name: str = (getattr(llama, "metadata", None) or {}).get("general.name", "")
        self._n_ctx = llama.n_ctx()
        self._n_vocab = llama.n_vocab()
        self._vocab = getattr(llama._model, "vocab", None)
        if self._vocab is None or not hasattr(llama._ctx, "get_logits_ith") or not hasattr(llama, "input_ids"):
            version = getattr(lib, "__version__", "?")
            raise BackendError(
                f"llama-cpp-python {version} lacks the vocabulary and logits API this backend "
                "uses (tested with 0.3.36): pip install -U 'llama-cpp-python>=0.3.36,<0.4'"
            )
        self._bos: int | None = llama.token_bos() if llama._model.add_bos_token() else None
        self._is_eog_fn = getattr(lib, "llama_vocab_is_eog", None) or lib.llama_token_is_eog
        self._pieces: dict[int, bytes] = {}
        self._piece_buffer = ctypes.create_string_buffer(256)
        self._text = ""
        # The token ids of the transcript and, for each, the byte offset in the transcript's
        # UTF-8 where it ends (None where a tokenization did not round-trip byte for byte).
        # Text after the last token is not tokenized yet.
        self._ids: list[int] = []
        self._ends: list[int | None] = []
        self._covered = 0  # bytes of the transcript covered by self._ids
        llama.reset()

    @classmethod
    def from_gguf(
        cls,
        path: str | os.PathLike[str],
        *,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        n_batch: int = 512,
        verbose: bool = False,
        seed: int | None = None,
    ) -> LlamaCppBackend:
        """Load a GGUF file. `n_threads` defaults to every CPU the process may use.

        (llama.cpp's own default is half of them: on 2 cores that decoded at about half speed.)

        `n_ctx` bounds the whole transcript in tokens; a MOSS conversation of a few turns with
        tool results fits in the default 4096.
        """
        lib = _import_llama_cpp()
        model = Path(path)
        if not model.is_file():
            raise BackendError(f"model file not found: {model}; pass the path of a .gguf file")
        if n_threads is None:
            n_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        try:
            llama = lib.Llama(
                model_path=str(model),
                n_ctx=n_ctx,
                n_batch=n_batch,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                logits_all=False,
                verbose=verbose,
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp could not load {model}: {exc}; is it a complete GGUF file?") from exc
        return cls(llama, seed=seed)

    @classmethod
    def default(cls, **kwargs: Any) -> LlamaCppBackend:
        """The embedded default model (assembled into the user cache on first use)."""
        from agent.backends.assets import default_model_path

        return cls.from_gguf(default_model_path(), **kwargs)

    # -- transcript -------------------------------------------------------------------------

    @property
    def transcript(self) -> str:
        return self._text

    @property
    def llama(self) -> llama_cpp.Llama:
        """The wrapped `llama_cpp.Llama` (to tokenize or count tokens the same way)."""
        return self._llama

    @property
    def token_ids(self) -> tuple[int, ...]:
        """The token ids owned so far (text appended since the last `generate` is not yet)."""
        return tuple(self._ids)

    @property
    def cached_tokens(self) -> int:
        """How many of `token_ids` (from the start) are evaluated in the KV cache."""
        return self._cached_prefix()

    def _cached_prefix(self) -> int:
        held, limit = self._llama.input_ids, min(self._llama.n_tokens, len(self._ids))
        common = 0
        while common < limit and held[common] == self._ids[common]:
            common += 1
        return common

    def reset(self, text: str = "") -> None:
        # The KV cache is left as it is: `generate` reuses whatever prefix of it still matches.
        self._text = text
        self._ids, self._ends, self._covered = [], [], 0

    def append(self, text: str) -> None:
        self._text += text

    def rewind(self, chars: int) -> None:
        self._text = rewound(self._text, chars)
        self._truncate_ids(len(self._text.encode("utf-8")))

    def _truncate_ids(self, size: int) -> None:
        """Keep the tokens that lie wholly within the first `size` bytes of the transcript,
        ending on a character boundary; what follows them becomes untokenized text again."""
        data = self._text.encode("utf-8")
        keep, covered = len(self._ids), 0
        while keep:
            end = self._ends[keep - 1]
            if end is not None and end <= size and (end == len(data) or not _continuation(data[end])):
                covered = end
                break
            keep -= 1
        del self._ids[keep:], self._ends[keep:]
        self._covered = covered

    # -- tokens -----------------------------------------------------------------------------

    def _piece(self, token: int) -> bytes:
        """The bytes a token stands for (special tokens as their text, e.g. `<|im_end|>`)."""
        piece = self._pieces.get(token)
        if piece is None:
            buf = self._piece_buffer
            n = self._lib.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, True)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = self._lib.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, True)
            piece = self._pieces[token] = buf.raw[:n]
        return piece

    def _is_eog(self, token: int) -> bool:
        return bool(self._is_eog_fn(self._vocab, token))

    def _tokenize_tail(self) -> None:
        """Tokenize the text appended since the last call and take ownership of its ids."""
        data = self._text.encode("utf-8")
        tail = data[self._covered :]
        if not self._ids and self._bos is not None:
            self._ids.append(self._bos)
            self._ends.append(0)
        if not tail:
            return
        ids = self._llama.tokenize(tail, add_bos=False, special=True)
        pieces = [self._piece(t) for t in ids]
        exact = b"".join(pieces) == tail
        offset = self._covered
        for i, (token, piece) in enumerate(zip(ids, pieces)):
            offset += len(piece)
            self._ids.append(token)
            self._ends.append(offset if exact or i == len(ids) - 1 else None)
        if ids and not exact:
            self._ends[-1] = len(data)
        self._covered = len(data)

    def _sync_cache(self) -> int:
        """Make the KV cache hold all of `self._ids` and return how many tokens were evaluated.

        The cache keeps the longest prefix it shares with the ids; the rest is evaluated. At
        least one token is evaluated, because the next token's logits come from the last one.
        """
        llama = self._llama
        common = self._cached_prefix()
        if common == len(self._ids):
            common -= 1
        if common < 0:
            raise BackendError("the transcript is empty and the model has no BOS token: append a prompt first")
        todo = self._ids[common:]
        if len(self._ids) >= self._n_ctx:
            raise BackendError(
                f"the transcript is {len(self._ids)} tokens, the context holds {self._n_ctx}; "
                "start a new session or load the model with a larger n_ctx"
            )
        llama.n_tokens = common
        try:
            llama.eval(todo)
        except RuntimeError as exc:
            llama.n_tokens = common
            raise BackendError(f"llama.cpp failed to evaluate {len(todo)} tokens: {exc}") from exc
        return len(todo)

    def score_continuations(self, options: Sequence[str]) -> list[float]:
        """The log-likelihood of each option's tokens after the transcript (see `base.prefer`).

        Each option is tokenized on its own, as `append` would, and evaluated in one batch on
        top of the kept cache with logits for every position; the cache is then cut back, so
        nothing before it is evaluated again.
        """
        self._tokenize_tail()
        self._sync_cache()
        llama = self._llama
        base = llama.n_tokens
        first = self._log_softmax(self._logits_at(-1))
        scores = []
        try:
            for option in options:
                ids = llama.tokenize(option.encode("utf-8"), add_bos=False, special=True)
                if not ids:
                    scores.append(0.0)
                    continue
                score = float(first[ids[0]])
                if len(ids) > 1:
                    llama._batch.set_batch(batch=ids[:-1], n_past=base, logits_all=True)
                    llama._ctx.decode(llama._batch)
                    score += sum(float(self._log_softmax(self._logits_at(i))[token]) for i, token in enumerate(ids[1:]))
                    llama._ctx.kv_cache_seq_rm(-1, base, -1)
                scores.append(score)
        except RuntimeError as exc:
            raise BackendError(f"llama.cpp failed while scoring continuations: {exc}") from exc
        finally:
            llama.n_tokens = base
        return scores

    def _logits_at(self, index: int) -> Any:
        logits = self._llama._ctx.get_logits_ith(index)
        return self._np.ctypeslib.as_array(logits, shape=(self._n_vocab,))

    def _log_softmax(self, logits: Any) -> Any:
        shifted = logits.astype(self._np.float64) - logits.max()
        return shifted - self._np.log(self._np.exp(shifted).sum())

    # -- generation -------------------------------------------------------------------------

    def generate(
        self,
        stop: Sequence[str],
        max_new_tokens: int,
        deadline: float | None = None,
        *,
        temperature: float | None = None,
        constraint: Constraint | None = None,
    ) -> TokenStream:
        """Decoding from the cached transcript, greedy unless `temperature` > 0, under llama.cpp's
        grammar for `constraint`; see `agent.backends.base.Backend`.

        On `BackendError` the transcript is what it was before the call.
        """
        started = time.monotonic()
        before_text = self._text
        scanner = StopScanner(stop)
        chooser = TokenChooser(self._lib, self._vocab, self._n_vocab, self._np, self._rng,
                               temperature=temperature or 0.0,
                               gbnf=constraint.gbnf() if constraint is not None else None)
        try:
            self._tokenize_tail()
            prompt_tokens = self._sync_cache()
        except BackendError:
            self._finish(before_text, "")
            raise
        base_bytes = self._covered
        generated: list[int] = []
        gen_bytes = bytearray()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        reason: FinishReason = "length"
        try:
            while len(generated) < max_new_tokens:
                if deadline is not None and time.monotonic() >= deadline:
                    reason = "deadline"
                    break
                if generated:  # the previous token goes into the cache before the next one
                    if len(self._ids) > self._n_ctx:
                        reason = "length"  # the context is full
                        break
                    self._llama.eval(generated[-1:])
                token = chooser.choose(self._logits_at(-1))
                if self._is_eog(token):
                    reason = "eos"
                    break
                piece = self._piece(token)
                generated.append(token)
                gen_bytes += piece
                self._ids.append(token)
                self._ends.append(base_bytes + len(gen_bytes))
                text = decoder.decode(piece)
                shown = scanner.feed(text)
                if shown:
                    yield shown
                if scanner.stopped:
                    reason = "stop"
                    break
            if not scanner.stopped:
                rest = scanner.flush()
                if rest:
                    yield rest
        except GeneratorExit:
            scanner.flush()
            self._finish(before_text, scanner.text)
            raise
        except RuntimeError as exc:
            self._finish(before_text, "")
            raise BackendError(f"llama.cpp failed while generating: {exc}") from exc
        finally:
            chooser.close()
        written = scanner.text + (scanner.stop or "")
        self._finish(before_text, written)
        if self._text.encode("utf-8")[base_bytes : self._covered] != bytes(gen_bytes[: self._covered - base_bytes]):
            # The model wrote bytes that are not UTF-8 and the text holds U+FFFD instead: the
            # generated ids no longer spell the transcript, so its text is tokenized afresh.
            self._truncate_ids(base_bytes)
        yield GenerationEnd(
            reason=reason,
            text=scanner.text,
            stop=scanner.stop,
            new_tokens=len(generated),
            prompt_tokens=prompt_tokens,
            seconds=time.monotonic() - started,
        )

    def _finish(self, before: str, written: str) -> None:
        """Set the transcript to `before + written`, keeping only the generated tokens that lie
        within it; the cache is trimmed to match (it never holds more than the ids)."""
        self._text = before + written
        self._truncate_ids(len(self._text.encode("utf-8")))
        if self._llama.n_tokens > len(self._ids):
            self._llama.n_tokens = len(self._ids)
