"""The protocol every model backend speaks.

The loop drives a backend as one growing transcript: it appends text it wrote itself (the
prompt, protocol tags, Results) and asks the model to continue until a stop string. A backend
that keeps a KV cache (transformers, llama.cpp) encodes only what was appended since the last
call; one that keeps none (HTTP) resends the transcript, byte-identical, so that a server's
prefix cache can reuse it. The transcript after `generate` ends with the stop string that
ended it, so the next `append` continues from exactly what a reader of the log would see.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel

FinishReason = Literal["stop", "length", "deadline", "cancelled", "eos"]


class GenerationEnd(BaseModel):
    """The last item `Backend.generate` yields: why the model stopped and what it wrote.

    `text` is the content the model wrote, without the stop string; `stop` is the stop string
    that ended it (None unless `reason == "stop"`).
    """

    reason: FinishReason
    text: str
    stop: str | None = None
    new_tokens: int = 0
    prompt_tokens: int = 0  # tokens encoded (prefilled) for this call
    seconds: float = 0.0


def rewound(transcript: str, chars: int) -> str:
    """`transcript` without its last `chars` characters; ValueError when that is impossible.

    Every backend's `rewind` starts here, so they agree on what a bad count means.
    """
    if chars < 0 or chars > len(transcript):
        raise ValueError(f"cannot rewind {chars} characters of a {len(transcript)}-character transcript")
    return transcript[: len(transcript) - chars]


class TextTranscript:
    """The transcript kept as a plain string, for backends that send text rather than tokens
    (an HTTP server encodes the prompt itself; the scripted backend only records it)."""

    _transcript: str = ""

    @property
    def transcript(self) -> str:
        return self._transcript

    def reset(self, text: str = "") -> None:
        self._transcript = text

    def append(self, text: str) -> None:
        self._transcript += text

    def rewind(self, chars: int) -> None:
        self._transcript = rewound(self._transcript, chars)


@runtime_checkable
class Backend(Protocol):
    """A language model the loop can drive. Not thread-safe: one transcript per instance."""

    name: str

    def reset(self, text: str = "") -> None:
        """Start a new transcript holding `text` (nothing is generated)."""

    def append(self, text: str) -> None:
        """Add runtime-written text to the transcript; it is encoded lazily by `generate`."""

    def generate(
        self,
        stop: Sequence[str],
        max_new_tokens: int,
        deadline: float | None = None,
    ) -> Iterator[str | GenerationEnd]:
        """Continue the transcript, yielding text pieces as they become certain.

        A piece is yielded only once no stop string can still start inside it, so a consumer
        never sees part of a stop string. Generation ends at the first stop string, at
        `max_new_tokens`, at `deadline` (a `time.monotonic()` value) or at end-of-sequence;
        the last item yielded is a `GenerationEnd`. Closing the iterator early cancels the
        generation; the transcript then holds what was generated so far.
        """

    def rewind(self, chars: int) -> None:
        """Drop the last `chars` characters of the transcript (and their cache entries).

        The loop uses it when a segment ended on a stray marker (say `<|Commands|>` where
        `<eot>` belonged) so that the transcript, and the cache behind it, hold exactly the
        canonical MOSS text the loop then writes.
        """

    @property
    def transcript(self) -> str:
        """Everything the model has seen or written so far, as text."""
