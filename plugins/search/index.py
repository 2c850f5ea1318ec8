"""The local search index: passages of the user's documents in SQLite FTS5, ranked by BM25.

One SQLite file holds three things: `documents` (one row per added file, with its hash so the
same file is not added twice), `passages` (the display text of each passage) and the FTS5 table
`passage_terms`, whose rowid is the passage id and whose single column holds the terms computed
by `plugins.search.tokenize` (see there for why tokenization happens in Python).

Adding a document is one transaction: a failure half-way leaves the index as it was.
Because the display text of every passage is kept, the terms can always be recomputed from it
(`rebuild_terms`) when the tokenization changes; nothing has to be added again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plugins.search.errors import ProviderUnavailable
from plugins.search.tokenize import index_text, query_terms

# The version of the tables and of the terms in them. 2: single Han characters became terms.
# An index from an older version still answers (its terms are a subset), and `rebuild_terms`
# brings it up to date from the passages it keeps, which `moss-agent index` does on its own.
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    added REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_document ON passages (document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_terms USING fts5 (
    terms, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


@dataclass(frozen=True)
class Hit:
    """One passage that matched a query; `score` is BM25 (lower is better, as SQLite reports)."""

    text: str
    source: str
    score: float


@dataclass(frozen=True)
class DocumentInfo:
    """One indexed document, as `moss-agent index list` shows it."""

    id: int
    source: str
    sha256: str
    size: int
    passages: int
    added: float


def match_expression(terms: Sequence[str]) -> str:
    """An FTS5 query that matches any of `terms`, each quoted so no term is read as syntax."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


class SearchIndex:
    """A handle on one index file. Opening it creates the file and its tables if needed."""

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise ProviderUnavailable(
                f"no search index at {self.path}; add documents with `moss-agent index add PATH`"
            )
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA foreign_keys = ON")
            self.version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if self.version > SCHEMA_VERSION:
                self._db.close()
                raise ProviderUnavailable(
                    f"the search index {self.path} was written by a newer moss-agent (index "
                    f"version {self.version}, this one knows {SCHEMA_VERSION}); upgrade moss-agent"
                )
            if create:
                self._db.executescript(_SCHEMA)
                if self.passage_count() == 0:  # new (or empty): nothing to recompute
                    self._set_version()
                self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise ProviderUnavailable(
                f"the search index {self.path} cannot be opened ({exc}); move it away and "
                "add your documents again"
            ) from exc

    def close(self) -> None:
        self._db.close()

    @property
    def outdated(self) -> bool:
        """True when the terms were computed by an older tokenizer; see `rebuild_terms`."""
        return self.version < SCHEMA_VERSION

    def _set_version(self) -> None:
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.version = SCHEMA_VERSION

    def rebuild_terms(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute every passage's terms with this version's tokenizer, in one transaction.

        Returns the number of passages; `progress(1)` is called after each. An interruption
        leaves the index as it was (still usable, still outdated).
        """
        with self._db:
            self._db.execute("DELETE FROM passage_terms")
            rows = self._db.execute("SELECT id, text FROM passages ORDER BY id").fetchall()
            for passage_id, text in rows:
                self._insert_terms(passage_id, text, progress)
            self._set_version()
        return len(rows)

    def _insert_terms(
        self, passage_id: int | None, text: str, progress: Callable[[int], None] | None
    ) -> None:
        self._db.execute(
            "INSERT INTO passage_terms (rowid, terms) VALUES (?, ?)", (passage_id, index_text(text))
        )
        if progress is not None:
            progress(1)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    def find_by_hash(self, sha256: str) -> str | None:
        """The source already indexed with this content, if any."""
        row = self._db.execute("SELECT source FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def add(
        self,
        source: str,
        sha256: str,
        size: int,
        passages: Iterable[str],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index `passages` under `source`, replacing what was indexed for it before.

        Returns the number of passages stored; `progress(1)` is called after each. All or
        nothing: one transaction.
        """
        if self.outdated:
            self.rebuild_terms()
        with self._db:
            self._delete_source(source)
            cursor = self._db.execute(
                "INSERT INTO documents (source, sha256, size, added) VALUES (?, ?, ?, ?)",
                (source, sha256, size, time.time()),
            )
            document_id = cursor.lastrowid
            count = 0
            for ordinal, text in enumerate(passages):
                row = self._db.execute(
                    "INSERT INTO passages (document_id, ordinal, text) VALUES (?, ?, ?)",
                    (document_id, ordinal, text),
                )
                self._insert_terms(row.lastrowid, text, progress)
                count += 1
        return count

    def remove(self, source: str) -> bool:
        """Forget `source`; False when it was not indexed."""
        with self._db:
            return self._delete_source(source)

    def _delete_source(self, source: str) -> bool:
        row = self._db.execute("SELECT id FROM documents WHERE source = ?", (source,)).fetchone()
        if row is None:
            return False
        self._db.execute(
            "DELETE FROM passage_terms WHERE rowid IN "
            "(SELECT id FROM passages WHERE document_id = ?)",
            (row[0],),
        )
        self._db.execute("DELETE FROM passages WHERE document_id = ?", (row[0],))
        self._db.execute("DELETE FROM documents WHERE id = ?", (row[0],))
        return True

    # -- reading -------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        rows = self._db.execute(
            "SELECT d.id, d.source, d.sha256, d.size, COUNT(p.id), d.added FROM documents d "
            "LEFT JOIN passages p ON p.document_id = d.id GROUP BY d.id ORDER BY d.source"
        ).fetchall()
        return [DocumentInfo(*row) for row in rows]

    def passage_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        """The `limit` best passages for `query`, best first; [] when no term matches."""
        terms = query_terms(query)
        if not terms:
            return []
        rows = self._db.execute(
            "SELECT p.text, d.source, bm25(passage_terms) AS score FROM passage_terms "
            "JOIN passages p ON p.id = passage_terms.rowid "
            "JOIN documents d ON d.id = p.document_id "
            "WHERE passage_terms MATCH ? ORDER BY score LIMIT ?",
            (match_expression(terms), limit),
        ).fetchall()
        return [Hit(text, source, score) for text, source, score in rows]
