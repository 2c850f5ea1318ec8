"""The development set as data: one `Question` a line in `bench/data/devset_*.jsonl`.

A question's split (`tune` or `report`) is derived from a hash of its id, never stored and never
taken from its position: adding, removing or reordering questions cannot move another question
from the split a prompt was tuned on into the split that is reported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DATA = Path(__file__).resolve().parent.parent / "data"
GENERATED = DATA / "devset_generated.jsonl"
HANDWRITTEN = DATA / "devset_handwritten.jsonl"
CORPUS = DATA / "search_corpus.jsonl"

# Every kind, in the order tables list them. All but `chat` are tool questions.
KINDS = (
    "arith", "units", "rates", "average", "percent", "rounding", "system", "quadratic", "poly",
    "numtheory", "definitions", "roots", "search", "search_calc", "chat",
)
CHAT_KINDS = frozenset({"chat"})
SEARCH_KINDS = frozenset({"search", "search_calc"})  # unanswerable without Search
SPLITS = ("tune", "report")

Lang = Literal["en", "zh"]
Split = Literal["tune", "report"]


class Question(BaseModel):
    """One question and what a right answer must contain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    kind: str
    lang: Lang
    q: str = Field(min_length=1)
    expect: tuple[str, ...] = ()  # tool kinds: every one of these numbers must be stated
    approx: bool = False  # the expected numbers are approximations: a small tolerance applies
    expect_text: tuple[str, ...] = ()  # chat: one of these must appear (case-insensitive)
    reply_lang: Lang | Literal["any"] | None = None  # chat: default the question's language
    check: tuple[str, ...] = ()  # hand-written: formulas that recompute `expect` (tests)
    template: str | None = None  # generated: the template that wrote it
    params: dict[str, object] | None = None  # generated: the numbers shown in the question

    @property
    def split(self) -> Split:
        return split_of(self.id)

    @property
    def is_chat(self) -> bool:
        return self.kind in CHAT_KINDS

    @property
    def needs_search(self) -> bool:
        return self.kind in SEARCH_KINDS


def split_of(question_id: str) -> Split:
    """`tune` or `report`, from the first byte of the id's SHA-256: stable forever."""
    return "tune" if hashlib.sha256(question_id.encode("utf-8")).digest()[0] % 2 == 0 else "report"


def order_key(question: Question) -> tuple[int, str]:
    """A stable order that interleaves templates and sources, so `--limit N` takes a varied
    sample of a kind rather than the first template's questions."""
    return (KINDS.index(question.kind) if question.kind in KINDS else len(KINDS),
            hashlib.sha256(b"order:" + question.id.encode("utf-8")).hexdigest())


def read_jsonl(path: Path) -> list[Question]:
    """The questions of one data file; a bad line is reported with its file and line number."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            questions.append(Question.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0] if isinstance(exc, json.JSONDecodeError) else exc.errors()[0]["msg"]
            raise ValueError(f"{path.name} line {number}: {first}; fix the line or regenerate the file") from exc
    return questions


def load_devset(paths: Iterable[Path] = (GENERATED, HANDWRITTEN)) -> list[Question]:
    """Every question of the development set, in `order_key` order."""
    return sorted((q for path in paths for q in read_jsonl(path)), key=order_key)


def select(
    questions: Sequence[Question],
    *,
    split: str = "report",
    kinds: Sequence[str] | None = None,
    limit: int | None = None,
    skip: int = 0,
) -> list[Question]:
    """The questions of `split` (`tune`, `report` or `all`), of `kinds`, at most `limit` a kind
    after the first `skip` of each kind. `skip` keeps a held-out part of the tuning split: the
    questions after the ones a prompt was tuned on (`--limit 4` then `--skip 4`)."""
    if split not in (*SPLITS, "all"):
        raise ValueError(f"unknown split {split!r}: choose tune, report or all")
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind {', '.join(unknown)}: choose from {', '.join(KINDS)}")
    chosen = [q for q in questions if (split == "all" or q.split == split) and (not kinds or q.kind in kinds)]
    seen: dict[str, int] = {}
    kept = []
    for question in chosen:
        place = seen[question.kind] = seen.get(question.kind, 0) + 1
        if place > skip and (limit is None or place <= skip + limit):
            kept.append(question)
    return kept
