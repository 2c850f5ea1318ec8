"""Errors of the Search plugin. Each says what happened and what the user can do about it."""

from __future__ import annotations


class SearchError(Exception):
    """Base of every error the Search plugin raises on purpose."""


class ProviderUnavailable(SearchError):
    """The configured provider cannot answer (server down, index missing or unreadable)."""


class DocumentError(SearchError):
    """A file cannot be added to the index (missing, binary, too large, undecodable)."""
