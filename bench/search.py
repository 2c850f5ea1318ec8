"""Replay every recorded MOSS Search query against a local index of the recorded snippets.

Builds a search index (in a temporary folder) from every snippet recorded in `web_search/` and
`mix/` of the MOSS SFT plugin conversations, then asks it every recorded Search query and
reports how often one of the snippets recorded for that query comes back first and within the
top 3, for Chinese and English queries separately, plus queries per second.

It also sorts the misses by what came first instead: a snippet recorded for another query of
the same conversation (a sibling query on the same topic, which a relevance ranking cannot
tell apart), a snippet of another conversation, or nothing; and counts the queries whose own
snippets share no term with them at all (answer boxes in English for a Chinese query, for
example), which no index of these tokens can find.

    .venv/bin/python bench/search.py [--tokenizer moss|unicode61|trigram] [--sft-dir DIR]

`--tokenizer unicode61` / `trigram` are the plain-FTS5 baselines the goal is measured against.
The conversations are read from ../shared/moss-sft-plugin beside the repository (or
MOSS_SFT_DIR); nothing is written there.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from plugins.search.index import SearchIndex, match_expression  # noqa: E402

_ENTRY = re.compile(r"^Search\((.*)\) =>\s*(.*)$")
_SNIPPET = re.compile(r"^<\|(\d+)\|>: (.*)$")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class RecordedQuery:
    query: str
    conversation: str = ""
    snippets: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return "zh" if _HAN.search(self.query) else "en"


def sft_dir() -> Path:
    return Path(os.environ.get("MOSS_SFT_DIR", REPO_ROOT.parent / "shared" / "moss-sft-plugin"))


def decode_snippet(quoted: str) -> str:
    """The text of a snippet as MOSS quoted it (a Python repr, sometimes cut mid-string)."""
    return _join_surrogates(_unquote(quoted))


def _join_surrogates(text: str) -> str:
    """A few recorded snippets carry emoji as escaped UTF-16 surrogate pairs."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _unquote(quoted: str) -> str:
    try:
        value = ast.literal_eval(quoted)
        if isinstance(value, str):
            return value
    except (SyntaxError, ValueError):
        pass
    body = quoted[1:] if quoted[:1] in "'\"" else quoted
    body = re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2})", lambda m: chr(int(m[1][1:], 16)), body)
    return body.replace("\\n", "\n").replace("\\'", "'").replace('\\"', '"').replace("\\\\", "\\")


def decode_argument(argument: str) -> str:
    try:
        value = ast.literal_eval(argument)
        if isinstance(value, str):
            return value
    except (SyntaxError, ValueError):
        pass
    return argument.strip("\"'")


def recorded_queries(root: Path) -> Iterator[RecordedQuery]:
    """Every recorded Search call with the snippets recorded for it, in file order."""
    for folder in ("web_search", "mix"):
        for path in sorted((root / folder).glob("*.json")):
            chat = json.loads(path.read_text(encoding="utf-8"))["chat"]
            for turn in chat.values():
                current: RecordedQuery | None = None
                for line in turn.get("Tool Responses", "").splitlines():
                    if entry := _ENTRY.match(line):
                        if current is not None:
                            yield current
                        current = RecordedQuery(decode_argument(entry[1]), path.name)
                    elif (snippet := _SNIPPET.match(line)) and current is not None:
                        current.snippets.append(decode_snippet(snippet[2]))
                    elif " => " in line and current is not None:
                        yield current  # another tool's entry ends this Search's snippets
                        current = None
                if current is not None:
                    yield current


class PlainFts:
    """A baseline: FTS5 with one of SQLite's own tokenizers, queried with OR of the words."""

    def __init__(self, tokenizer: str, texts: list[str]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(f"CREATE VIRTUAL TABLE t USING fts5 (text, tokenize = '{tokenizer}')")
        self.db.executemany("INSERT INTO t (text) VALUES (?)", [(t,) for t in texts])
        self.tokenizer = tokenizer

    def search(self, query: str, limit: int) -> list[str]:
        if self.tokenizer == "trigram":
            grams = {query[i : i + 3] for i in range(len(query) - 2)}
            terms = [g for g in grams if g.strip()]
        else:
            terms = re.findall(r"\w+", query)
        if not terms:
            return []
        rows = self.db.execute(
            "SELECT text FROM t WHERE t MATCH ? ORDER BY rank LIMIT ?",
            (match_expression(terms), limit),
        ).fetchall()
        return [row[0] for row in rows]


def build(tokenizer: str, texts: list[str], folder: Path) -> Callable[[str, int], list[str]]:
    if tokenizer != "moss":
        return PlainFts(tokenizer, texts).search
    index = SearchIndex(folder / "bench.sqlite3")
    index.add("recorded-snippets", "-", 0, texts)

    def search(query: str, limit: int) -> list[str]:
        return [hit.text for hit in index.search(query, limit)]

    return search


def miss_kind(q: RecordedQuery, top: list[str], recorded_in: dict[str, set[str]]) -> str:
    if not top:
        return "nothing found"
    if q.conversation in recorded_in.get(top[0], set()):
        return "recorded for a sibling query"
    return "recorded in another conversation"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", default="moss", choices=["moss", "unicode61", "trigram"])
    parser.add_argument("--sft-dir", type=Path, default=sft_dir())
    parser.add_argument("--misses", type=int, default=0, help="print this many missed queries")
    args = parser.parse_args(argv)
    if not args.sft_dir.is_dir():
        parser.error(f"recorded conversations not found at {args.sft_dir} (set MOSS_SFT_DIR)")

    queries = [q for q in recorded_queries(args.sft_dir) if q.snippets]
    texts = list(dict.fromkeys(s for q in queries for s in q.snippets))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        search = build(args.tokenizer, texts, Path(tmp))
        build_s = time.perf_counter() - started
        search("warm up", 3)
        stats: dict[str, list[int]] = {"zh": [0, 0, 0], "en": [0, 0, 0]}
        misses: list[tuple[RecordedQuery, list[str]]] = []
        recorded_in: dict[str, set[str]] = {}
        for q in queries:
            for s in q.snippets:
                recorded_in.setdefault(s, set()).add(q.conversation)
        started = time.perf_counter()
        for q in queries:
            top = search(q.query, 3)
            own = set(q.snippets)
            row = stats[q.language]
            row[0] += 1
            row[1] += bool(top) and top[0] in own
            row[2] += any(t in own for t in top)
            if not (top and top[0] in own):
                misses.append((q, top))
        elapsed = time.perf_counter() - started
        unreachable = sum(
            1 for q, _ in misses if not set(q.snippets) & set(search(q.query, len(texts)))
        )

    print(f"tokenizer={args.tokenizer}  passages={len(texts)}  queries={len(queries)}  "
          f"build={build_s:.2f}s")
    total = [sum(col) for col in zip(*stats.values())]
    for label, (n, first, top3) in [*stats.items(), ("all", total)]:
        print(f"  {label:3}  n={n:4}  first={first / n:6.1%}  top3={top3 / n:6.1%}")
    print(f"  {len(queries) / elapsed:.0f} queries/s")
    kinds = Counter(miss_kind(q, top, recorded_in) for q, top in misses)
    print(f"  first result of the {len(misses)} misses: "
          + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))
    print(f"  queries whose recorded snippets share no index term with them: {unreachable}")
    for q, top in misses[: args.misses]:
        print("\nMISS", q.query, "\n  own:", [s[:60] for s in q.snippets],
              "\n  got:", [t[:60] for t in top])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
