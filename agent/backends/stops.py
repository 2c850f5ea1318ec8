"""Stop-string detection over a token stream, shared by every backend.

Models emit text in pieces whose boundaries do not respect stop strings (`<eo` + `c>\\n`), so a
piece may be shown only once no stop string can still begin inside it. The scanner keeps that
held-back tail and looks for stop strings only in the region a new piece can affect, so the
cost per piece is bounded by the piece and the longest stop string, not by the text so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class StopScanner:
    """Feed generated text; get back what is safe to show and whether a stop string ended it."""

    stops: Sequence[str]
    text: str = field(default="", init=False)  # all content accepted so far (no stop string)
    stop: str | None = field(default=None, init=False)
    overrun: str = field(default="", init=False)  # generated text after the stop string
    _pending: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self.stops = tuple(s for s in self.stops if s)
        self._longest = max((len(s) for s in self.stops), default=0)

    @property
    def stopped(self) -> bool:
        return self.stop is not None

    def feed(self, piece: str) -> str:
        """Add a piece; return the text that has become certain (possibly empty)."""
        if self.stopped or not piece:
            return ""
        buffer = self._pending + piece
        hit_at, hit = -1, ""
        for stop in self.stops:
            at = buffer.find(stop)
            if at != -1 and (hit_at == -1 or at < hit_at or (at == hit_at and len(stop) > len(hit))):
                hit_at, hit = at, stop
        if hit_at != -1:
            self.stop = hit
            self.overrun = buffer[hit_at + len(hit) :]
            self._pending = ""
            return self._accept(buffer[:hit_at])
        keep = self._held_back(buffer)
        self._pending = buffer[len(buffer) - keep :] if keep else ""
        return self._accept(buffer[: len(buffer) - keep])

    def flush(self) -> str:
        """Generation ended without a stop string: the held-back tail is content after all."""
        rest, self._pending = self._pending, ""
        return self._accept(rest)

    def _accept(self, certain: str) -> str:
        self.text += certain
        return certain

    def _held_back(self, buffer: str) -> int:
        """Length of the longest suffix of `buffer` that is a proper prefix of a stop string."""
        limit = min(len(buffer), self._longest - 1)
        for size in range(limit, 0, -1):
            tail = buffer[-size:]
            if any(stop.startswith(tail) for stop in self.stops):
                return size
        return 0
