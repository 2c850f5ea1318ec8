"""Time the wire format: parse + re-render all recorded conversations, and hostile lines.

    .venv/bin/python bench/parse.py [--sft-dir DIR] [--repeat N]

Goals: all 500 conversations (950 turns) parsed from their JSON objects and re-rendered in
under 100 ms; any 1 MB hostile Commands line read in under 50 ms. Reading the files from disk
and `json.loads` are timed separately, since the goal is about our code. Each number is the
best of `--repeat` runs (the least disturbed by the machine). The conversations are read from
../shared/moss-sft-plugin beside the repository (or MOSS_SFT_DIR); nothing is written there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from agent.format import Conversation  # noqa: E402
from agent.parse import parse_commands  # noqa: E402

MB = 1 << 20
HOSTILE: dict[str, str] = {
    "1 MB argument": 'Calculate("' + "1+" * (MB // 2) + '")',
    "1 MB of calls": 'Calculate("1"), ' * (MB // 16),
    "1 MB of ()": "Calculate(" + "()" * (MB // 2),
    "f(f(f(... 1 MB": "f(" * (MB // 2),
    "100,000 nested (": "Calculate(" + "(" * 100_000,
    "unterminated quote": 'Search("' + "a" * MB,
    "escaped quotes": 'Search("' + '\\"' * (MB // 2),
    "NUL bytes": "\0" * MB,
    "lone surrogates": "\ud800" * MB,
    "Commands markers": "<|Commands|>:" * (MB // 13),
    "1. 1. 1. ...": "1. " * (MB // 3),
    "# comments": "#\n" * (MB // 2),
}


def best_of(repeat: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    default = Path(os.environ.get("MOSS_SFT_DIR", REPO_ROOT.parent / "shared" / "moss-sft-plugin"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sft-dir", type=Path, default=default)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()

    files = sorted(options.sft_dir.rglob("*.json"))
    if not files:
        sys.exit(f"no conversations under {options.sft_dir}")
    load_s = best_of(options.repeat, lambda: [json.loads(p.read_bytes()) for p in files])
    data = [json.loads(p.read_bytes()) for p in files]
    conversations = [Conversation.from_moss_json(d) for d in data]
    turns = sum(len(c.turns) for c in conversations)

    def parse_and_render() -> None:
        for d in data:
            for turn in Conversation.from_moss_json(d).turns:
                turn.render()

    parse_s = best_of(options.repeat, parse_and_render)
    render_s = best_of(options.repeat, lambda: [t.render() for c in conversations for t in c.turns])
    print(f"{len(files)} conversations, {turns} turns (best of {options.repeat})")
    print(f"  read + json.loads        {load_s * 1e3:8.1f} ms   (not ours)")
    print(f"  parse + render           {parse_s * 1e3:8.1f} ms   goal < 100 ms  {'ok' if parse_s < 0.1 else 'MISSED'}")
    print(f"    of which render        {render_s * 1e3:8.1f} ms")
    print(f"  per turn                 {parse_s / turns * 1e6:8.1f} us")
    print("hostile Commands lines (default limits)")
    worst = 0.0
    for name, text in HOSTILE.items():
        seconds = best_of(options.repeat, lambda: parse_commands(text))
        worst = max(worst, seconds)
        print(f"  {name:24s} {len(text) / MB:5.2f} MB  {seconds * 1e3:8.2f} ms")
    print(f"  worst                              {worst * 1e3:8.2f} ms   goal < 50 ms  {'ok' if worst < 0.05 else 'MISSED'}")


if __name__ == "__main__":
    main()
