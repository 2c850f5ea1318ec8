"""Which search provider answers, and with how much: read once from the environment.

Search has three states, and the meta instruction must tell the model which one holds:
a SearxNG server is configured (network needed), a local index with passages exists, or
neither, in which case Search is *disabled* rather than offered as a tool that always fails.

Environment variables (all optional):
- `MOSS_AGENT_SEARCH`: `auto` (default), `index`, `searxng` or `off`.
- `MOSS_AGENT_SEARXNG_URL`: base URL of a SearxNG instance with the JSON format enabled.
- `MOSS_AGENT_DATA`: the data folder (default: the platform's user data folder for
  "moss-agent"); the index is `search-index.sqlite3` in it.
- `MOSS_AGENT_SEARCH_RESULTS` (3), `MOSS_AGENT_SEARCH_CHARS` (300),
  `MOSS_AGENT_SEARCH_TIMEOUT` (seconds, 10).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from plugins.search.errors import SearchError
from plugins.search.render import DEFAULT_MAX_CHARS
from tools.folders import data_dir as default_data_dir

INDEX_FILENAME = "search-index.sqlite3"
ProviderName = Literal["index", "searxng", "off"]


@dataclass(frozen=True)
class SearchConfig:
    """Everything the Search tool needs to know; build it with `from_env` or directly."""

    provider: ProviderName
    index_path: Path
    searxng_url: str | None = None
    max_results: int = 3
    max_chars: int = DEFAULT_MAX_CHARS
    timeout_s: float = 10.0

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, data_dir: Path | None = None
    ) -> SearchConfig:
        """Read the configuration; `auto` picks SearxNG when a URL is set, else the index."""
        environ = os.environ if environ is None else environ
        index_path = (data_dir or default_data_dir(environ)) / INDEX_FILENAME
        url = environ.get("MOSS_AGENT_SEARXNG_URL") or None
        choice = (environ.get("MOSS_AGENT_SEARCH") or "auto").strip().lower()
        providers: dict[str, ProviderName] = {"index": "index", "searxng": "searxng", "off": "off",
                                              "auto": "searxng" if url else "index"}
        if choice not in providers:
            raise SearchError(
                f"MOSS_AGENT_SEARCH={choice!r} is not one of auto, index, searxng, off"
            )
        if choice == "searxng" and not url:
            raise SearchError("MOSS_AGENT_SEARCH=searxng needs MOSS_AGENT_SEARXNG_URL")
        provider = providers[choice]
        return cls(
            provider=provider,
            index_path=index_path,
            searxng_url=url,
            max_results=_positive_int(environ, "MOSS_AGENT_SEARCH_RESULTS", 3),
            max_chars=_positive_int(environ, "MOSS_AGENT_SEARCH_CHARS", DEFAULT_MAX_CHARS),
            timeout_s=float(_positive_int(environ, "MOSS_AGENT_SEARCH_TIMEOUT", 10)),
        )

    def with_index(self, index_path: Path) -> SearchConfig:
        return replace(self, provider="index", index_path=index_path)

    @property
    def network(self) -> bool:
        """True only for the HTTP provider: the one Search worker that may use the network."""
        return self.provider == "searxng"

    def is_available(self) -> bool:
        """Whether Search should be offered to the model at all."""
        return self.unavailable_reason() is None

    def unavailable_reason(self) -> str | None:
        """Why Search cannot answer with this configuration, and what to do; None when it can."""
        if self.provider == "searxng":
            return None if self.searxng_url else "MOSS_AGENT_SEARXNG_URL is not set"
        if self.provider == "index":
            if index_has_passages(self.index_path):
                return None
            return (f"no search index with passages at {self.index_path}; add documents with "
                    "`moss-agent index add PATH`, or set MOSS_AGENT_SEARXNG_URL")
        return "switched off (MOSS_AGENT_SEARCH=off)"


def index_has_passages(path: Path) -> bool:
    """True when `path` is a readable index holding at least one passage (opened read-only)."""
    if not path.is_file():
        return False
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
            return db.execute("SELECT EXISTS (SELECT 1 FROM passages)").fetchone()[0] == 1
    except sqlite3.DatabaseError:
        return False


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SearchError(f"{name}={raw!r} must be a positive whole number")
    return value


def is_available(config: SearchConfig | None = None) -> bool:
    """Whether the meta instruction should list Search as enabled, for the given or the
    environment's configuration."""
    return (config or SearchConfig.from_env()).is_available()
