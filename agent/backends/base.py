"""The protocol every model backend speaks.

The loop drives a backend as one growing transcript: it appends text it wrote itself (the
prompt, protocol tags, Results) and asks the model to continue until a stop string. A backend
that keeps a KV cache (transformers, llama.cpp) encodes only what was appended since the last
call; one that keeps none (HTTP) resends the transcript, byte-identical, so that a server's
prefix cache can reuse it. The transcript after `generate` ends with the stop string that
ended it, so the next `append` continues from exactly what a reader of the log would see.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
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


#: What `Backend.generate` returns: text pieces, then one `GenerationEnd`. A generator, not
#: just an iterator, because its consumer closes it to stop the model mid-segment.
TokenStream = Generator["str | GenerationEnd", None, None]


class Constraint(Protocol):
    """A language the generated text must stay in (see `agent.constraint.CommandsGrammar`)."""

    def allows(self, text: str) -> bool:
        """True when `text` (everything generated so far in this call) can still be completed."""

    def gbnf(self) -> str:
        """The same language as a llama.cpp grammar."""


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


def prefer(backend: Backend, options: Sequence[str], deadline: float | None = None) -> int:
    """The index of the option the model would rather write next; the transcript is unchanged.

    A backend that can score continuations (`score_continuations(options)`: the log-likelihood
    of each option's tokens after the transcript) is asked for the likelier one; any other is
    let to write a few tokens greedily, which are then rewound, and the option its text follows
    furthest wins. Where nothing tells the options apart, the last one is the answer: callers
    put their default last.
    """
    score = getattr(backend, "score_continuations", None)
    if callable(score):
        scores = list(score(options))
        best = max(scores)
        return max(i for i, s in enumerate(scores) if s == best)
    return prefer_by_writing(backend, options, deadline)


def prefer_by_writing(backend: Backend, options: Sequence[str], deadline: float | None = None,
                      max_new_tokens: int = 8) -> int:
    """`prefer` for a backend that can only write: generate a little, compare, rewind."""
    before = len(backend.transcript)
    stream = backend.generate((), max_new_tokens, deadline)
    try:
        for item in stream:
            if isinstance(item, GenerationEnd):
                break
    finally:
        stream.close()
    written = backend.transcript[before:]
    backend.rewind(len(written))
    reach = [_shared(written.lstrip(), option) for option in options]
    best = max(reach)
    if all(r == best for r in reach):
        return len(options) - 1
    return reach.index(best)


def _shared(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


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
        *,
        temperature: float | None = None,
        constraint: Constraint | None = None,
    ) -> TokenStream:
        """Continue the transcript, yielding text pieces as they become certain.

        A piece is yielded only once no stop string can still start inside it, so a consumer
        never sees part of a stop string. Generation ends at the first stop string, at
        `max_new_tokens`, at `deadline` (a `time.monotonic()` value) or at end-of-sequence;
        the last item yielded is a `GenerationEnd`. Closing the iterator early cancels the
        generation; the transcript then holds what was generated so far.

        `temperature` overrides the backend's own for this call (0: greedy; the loop samples
        only to vote over Commands). `constraint` limits what may be written (the Commands
        grammar); a backend that cannot enforce it writes freely and the tolerant parser reads
        the result.
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
