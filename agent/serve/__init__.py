"""The agent behind an OpenAI-compatible API and a web chat page (`moss-agent serve`).

Public API: `create_app(agent, store, config)` (an ASGI app for any ASGI server),
`ServeConfig` (access and limits), `check_exposure` (refuse other hosts without a key) and
`API_KEY_ENV`; `RequestError`, what a refused request raises (a `MossAgentError`). The package prints nothing; the CLI command runs the app on uvicorn.
"""

from __future__ import annotations

from agent.serve.app import create_app
from agent.serve.config import API_KEY_ENV, ServeConfig, check_exposure, is_loopback
from agent.serve.openai_format import RequestError

__all__ = [
    "API_KEY_ENV", "RequestError", "ServeConfig", "check_exposure", "create_app", "is_loopback",
]
