"""What the nearest examples cost a turn: the same questions with `nearest_examples` 0 and 2.

    python bench/nearest.py                 # 8 tuning-split questions, llama.cpp, embedded model
    python bench/nearest.py --questions 16 --k 0,1,2,3

For each k it prints the median seconds of a whole turn and of its thoughts phase (where the
examples, written before the question, are encoded with it), the median tokens the examples
add to the transcript, and how long picking them takes. Questions come from the tuning split,
so nothing here looks at the reported one. The numbers depend on the machine's load; the load
average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def count_tokens(backend: object, text: str) -> int:
    """Tokens of `text` as the backend's model reads it (0 for no text)."""
    if not text:
        return 0
    llama = getattr(backend, "llama", None)
    if llama is not None:
        return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))
    return len(backend.tokenizer(text, add_special_tokens=False)["input_ids"])  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=8, help="how many tuning questions (one per kind first)")
    parser.add_argument("--k", default="0,2", help="the nearest_examples values to compare")
    parser.add_argument("--backend", default="llamacpp", choices=["llamacpp", "transformers"])
    args = parser.parse_args()

    from agent import Agent
    from devset.questions import load_devset, select

    pool = select(load_devset(), split="tune", kinds=None, limit=1)
    questions = [q.q for q in pool][: args.questions]
    print(f"{len(questions)} tuning questions, backend {args.backend}, load {os.getloadavg()[0]:.2f}")
    for k in (int(v) for v in args.k.split(",")):
        agent = Agent(backend=args.backend, tools=["Calculate", "Solve"], policy={"nearest_examples": k})
        agent.run("What is 2+2?")  # loads the model and caches the prefix
        totals, thoughts, added, picking = [], [], [], []
        for question in questions:
            t0 = time.perf_counter()
            shown = agent.examples_for(question)
            picking.append(time.perf_counter() - t0)
            text = "".join(agent.framing.render_turn(t) for t in shown)
            added.append(count_tokens(agent.backend, text))
            result = agent.run(question)
            totals.append(result.timings.total_s)
            thoughts.append(result.timings.thoughts_s)
        agent.close()
        print(f"k={k}: turn {statistics.median(totals):.2f} s, thoughts {statistics.median(thoughts):.2f} s, "
              f"examples {statistics.median(added):.0f} tokens, picking them {1000 * max(picking):.2f} ms at most")


if __name__ == "__main__":
    main()
