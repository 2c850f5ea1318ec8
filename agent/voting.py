"""Self-consistency over Commands: which of several sampled calls to keep.

A small model writes the wrong expression more often than the wrong answer to a right one, and
its mistakes scatter while right expressions agree. So several Commands segments are sampled
from the same thoughts (the greedy one first), every call is run, and the segment whose results
the most samples share is kept. Samples are compared by their results, not their text: `12*3`
and `3*12` agree. A sample that failed or called nothing has no say; a tie keeps the greedy one
when it is among the tied, else the earliest sample.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from agent.format import Call
from tools import ToolResult

Sample = Sequence[Call]


def results_key(sample: Sample, results: dict[str, ToolResult]) -> tuple[str, ...] | None:
    """What a sample's calls answered, comparable across samples; None when it has no say."""
    if not sample:
        return None
    outcomes = [results[c.text] for c in sample]
    if not all(r.ok for r in outcomes):
        return None
    return tuple(r.render_body() for r in outcomes)


def choose(samples: Sequence[Sample], results: dict[str, ToolResult]) -> tuple[int, int]:
    """The index of the sample to keep (samples[0] is the greedy one) and how many agree with it."""
    keys = [results_key(s, results) for s in samples]
    counts = Counter(k for k in keys if k is not None)
    if not counts:
        return 0, 0
    best = max(counts.values())
    tied = [i for i, k in enumerate(keys) if k is not None and counts[k] == best]
    chosen = 0 if 0 in tied else tied[0]
    return chosen, best
