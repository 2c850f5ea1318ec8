"""The store's rows as typed values, and the encoding of text for SQLite.

Split from `agent.store.database` so that module keeps to opening files and writing/reading them; these
are the shapes its readers (logs, export, resume) get back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.events import ErrorEvent, TokenCounts, Timings, TurnResult, WarningEvent
from agent.format import Call, Round, Turn
from tools import ToolResult

Status = Literal["running", "done", "error", "cancelled", "interrupted"]
#: Turns that reached their end: the ones a resumed session and an export contain.
FINISHED: tuple[str, ...] = ("done", "error")

class ConversationInfo(BaseModel):
    """One conversation's row: who answered, with which meta instruction and tools."""

    id: int
    created_at: float
    updated_at: float
    model: str = ""
    meta_instruction: str = ""
    tools: list[str] = Field(default_factory=list)
    source: str = "recorded"
    source_id: int | str | None = None
    category: str | None = None
    num_turns: int | None = None  # as an imported file recorded it
    turn_count: int = 0


class StoredTurn(BaseModel):
    """One turn as stored: the result, its status and, if imported, the exact recording."""

    id: int
    conversation_id: int
    seq: int
    status: Status
    started_at: float
    ended_at: float | None = None
    tools: list[str] = Field(default_factory=list)
    partial_segment: str | None = None
    partial: str = ""  # the segment being written when the turn was last flushed
    recorded: dict[str, str] | None = None
    result: TurnResult

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(params: Sequence[Any]) -> tuple[Any, ...]:
    """Text columns as valid UTF-8: a lone surrogate (untrusted model output, some recorded
    samples) becomes U+FFFD. JSON columns escape them instead, so nothing there is lost."""
    return tuple(_SURROGATE.sub("\ufffd", p) if isinstance(p, str) else p for p in params)


def to_json(value: Any) -> str:
    """Compact JSON, UTF-8 unescaped unless the text holds lone surrogates (then escaped)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    text = json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if _SURROGATE.search(text) else text


def conversation_from_row(row: Mapping[str, Any]) -> ConversationInfo:
    data = dict(row)
    data["tools"] = json.loads(data["tools"] or "[]")
    data["source_id"] = None if data["source_id"] is None else json.loads(data["source_id"])
    return ConversationInfo(**data)


def rounds_json(turn: Turn) -> str:
    """The `turns.rounds` column: each round's thoughts, in order (its calls are rows)."""
    return to_json([{"thoughts": r.thoughts} for r in turn.rounds])


def turn_from_row(row: Mapping[str, Any], calls: Sequence[Mapping[str, Any]], warnings: list[WarningEvent]) -> StoredTurn:
    error = ErrorEvent(kind=row["error_kind"], message=row["error_message"] or "") if row["error_kind"] else None
    thoughts = [r.get("thoughts", "") for r in json.loads(row["rounds"])] if row.get("rounds") else [row["thoughts"]]
    by_round: dict[int, list[Mapping[str, Any]]] = {}
    for c in calls:
        by_round.setdefault(c.get("round") or 1, []).append(c)
    count = max([len(thoughts), *by_round])
    thoughts += [""] * (count - len(thoughts))
    rounds = []
    for number in range(1, count + 1):
        rows = by_round.get(number, [])
        rounds.append(Round(
            thoughts=thoughts[number - 1],
            calls=tuple(Call(tool=c["tool"], args=tuple(json.loads(c["args"])), text=c["text"]) for c in rows),
            results=tuple(ToolResult.model_validate(json.loads(c["result"])) for c in rows if c["result"] is not None),
        ))
    result = TurnResult(
        question=row["question"],
        rounds=tuple(rounds),
        reply=row["reply"],
        tokens=TokenCounts(prompt=row["prompt_tokens"], generated=row["generated_tokens"]),
        timings=Timings.model_validate_json(row["timings"]) if row["timings"] else Timings(),
        warnings=warnings,
        error=error,
        model=row["model"],
    )
    return StoredTurn(
        id=row["id"],
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        status=row["status"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        tools=json.loads(row["tools"] or "[]"),
        partial_segment=row["partial_segment"],
        partial=row["partial"],
        recorded=json.loads(row["recorded"]) if row["recorded"] else None,
        result=result,
    )
