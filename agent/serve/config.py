"""What a served agent allows: who may call it, how much it queues, how big a request may be.

The limits live in one model so the CLI, the app and the tests agree on names and defaults,
and every refusal can name the option that would change it.
"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, Field

from agent.errors import ConfigurationError

API_KEY_ENV = "MOSS_AGENT_SERVE_KEY"


class ServeConfig(BaseModel):
    """Limits and access for one `moss-agent serve` process."""

    api_key: str | None = Field(default=None, description="required as a bearer token when set")
    max_queue: int = Field(default=32, ge=0, description="turns that may wait; beyond: 503")
    concurrency: int = Field(default=8, ge=1, description="turns at once when the backend allows it")
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    max_messages: int = Field(default=100, ge=1)


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_exposure(host: str, api_key: str | None) -> None:
    """Refuse to serve another host without a key: the agent runs tools on this machine."""
    if not is_loopback(host) and not api_key:
        raise ConfigurationError(
            f"--host {host} lets other machines run the agent (and its tools) here; "
            f"pass --api-key KEY or set {API_KEY_ENV}, or keep the default --host 127.0.0.1"
        )
