"""Write the generated part of the development set: bench/data/devset_generated.jsonl.

Deterministic: the same code writes the same bytes (a fixed seed per template), so the file is
checked in and `--check` tells whether it is up to date with the templates.

    .venv/bin/python bench/make_devset.py           # (re)write the file, print counts
    .venv/bin/python bench/make_devset.py --check   # exit 1 when the file differs
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset import gen_algebra, gen_numbers, gen_percent, gen_words  # noqa: E402,F401  (register templates)
from devset.generate import TEMPLATES, generate, to_jsonl  # noqa: E402
from devset.questions import GENERATED  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    parser.add_argument("--out", type=Path, default=GENERATED, help="where to write (default: %(default)s)")
    args = parser.parse_args()
    questions = generate()
    text = to_jsonl(questions)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run bench/make_devset.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(questions)} questions)")
        return 0
    args.out.write_text(text, encoding="utf-8")
    kinds = Counter(q.kind for q in questions)
    langs = Counter(q.lang for q in questions)
    print(f"wrote {len(questions)} questions from {len(TEMPLATES)} templates to {args.out}")
    print("  " + ", ".join(f"{k} {n}" for k, n in kinds.items()) + f"; en {langs['en']}, zh {langs['zh']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
