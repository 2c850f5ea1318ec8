"""Where search results come from, behind one small interface.

A provider turns a query into at most `limit` plain-text snippets (best first, dates already
appended); quoting them the MOSS way is the tool's job, so every provider renders alike.
"""

from __future__ import annotations

from typing import Protocol

from plugins.search.config import SearchConfig
from plugins.search.errors import SearchError
from plugins.search.index import SearchIndex
from plugins.search.tokenize import load as load_tokenizer


class Provider(Protocol):
    """Anything that answers a query with snippets; raise ProviderUnavailable when it cannot."""

    def search(self, query: str, limit: int) -> list[str]: ...


class IndexProvider:
    """The local SQLite FTS5 index of the user's documents."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        load_tokenizer()  # in the worker's setup, off the first call's clock

    def search(self, query: str, limit: int) -> list[str]:
        return [hit.text for hit in self.index.search(query, limit)]


def make_provider(config: SearchConfig) -> Provider:
    """The provider `config` names; SearchError when Search is switched off."""
    if config.provider == "searxng":
        from plugins.search.searxng import SearxngProvider

        assert config.searxng_url is not None
        return SearxngProvider(config.searxng_url, timeout_s=config.timeout_s)
    if config.provider == "index":
        return IndexProvider(SearchIndex(config.index_path, create=False))
    raise SearchError("Search is switched off (MOSS_AGENT_SEARCH=off)")
