"""Errors raised by the `agent` package. Each says what happened and what to do about it."""

from __future__ import annotations


class MossAgentError(Exception):
    """Base of every error this package raises on purpose."""


class ParseError(MossAgentError):
    """Text that cannot be read as MOSS wire format at all (the parser's only error type)."""


class ModelAssetError(MossAgentError):
    """A model file is missing, incomplete or corrupt; the message says how to repair it."""


class BackendError(MossAgentError):
    """A model backend failed (load, generation, server); the message names the cause."""


class ConfigurationError(MossAgentError):
    """The agent was asked for something that does not exist (a tool, a backend, a file)."""
