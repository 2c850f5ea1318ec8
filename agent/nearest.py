"""The example turns whose questions most resemble the user's, shown right before it.

A 0.5B model copies the structure of a worked example it has just read: shown an average
computed with `mean(...)` right before "what was the average high?", it writes `mean(...)`
instead of a sum. The fixed few-shot prefix cannot hold an example of every kind of question
(and each one it holds pulls other questions its way), so the pool of `retrieved` examples is
searched per question and the nearest few are rendered between the prefix (or the session's
history) and the question. They live in the backend's transcript for that turn only: sessions
record and export the user's turns, never the examples.

Resemblance is TF-IDF over character n-grams, which needs no tokenizer for Chinese and
matches English word stems; digits are folded to one symbol so that two questions of the same
shape with different numbers count as alike, and numbers do not make unrelated questions
alike. The pool is small (tens to hundreds of turns), so a dictionary of sparse vectors is
fast enough (well under a millisecond a question).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from agent.format import Turn

#: Character n-gram sizes: pairs carry Chinese words, triples and fours English stems.
NGRAMS = (2, 3, 4)
#: Only the question's opening is compared: enough to tell its kind, and a pasted megabyte
#: costs no more than a paragraph.
MAX_QUERY_CHARS = 2000
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE = re.compile(r"\s+")
#: The weight of a pool question that gives numbers when the user's does not, or the reverse.
MISMATCH = 0.5


def _normal(text: str) -> str:
    """Lower case, every number one `#`, runs of space one space."""
    return _SPACE.sub(" ", _DIGITS.sub("#", text.lower())).strip()


def gives_numbers(question: str) -> bool:
    """Whether the question holds a quantity to compute with (a year is a date, not one).

    A question that gives its numbers is computed; one that only names things ("How much did
    Corvell Robotics take in from its robots in 2023?") needs them looked up first, however
    much its words resemble a calculation's. The n-grams cannot tell the two apart (they fold
    numbers and weigh words), so the pool's examples of the other sort count half."""
    return any(not _YEAR.fullmatch(n) for n in _DIGITS.findall(question))


_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def _grams(text: str) -> Counter[str]:
    padded = f" {_normal(text)} "
    return Counter(padded[i : i + n] for n in NGRAMS for i in range(len(padded) - n + 1))


class NearestExamples:
    """A pool of example turns, searched by how much a question resembles each one's."""

    def __init__(self, turns: Sequence[Turn]) -> None:
        self.turns = list(turns)
        counts = [_grams(t.question) for t in self.turns]
        documents = Counter(g for c in counts for g in c)
        size = len(counts)
        # Smoothed IDF (as scikit-learn's), so a gram in every question still weighs a little.
        self._idf = {g: math.log((1 + size) / (1 + d)) + 1 for g, d in documents.items()}
        self._vectors = [self._vector(c) for c in counts]
        self._gives = [gives_numbers(t.question) for t in self.turns]

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        weights = {g: (1 + math.log(n)) * self._idf[g] for g, n in counts.items() if g in self._idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {g: w / norm for g, w in weights.items()}

    def scores(self, question: str) -> list[float]:
        """Cosine similarity of the question to each pool question, in pool order, halved where
        one of the two gives the numbers to compute with and the other does not."""
        opening = question[:MAX_QUERY_CHARS]
        query = self._vector(_grams(opening))
        given = gives_numbers(opening)
        return [sum(w * vector.get(g, 0.0) for g, w in query.items()) * (1.0 if given == other else MISMATCH)
                for vector, other in zip(self._vectors, self._gives, strict=True)]

    def nearest(self, question: str, k: int) -> list[Turn]:
        """The `k` most similar pool turns, least similar first, so the nearest one sits right
        before the question (the last example weighs most with a small model)."""
        if k <= 0 or not self.turns:
            return []
        scores = self.scores(question)
        ranked = sorted(range(len(self.turns)), key=lambda i: (-scores[i], i))[:k]
        return [self.turns[i] for i in reversed(ranked)]
