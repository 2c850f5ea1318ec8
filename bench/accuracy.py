"""How well the agent uses its tools: the development question set through a real model.

For each question: was a tool called when one was needed (or not, for chat), and is the
reply right? A reply is right when it states every expected number as a standalone number
(thousands separators allowed) and carries no protocol tags or raw tool syntax.

With `--search`, Search is enabled over an index of every snippet recorded in the MOSS
conversations (built in a temporary folder, as `bench/search.py` does) and the search questions
are added: right when Search was called and the reply contains one of the expected texts.

Run: .venv/bin/python bench/accuracy.py [--backend llamacpp] [--model PATH] [--limit N]
     [--search] [--json OUT]
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "questions.jsonl"
SEARCH_QUESTIONS = HERE / "data" / "search_questions.jsonl"
LEAKS = ("<|", "<eo", "Calculate(", "Solve(", "Search(")


def states_number(reply: str, number: str) -> bool:
    """True when `number` appears in the reply as a number of its own (10,063 counts as 10063)."""
    plain = re.sub(r"(?<=\d),(?=\d{3}\b)", "", reply)
    for match in re.finditer(r"-?\d+(?:\.\d+)?", plain):
        try:
            if float(match.group()) == float(number):
                return True
        except ValueError:
            continue
    return False


def read_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def enable_search_over_recorded_snippets(data_dir: Path) -> int:
    """Index every recorded MOSS search snippet in `data_dir` and point Search at it."""
    sys.path.insert(0, str(HERE))
    from search import recorded_queries, sft_dir  # bench/search.py

    from plugins.search.config import INDEX_FILENAME
    from plugins.search.index import SearchIndex

    texts = list(dict.fromkeys(s for q in recorded_queries(sft_dir()) for s in q.snippets))
    with SearchIndex(data_dir / INDEX_FILENAME) as index:
        index.add("recorded-snippets", "-", 0, texts)
    os.environ["MOSS_AGENT_DATA"] = str(data_dir)
    for name in ("MOSS_AGENT_SEARXNG_URL", "MOSS_AGENT_SEARCH"):
        os.environ.pop(name, None)
    return len(texts)


def judge(question: dict, result) -> dict:
    reply = result.reply
    called = bool(result.calls)
    clean = not any(leak in reply for leak in LEAKS)
    row = {
        "q": question["q"],
        "kind": question["kind"],
        "called": called,
        "calls": [c.text for c in result.calls],
        "results": [r.render_body().strip() for r in result.results],
        "reply": reply,
        "seconds": round(result.timings.total_s, 2),
        "tokens": result.tokens.generated,
        "warnings": [w.kind for w in result.warnings],
    }
    if question["kind"] == "tool":
        row["right"] = clean and all(states_number(reply, n) for n in question["expect"])
    elif question["kind"] == "search":
        searched = any(c.tool == "Search" for c in result.calls)
        row["right"] = clean and searched and any(t in reply for t in question["expect_text"])
    else:
        expected = question.get("expect_text")
        row["right"] = clean and (not expected or any(t.lower() in reply.lower() for t in expected))
    return row


@click.command()
@click.option("--backend", default="transformers", show_default=True)
@click.option("--model", default=None)
@click.option("--base-url", default=None)
@click.option("--limit", type=int, default=None, help="Only the first N questions of each kind.")
@click.option("--kinds", default=None, help="Only these kinds, e.g. search or tool,chat.")
@click.option("--search", is_flag=True, help="Enable Search over the recorded snippets and add the search questions.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None, help="Write every row here.")
def main(
    backend: str, model: str | None, base_url: str | None, limit: int | None, kinds: str | None, search: bool, json_out: str | None
) -> None:
    from agent import Agent

    questions = read_questions(QUESTIONS)
    if search:
        questions += read_questions(SEARCH_QUESTIONS)
        enable_search_over_recorded_snippets(Path(tempfile.mkdtemp(prefix="moss-accuracy-")))
    if kinds:
        questions = [q for q in questions if q["kind"] in kinds.split(",")]
    if limit:
        questions = [q for kind in ("tool", "chat", "search") for q in [x for x in questions if x["kind"] == kind][:limit]]
    options = {"base_url": base_url} if base_url else {}
    rows = []
    started = time.monotonic()
    with Agent(model, backend=backend, progress=True, backend_options=options) as agent:
        for i, question in enumerate(questions, 1):
            row = judge(question, agent.run(question["q"]))
            rows.append(row)
            mark = "ok " if row["right"] else "BAD"
            print(f"[{i:2}/{len(questions)}] {mark} {row['kind']:4} called={row['called']!s:5} "
                  f"{row['seconds']:5.1f}s {question['q'][:50]!r} -> {row['calls']} {row['reply'][:80]!r}",
                  file=sys.stderr, flush=True)
    tool = [r for r in rows if r["kind"] == "tool"]
    chat = [r for r in rows if r["kind"] == "chat"]
    searched = [r for r in rows if r["kind"] == "search"]

    def pct(n: int, d: int) -> str:
        return f"{n}/{d} = {100 * n / d:.0f}%" if d else "n/a"

    print(f"model: {agent.model_name}  backend: {backend}  questions: {len(rows)}  "
          f"wall: {time.monotonic() - started:.0f} s")
    print(f"tool questions: tool called {pct(sum(r['called'] for r in tool), len(tool))}, "
          f"answer right {pct(sum(r['right'] for r in tool), len(tool))}")
    print(f"chat questions: no tool call {pct(sum(not r['called'] for r in chat), len(chat))}, "
          f"reply acceptable {pct(sum(r['right'] for r in chat), len(chat))}")
    if searched:
        print(f"search questions: Search called "
              f"{pct(sum(any(c.startswith('Search(') for c in r['calls']) for r in searched), len(searched))}, "
              f"answer right {pct(sum(r['right'] for r in searched), len(searched))}")
    if json_out:
        Path(json_out).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
