"""Errors of the Search plugin. Each says what happened and what the user can do about it.

    MossAgentError (tools.errors, the project's root)
    └── SearchError                 anything the Search plugin raises on purpose
        ├── ProviderUnavailable     the configured provider cannot answer
        └── DocumentError           a file cannot be added to the index
"""

from __future__ import annotations

from tools.errors import MossAgentError


class SearchError(MossAgentError):
    """Base of every error the Search plugin raises on purpose."""


class ProviderUnavailable(SearchError):
    """The configured provider cannot answer (server down, index missing or unreadable)."""


class DocumentError(SearchError):
    """A file cannot be added to the index (missing, binary, too large, undecodable)."""
