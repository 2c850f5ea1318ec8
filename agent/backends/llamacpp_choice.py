"""How the llama.cpp backend picks each token: greedy or sampled, inside a grammar when given.

The grammar is llama.cpp's own (`llama_sampler_init_grammar` over the GBNF text of the
constraint). Asking it about all 150k tokens of the vocabulary at every step is the slow way, so
the model's own choice is tried first, alone; only when the grammar rejects it is the whole
vocabulary filtered (llama.cpp's common sampler does the same). llama.cpp must never be told to
accept a token its grammar rejects (it would abort the process), so when nothing is allowed the
grammar is dropped and the model writes freely: the tolerant parser reads what comes.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

from agent.errors import BackendError


class TokenChooser:
    """Picks tokens from logits for one `generate` call; `close()` frees the grammar."""

    def __init__(self, lib: Any, vocab: Any, n_vocab: int, np: Any, rng: Any, *,
                 temperature: float = 0.0, gbnf: str | None = None) -> None:
        self._lib, self._np, self._rng = lib, np, rng
        self._n_vocab = n_vocab
        self.temperature = temperature
        self._grammar = None
        if gbnf is not None:
            grammar = lib.llama_sampler_init_grammar(vocab, gbnf.encode("utf-8"), b"root")
            if not grammar:
                raise BackendError("llama.cpp could not parse the Commands grammar (GBNF); this is a bug")
            self._grammar = grammar
            self._one = lib.llama_token_data_array()
            self._one_data = (lib.llama_token_data * 1)()
            self._all: Any = None  # a numpy record array, made on first use
            self._all_array: Any = None

    def choose(self, logits: Any) -> int:
        """The next token: the model's choice if the grammar allows it, else the best allowed."""
        token = self._pick(logits)
        if self._grammar is None:
            return token
        if not self._allowed(token):
            masked = self._filtered(logits)
            if not self._np.isfinite(masked).any():
                self.close()  # nothing is allowed: write freely rather than abort
                return token
            token = self._pick(masked)
        self._lib.llama_sampler_accept(self._grammar, token)
        return token

    def close(self) -> None:
        if self._grammar is not None:
            self._lib.llama_sampler_free(self._grammar)
            self._grammar = None

    # -- internals ---------------------------------------------------------------------------
    def _pick(self, logits: Any) -> int:
        np = self._np
        if self.temperature <= 0:
            return int(logits.argmax())
        finite = np.isfinite(logits)
        scaled = np.where(finite, logits.astype(np.float64) / self.temperature, -math.inf)
        scaled -= scaled.max()
        probs = np.exp(scaled)
        probs /= probs.sum()
        return int(self._rng.choice(len(probs), p=probs))

    def _allowed(self, token: int) -> bool:
        self._one_data[0].id = token
        self._one_data[0].logit = 0.0
        self._one_data[0].p = 0.0
        self._one.data = ctypes.cast(self._one_data, ctypes.POINTER(self._lib.llama_token_data))
        self._one.size = 1
        self._one.selected = -1
        self._one.sorted = False
        self._lib.llama_sampler_apply(self._grammar, ctypes.byref(self._one))
        return math.isfinite(self._one_data[0].logit)

    def _filtered(self, logits: Any) -> Any:
        """The logits with every token the grammar rejects set to -inf."""
        np = self._np
        if self._all is None:
            self._all = np.zeros(self._n_vocab, dtype=[("id", "<i4"), ("logit", "<f4"), ("p", "<f4")])
            self._all_array = self._lib.llama_token_data_array()
        data = self._all
        data["id"] = np.arange(self._n_vocab, dtype=np.int32)
        data["logit"] = logits
        data["p"] = 0.0
        array = self._all_array
        array.data = data.ctypes.data_as(ctypes.POINTER(self._lib.llama_token_data))
        array.size = self._n_vocab
        array.selected = -1
        array.sorted = False
        self._lib.llama_sampler_apply(self._grammar, ctypes.byref(array))
        if array.size != self._n_vocab or not array.data:  # a sampler that reorders: read by id
            raise BackendError("llama.cpp's grammar changed the candidate list's shape; this is a bug")
        out = np.full(self._n_vocab, -math.inf, dtype=np.float32)
        out[data["id"]] = data["logit"]
        return out
