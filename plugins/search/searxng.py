"""The HTTP provider: a self-hosted SearxNG instance, through its JSON API.

SearxNG answers `GET /search?q=...&format=json` with `{"results": [{"title", "url",
"content", "publishedDate"?}, ...]}` once `json` is listed under `search.formats` in its
settings.yml (otherwise it answers 403). Every failure becomes ProviderUnavailable with a
message that names the server and the fix; the response is read with a size cap so a
misbehaving server cannot exhaust the worker's memory.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from plugins.search.errors import ProviderUnavailable
from plugins.search.render import clean, with_date

MAX_RESPONSE_BYTES = 2 * 1024 * 1024


class SearxngProvider:
    """Queries one SearxNG instance; `timeout_s` bounds connecting and each read."""

    def __init__(
        self, base_url: str, *, timeout_s: float = 10.0, max_bytes: int = MAX_RESPONSE_BYTES
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes

    def search(self, query: str, limit: int) -> list[str]:
        payload = self._fetch(query)
        results = payload.get("results") if isinstance(payload, dict) else None
        if not isinstance(results, list):
            raise ProviderUnavailable(
                f"SearxNG at {self.base_url} answered JSON without a 'results' list; is this "
                "URL a SearxNG instance?"
            )
        snippets: list[str] = []
        for result in results:
            text = _snippet(result)
            if text and text not in snippets:
                snippets.append(text)
            if len(snippets) >= limit:
                break
        return snippets

    def _fetch(self, query: str) -> Any:
        url = f"{self.base_url}/search"
        params = {"q": query, "format": "json"}
        try:
            with httpx.Client(timeout=self.timeout_s, follow_redirects=True) as client:
                with client.stream("GET", url, params=params) as response:
                    if response.status_code == 403:
                        raise ProviderUnavailable(
                            f"SearxNG at {self.base_url} refused the JSON format (403); add "
                            "'json' to search.formats in its settings.yml"
                        )
                    if response.status_code != 200:
                        raise ProviderUnavailable(
                            f"SearxNG at {self.base_url} answered HTTP {response.status_code}"
                        )
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise ProviderUnavailable(
                                f"SearxNG at {self.base_url} sent more than "
                                f"{self.max_bytes // 1024} KiB; the response was dropped"
                            )
        except httpx.TimeoutException:
            raise ProviderUnavailable(
                f"SearxNG at {self.base_url} did not answer within {self.timeout_s:g} s; "
                "check the server or raise MOSS_AGENT_SEARCH_TIMEOUT"
            ) from None
        except httpx.TransportError as exc:
            raise ProviderUnavailable(
                f"SearxNG at {self.base_url} is not reachable ({type(exc).__name__}: {exc}); "
                "start the server or fix MOSS_AGENT_SEARXNG_URL"
            ) from None
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProviderUnavailable(
                f"SearxNG at {self.base_url} answered something that is not JSON ({exc}); "
                "is this URL a SearxNG instance with the json format enabled?"
            ) from None


def _snippet(result: Any) -> str:
    """A result's text as MOSS saw web snippets: the page extract, then its date if known."""
    if not isinstance(result, dict):
        return ""
    content = result.get("content")
    text = clean(content) if isinstance(content, str) else ""
    if not text:
        title = result.get("title")
        text = clean(title) if isinstance(title, str) else ""
    if not text:
        return ""
    published = result.get("publishedDate")
    return with_date(text, published if isinstance(published, str) else None)
