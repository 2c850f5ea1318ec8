"""Ask the questions and keep one row per question: what was called, returned and replied,
how long it took, and the verdict.

Rows are written to the JSON file after every question (atomically), so a crash or Ctrl-C
loses nothing that was measured; `run_questions` stops cleanly on Ctrl-C and returns the rows
so far.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from devset.judge import judge
from devset.plain import chat_prompt, chat_template, plain_answer
from devset.questions import Question

Row = dict[str, Any]


def base_row(question: Question) -> Row:
    return {
        "id": question.id, "kind": question.kind, "lang": question.lang, "split": question.split,
        "source": "generated" if question.template else "handwritten", "q": question.q,
        "expect": list(question.expect or question.expect_text),
    }


def agent_row(question: Question, result: Any) -> Row:
    """A row from the agent's `TurnResult`: with `rounds` (how many) and each round's thoughts
    and calls (`thoughts`), so a miss can be read without running it again."""
    called = bool(result.calls)
    verdict = judge(question, result.reply, called)
    rounds = len(result.rounds)
    return {
        **base_row(question), "right": verdict.right, "why": verdict.why, "called": called,
        "tools": sorted({c.tool for c in result.calls}), "calls": [c.text for c in result.calls],
        "results": [r.render_body().strip() for r in result.results], "reply": result.reply,
        "seconds": round(result.timings.total_s, 3), "tokens": result.tokens.generated,
        "rounds": rounds,
        "thoughts": [r.thoughts for r in result.rounds],
        "warnings": [w.kind for w in result.warnings],
        "error": result.error.message if result.error else None,
    }


def failed_row(question: Question, error: BaseException, seconds: float) -> Row:
    return {**base_row(question), "right": False, "why": "crashed", "called": False, "tools": [], "calls": [],
            "results": [], "reply": "", "seconds": round(seconds, 3), "tokens": 0, "rounds": None,
            "warnings": [], "error": f"{type(error).__name__}: {error}"}


def save(path: Path | None, meta: dict[str, Any], rows: Sequence[Row]) -> None:
    """Write {"meta", "rows"} to `path` through a temporary file, so it is never half written."""
    if path is None:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"meta": meta, "rows": list(rows)}, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def progress(i: int, n: int, row: Row) -> None:
    mark = "ok " if row["right"] else "BAD"
    tools = ",".join(row["tools"]) or "-"
    print(f"[{i:3}/{n}] {mark} {row['kind']:11} {row['seconds']:5.1f}s {tools:16} {row['q'][:48]!r} -> "
          f"{row['calls'][:3]} {row['reply'][:70]!r} {row['why']}", file=sys.stderr, flush=True)


def run_questions(
    questions: Sequence[Question],
    answer: Callable[[Question], Row],
    *,
    meta: dict[str, Any],
    json_out: Path | None = None,
) -> list[Row]:
    """Rows for every question in order; Ctrl-C ends the run early with the rows so far."""
    rows: list[Row] = []
    try:
        for i, question in enumerate(questions, 1):
            started = time.monotonic()
            try:
                row = answer(question)
            except Exception as exc:  # noqa: BLE001 - one broken question must not end a long run
                row = failed_row(question, exc, time.monotonic() - started)
            rows.append(row)
            progress(i, len(questions), row)
            save(json_out, meta, rows)
    except KeyboardInterrupt:
        meta["interrupted"] = True
        save(json_out, meta, rows)
        print(f"interrupted after {len(rows)} of {len(questions)} questions", file=sys.stderr)
    return rows


def warm_up(agent: Any) -> float:
    """Encode the agent's prompt prefix (meta instruction and examples) before the first
    question, so that question's seconds count its own turn only; returns the seconds taken.
    Every later question reuses the cached prefix the same way."""
    from agent.backends.base import GenerationEnd

    started = time.monotonic()
    backend = agent.backend
    backend.reset(agent.prefix)
    for item in backend.generate([], 1):
        if isinstance(item, GenerationEnd):
            break
    return time.monotonic() - started


def agent_answerer(agent: Any) -> Callable[[Question], Row]:
    """Answers with the agent: one independent turn a question."""
    return lambda question: agent_row(question, agent.run(question.q))


def plain_answerer(backend: Any) -> Callable[[Question], Row]:
    """Answers with the bare model in its own chat template: no tools, no MOSS format."""
    template = chat_template(backend)

    def answer(question: Question) -> Row:
        got = plain_answer(backend, chat_prompt(template, question.q))
        verdict = judge(question, got.reply, called=False)
        return {**base_row(question), "right": verdict.right, "why": verdict.why, "called": False, "tools": [],
                "calls": [], "results": [], "reply": got.reply, "seconds": round(got.seconds, 3),
                "tokens": got.tokens, "rounds": None, "warnings": [] if got.reason != "length" else ["length"],
                "error": None}

    return answer
