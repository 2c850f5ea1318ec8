"""Choosing the next token for `TransformersBackend`: greedy or sampled, kept inside a grammar.

The llama.cpp backend's counterpart is `agent.backends.llamacpp_choice`. Without a constraint
the choice is the argmax (temperature 0) or a nucleus sample; under one (the Commands grammar)
the model's own choice is kept when the grammar allows it, else the likeliest allowed token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from agent.backends.base import Constraint

#: Under a constraint, how many of the likeliest tokens are tried when the model's own choice
#: is not allowed (each try decodes the segment so far: ~20 us).
CONSTRAINED_CANDIDATES = 256


class TokenChooser:
    """Picks tokens from logits for one backend: its tokenizer, its decoder, its random state."""

    def __init__(self, tokenizer: Any, decode: Callable[[Sequence[int]], str], seed: int | None) -> None:
        self.tokenizer = tokenizer
        self.decode = decode
        self.generator = torch.Generator()
        if seed is None:
            self.generator.seed()  # fresh entropy: sampled runs differ unless seeded
        else:
            self.generator.manual_seed(seed)
        self._index: tuple[list[str], dict[str, list[int]]] | None = None

    def _pick(self, logits: torch.Tensor, temperature: float, top_p: float) -> int:
        if temperature <= 0:
            return int(torch.argmax(logits))
        probs = torch.softmax(logits / temperature, dim=-1)
        if top_p < 1.0:
            sorted_probs, order = torch.sort(probs, descending=True)
            keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < top_p  # keeps >= 1
            pick = torch.multinomial(sorted_probs * keep, 1, generator=self.generator)
            return int(order[pick])
        return int(torch.multinomial(probs, 1, generator=self.generator))

    def choose(self, logits: torch.Tensor, temperature: float, top_p: float,
               constraint: Constraint | None, gen: list[int]) -> int:
        """`_pick`, kept inside `constraint`: the allowed-token function of the backend.

        The model's own choice is kept when the constraint allows it (nearly always, for a
        model shown examples); else the likeliest allowed token among the best 256; else among
        the tokens whose first character may come next (found by asking the constraint about
        each ASCII character, and one non-ASCII one for free text), so even a model that wants
        none of it is kept in the language without scanning the whole vocabulary by text.
        """
        token = self._pick(logits, temperature, top_p)
        if constraint is None or self._allowed(constraint, gen, token):
            return token
        best = torch.topk(logits, min(CONSTRAINED_CANDIDATES, logits.shape[-1])).indices.tolist()
        allowed = [t for t in best if self._allowed(constraint, gen, t)]
        if not allowed:
            written = self.decode(gen)
            pieces, by_first = self._vocabulary_index()
            firsts = [c for c in by_first if len(c) == 1 and c.isascii() and constraint.allows(written + c)]
            if constraint.allows(written + "\u00e9"):
                firsts += [c for c in by_first if not (len(c) == 1 and c.isascii())]
            candidates = [t for c in firsts for t in by_first[c] if t < logits.shape[-1]
                          and constraint.allows(written + pieces[t])]
            candidates.sort(key=lambda t: float(logits[t]), reverse=True)
            allowed = [t for t in candidates[:CONSTRAINED_CANDIDATES] if self._allowed(constraint, gen, t)]
        if not allowed:  # nothing is allowed: write freely, the tolerant parser reads it
            return token
        if temperature <= 0:
            return allowed[0]
        probs = torch.softmax(logits[allowed] / temperature, dim=-1)
        return allowed[int(torch.multinomial(probs, 1, generator=self.generator))]

    def _allowed(self, constraint: Constraint, gen: list[int], token: int) -> bool:
        """Whether the text with `token` stays in the language. A token ending inside a
        character (U+FFFD for now) is judged as if a non-ASCII character stood there: allowed
        where free text may go (an argument), refused where the structure is."""
        text = self.decode([*gen, token])
        stripped = text.rstrip("\ufffd")
        return constraint.allows(stripped + ("\u00e9" if len(stripped) < len(text) else ""))

    def _vocabulary_index(self) -> tuple[list[str], dict[str, list[int]]]:
        """Each token's text on its own, and the tokens by the first character of that text
        (built once, for ranking candidates under a constraint; a token that is a byte of a
        longer character reads as U+FFFD and is filed under it)."""
        if self._index is None:
            size = len(self.tokenizer)
            pieces = self.tokenizer.batch_decode([[i] for i in range(size)], skip_special_tokens=False,
                                                 clean_up_tokenization_spaces=False)
            by_first: dict[str, list[int]] = {}
            for token, piece in enumerate(pieces):
                if piece:
                    by_first.setdefault(piece[0], []).append(token)
            self._index = (pieces, by_first)
        return self._index
