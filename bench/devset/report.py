"""Tables: per kind for one run, and side by side for saved runs (a technique on and off)."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devset.questions import CHAT_KINDS, KINDS, SEARCH_KINDS

Row = dict[str, Any]
TOOL_GOAL, CHAT_GOAL, SECONDS_GOAL = 0.90, 0.90, 10.0


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%" if whole else "n/a"


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def kinds_of(rows: Sequence[Row]) -> list[str]:
    present = {r["kind"] for r in rows}
    return [k for k in KINDS if k in present] + sorted(present - set(KINDS))


def stats(rows: Sequence[Row]) -> dict[str, Any]:
    return {
        "n": len(rows), "right": sum(r["right"] for r in rows), "called": sum(r["called"] for r in rows),
        "median_s": median([r["seconds"] for r in rows]), "median_tokens": median([r["tokens"] for r in rows]),
    }


def table(rows: Sequence[Row]) -> str:
    """Per kind: n, right, called a tool, median seconds, median generated tokens."""
    lines = [f"{'kind':12} {'n':>4} {'right':>6} {'%':>6} {'called':>6} {'med s':>6} {'med tok':>7}"]
    for kind in kinds_of(rows):
        s = stats([r for r in rows if r["kind"] == kind])
        lines.append(f"{kind:12} {s['n']:4} {s['right']:6} {100 * s['right'] / s['n']:5.1f}% {s['called']:6} "
                     f"{_fmt(s['median_s']):>6} {_fmt(s['median_tokens'], 0):>7}")
    return "\n".join(lines)


def totals(rows: Sequence[Row], backend: str = "") -> str:
    """The numbers the goals name, each with its goal."""
    tool = [r for r in rows if r["kind"] not in CHAT_KINDS]
    calc = [r for r in tool if r["kind"] not in SEARCH_KINDS]
    chat = [r for r in rows if r["kind"] in CHAT_KINDS]
    out = []
    if tool:
        right = sum(r["right"] for r in tool)
        out.append(f"tool questions right: {pct(right, len(tool))} (goal >= {TOOL_GOAL:.0%}: "
                   f"{'met' if right >= TOOL_GOAL * len(tool) else 'not met'}); tool called {pct(sum(r['called'] for r in tool), len(tool))}")
        if len(calc) != len(tool):
            out.append(f"  without the search kinds: {pct(sum(r['right'] for r in calc), len(calc))}")
    if chat:
        quiet = sum(not r["called"] for r in chat)
        out.append(f"chat questions without a tool: {pct(quiet, len(chat))} (goal >= {CHAT_GOAL:.0%}: "
                   f"{'met' if quiet >= CHAT_GOAL * len(chat) else 'not met'}); reply acceptable {pct(sum(r['right'] for r in chat), len(chat))}")
    for lang in ("en", "zh"):
        some = [r for r in rows if r["lang"] == lang]
        if some:
            out.append(f"  {lang}: right {pct(sum(r['right'] for r in some), len(some))}")
    seconds = median([r["seconds"] for r in rows])
    if seconds is not None:
        goal = f" (goal <= {SECONDS_GOAL:.0f} s on llama.cpp: {'met' if seconds <= SECONDS_GOAL else 'not met'})" \
            if backend == "llamacpp" else ""
        p90 = statistics.quantiles([r["seconds"] for r in rows], n=10)[-1] if len(rows) >= 2 else seconds
        out.append(f"median seconds a question: {seconds:.2f}{goal}; 90th percentile {p90:.2f}; "
                   f"errors {sum(bool(r.get('error')) for r in rows)}")
    return "\n".join(out)


def load_run(path: Path) -> tuple[dict[str, Any], list[Row]]:
    """A file written by `bench/accuracy.py --json`; a clear error for anything else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["meta"], data["rows"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a run saved by bench/accuracy.py --json ({exc})") from exc


def compare(paths: Sequence[Path]) -> str:
    """Accuracy and median seconds per kind, one column pair per saved run, over the questions
    every run answered (so a shorter or interrupted run compares like with like)."""
    runs = [load_run(p) for p in paths]
    common = set.intersection(*({r["id"] for r in rows} for _, rows in runs))
    names = [meta.get("tag") or path.stem for (meta, _), path in zip(runs, paths)]
    width = max(10, *(len(n) for n in names))
    head = f"{'kind':12} {'n':>4} " + " ".join(f"{n:>{width}} {'med s':>6}" for n in names)
    lines = [f"{len(common)} questions answered by every run", head]

    def line(label: str, keep: Any) -> str:
        cells = []
        n = 0
        for _, rows in runs:
            chosen = [r for r in rows if r["id"] in common and keep(r)]
            n = len(chosen)
            right = sum(r["right"] for r in chosen)
            cells.append(f"{(f'{100 * right / n:.1f}%' if n else '-'):>{width}} {_fmt(median([r['seconds'] for r in chosen])):>6}")
        return f"{label:12} {n:4} " + " ".join(cells)

    every = [r for _, rows in runs for r in rows if r["id"] in common]
    for kind in kinds_of(every):
        lines.append(line(kind, lambda r, k=kind: r["kind"] == k))
    lines.append(line("TOOL", lambda r: r["kind"] not in CHAT_KINDS))
    lines.append(line("CHAT", lambda r: r["kind"] in CHAT_KINDS))
    lines.append(line("ALL", lambda r: True))
    lines.append("runs: " + "; ".join(f"{name}: {meta.get('backend')} {'plain' if meta.get('plain') else 'agent'} "
                                       f"{json.dumps(meta.get('options') or {})}" for name, (meta, _) in zip(names, runs)))
    return "\n".join(lines)
