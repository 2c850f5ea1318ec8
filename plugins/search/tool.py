"""The `Search(query)` tool: a provider's snippets, quoted the way MOSS-003 read them.

The worker builds its provider once (`setup`), so the index is opened and jieba's dictionary
loaded once per worker, not once per call. `needs_network()` is True only when the
configured provider is SearxNG: the sandbox grants network to this tool then, and to no other.
"""

from __future__ import annotations

from typing import ClassVar

from plugins.search.config import SearchConfig
from plugins.search.errors import SearchError
from plugins.search.examples import SEARCH_EXAMPLES
from plugins.search.providers import Provider, make_provider
from plugins.search.render import quote
from tools import ErrorKind, Files, Tool, ToolFailure, ToolResult
from tools.examples import ToolExample

MAX_QUERY_CHARS = 500


def search_result(provider: Provider, query: str, config: SearchConfig) -> ToolResult:
    """Ask `provider` and quote its snippets; ToolFailure when nothing matches or it fails."""
    query = " ".join(str(query).split())
    if not query:
        raise ToolFailure("Search needs a non-empty query", ErrorKind.INVALID_ARGS)
    if len(query) > MAX_QUERY_CHARS:
        raise ToolFailure(
            f"the query is {len(query)} characters; Search takes at most {MAX_QUERY_CHARS}",
            ErrorKind.INVALID_ARGS,
        )
    try:
        snippets = provider.search(query, config.max_results)
    except SearchError as exc:
        raise ToolFailure(str(exc), ErrorKind.REFUSED) from None
    if not snippets:
        raise ToolFailure(f"nothing found for {query!r}", ErrorKind.NO_RESULT)
    return ToolResult.snippets([quote(s, config.max_chars) for s in snippets])


class Search(Tool):
    """Web search over the configured provider: the local index or a SearxNG server."""

    name: ClassVar[str] = "Search"
    capability: ClassVar[str] = "Web search"
    signature: ClassVar[str] = "Search(query)"
    examples: ClassVar[tuple[ToolExample, ...]] = SEARCH_EXAMPLES

    config: SearchConfig | None = None
    _provider: Provider | None = None

    @classmethod
    def is_available(cls) -> bool:
        """Whether the meta instruction lists Search as enabled (see `SearchConfig`)."""
        return cls.unavailable_reason() is None

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """What is missing or wrong in the configuration; a bad environment variable makes
        Search unavailable (with the reason), not the whole agent fail."""
        try:
            return (cls.config or SearchConfig.from_env()).unavailable_reason()
        except SearchError as exc:
            return str(exc)

    def needs_network(self) -> bool:
        """True only for the SearxNG provider: the local index is read without a network.

        Asked when a call is routed, so configuring a server after import still takes effect.
        An invalid configuration needs no network: the worker's setup reports the error.
        """
        try:
            return (self.config or SearchConfig.from_env()).network
        except SearchError:
            return False

    def needs_files(self) -> Files:
        """Read access to the index file, and nothing else: the sandbox grants it to Search's
        own workers only (no index is read for SearxNG)."""
        try:
            config = self.config or SearchConfig.from_env()
        except SearchError:
            return Files()
        return Files(read=[str(config.index_path)]) if config.provider == "index" else Files()

    def setup(self) -> None:
        self.config = self.config or SearchConfig.from_env()
        try:
            self._provider = make_provider(self.config)
        except SearchError as exc:
            raise ToolFailure(str(exc), ErrorKind.REFUSED) from None

    def run(self, query: str) -> ToolResult:
        if self._provider is None or self.config is None:
            self.setup()
        assert self._provider is not None and self.config is not None
        return search_result(self._provider, query, self.config)
