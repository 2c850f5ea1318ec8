"""The made-up facts the search questions need, indexed where Search finds them for one run.

The passages (bench/data/search_corpus.jsonl) describe fictional companies, towns and places,
so a model cannot answer from memory: it has to search, and for `search_calc` then compute.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devset.questions import CORPUS

SEARCH_ENV = ("MOSS_AGENT_DATA", "MOSS_AGENT_SEARXNG_URL", "MOSS_AGENT_SEARCH")


def passages(path: Path = CORPUS) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@contextmanager
def search_over_corpus(path: Path = CORPUS) -> Iterator[int]:
    """Index the corpus in a temporary folder and point Search at it (and only at it) until
    the block ends; yields the number of passages. Start the Agent inside the block: its
    sandbox workers read the environment when they start."""
    texts = passages(path)
    saved = {name: os.environ.get(name) for name in SEARCH_ENV}
    with tempfile.TemporaryDirectory(prefix="moss-devset-") as folder:
        from plugins.search.config import INDEX_FILENAME
        from plugins.search.index import SearchIndex

        data = path.read_bytes()
        with SearchIndex(Path(folder) / INDEX_FILENAME) as index:
            index.add("devset-corpus", hashlib.sha256(data).hexdigest(), len(data), texts)
        os.environ["MOSS_AGENT_DATA"] = folder
        os.environ.pop("MOSS_AGENT_SEARXNG_URL", None)
        os.environ.pop("MOSS_AGENT_SEARCH", None)
        try:
            yield len(texts)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
