"""A backend that replays recorded model text, for tests and demos without a model.

It behaves like a real backend where the loop can tell: text arrives in small pieces, stop
strings end a segment wherever they fall inside a piece, `max_new_tokens` and deadlines cut it
short, and the transcript grows exactly as a model's would. What it writes comes from a script:
one entry per `generate` call, usually taken from a recorded MOSS conversation.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Sequence

from agent.backends.base import Constraint, GenerationEnd, TextTranscript, TokenStream
from agent.backends.stops import StopScanner

# Pieces the size of real tokens: a word with its leading space, a run of punctuation, or a
# single CJK character.
_PIECE = re.compile(r"\s*[A-Za-z0-9_]+|\s*[\u3400-\u9fff]|\s*[^\sA-Za-z0-9_\u3400-\u9fff]|\s+")


def split_pieces(text: str) -> list[str]:
    """Split text into token-sized pieces that concatenate back to exactly `text`."""
    return _PIECE.findall(text)


class ScriptedBackend(TextTranscript):
    """Replays `script[i]` on the i-th call to `generate`; an exhausted script yields nothing.
    With `samples=True` the loop votes as it would with a model, and takes the sampled
    Commands segments from the script too.

    When the loop asks which continuation the model prefers (another round or the reply), a
    script entry that is exactly one of the options answers it (`"<|Inner Thoughts|>:"` opens
    another round); any other entry is left for the next `generate` and the last option wins.
    """

    name = "scripted"

    def __init__(self, script: Iterable[str], *, seconds_per_piece: float = 0.0, samples: bool = False) -> None:
        self._script = list(script)
        # A script is one path through a turn: the loop draws no samples from it (no vote)
        # unless the script holds them, one entry per sampled Commands segment.
        self.samples = samples
        self._next = 0
        self._transcript = ""
        self._delay = seconds_per_piece
        self.calls: list[str] = []  # the transcript as it stood at each generate call
        self.options: list[dict[str, object]] = []  # temperature and constraint of each call

    @property
    def remaining(self) -> int:
        return len(self._script) - self._next

    def score_continuations(self, options: Sequence[str]) -> list[float]:
        upcoming = self._script[self._next] if self._next < len(self._script) else None
        if upcoming in options:
            self._next += 1
            return [0.0 if option == upcoming else -math.inf for option in options]
        return [-math.inf] * (len(options) - 1) + [0.0]

    def generate(
        self,
        stop: Sequence[str],
        max_new_tokens: int,
        deadline: float | None = None,
        *,
        temperature: float | None = None,
        constraint: Constraint | None = None,
    ) -> TokenStream:
        """The next script entry, as if the model wrote it; `temperature` and `constraint` are
        recorded in `options` (a script says what was written, sampled or not)."""
        self.calls.append(self._transcript)
        self.options.append({"temperature": temperature, "constraint": constraint})
        started = time.monotonic()
        text = self._script[self._next] if self._next < len(self._script) else ""
        self._next += 1
        scanner = StopScanner(stop)
        reason = "eos"
        produced = 0
        try:
            for piece in split_pieces(text):
                if produced >= max_new_tokens:
                    reason = "length"
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    reason = "deadline"
                    break
                if self._delay:
                    time.sleep(self._delay)
                produced += 1
                shown = scanner.feed(piece)
                self._transcript += shown
                if shown:
                    yield shown
                if scanner.stop is not None:
                    reason = "stop"
                    self._transcript += scanner.stop
                    break
            if not scanner.stopped:
                rest = scanner.flush()
                self._transcript += rest
                if rest:
                    yield rest
        except GeneratorExit:
            self._transcript += scanner.flush()
            raise
        yield GenerationEnd(
            reason=reason,
            text=scanner.text,
            stop=scanner.stop,
            new_tokens=produced,
            seconds=time.monotonic() - started,
        )
