"""The Search plugin: `Search(query)` over a local FTS5 index or a SearxNG server.

Public API: the tool (`Search`), whether it is offered (`is_available`, `SearchConfig`),
the index (`SearchIndex`, `read_document`) and the providers.
"""

from plugins.search.config import SearchConfig, default_data_dir, is_available
from plugins.search.documents import Document, read_document
from plugins.search.errors import DocumentError, ProviderUnavailable, SearchError
from plugins.search.index import Hit, SearchIndex
from plugins.search.providers import IndexProvider, Provider, make_provider
from plugins.search.render import quote
from plugins.search.searxng import SearxngProvider
from plugins.search.tool import Search, search_result

__all__ = [
    "Document",
    "DocumentError",
    "Hit",
    "IndexProvider",
    "Provider",
    "ProviderUnavailable",
    "Search",
    "SearchConfig",
    "SearchError",
    "SearchIndex",
    "SearxngProvider",
    "default_data_dir",
    "is_available",
    "make_provider",
    "quote",
    "read_document",
    "search_result",
]
