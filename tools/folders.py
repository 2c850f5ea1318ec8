"""Where moss-agent keeps its files: one answer that the runtime, the plugins and the sandbox share.

- the data folder (`MOSS_AGENT_DATA`, else the platform's user data folder): the session store
  (`logs.db`), Search's index, the chat history. The sandbox hides it from every tool.
- the config folder (the platform's user config folder): `mcp.json`.
- the cache folder (`MOSS_AGENT_CACHE`, else the platform's user cache folder): the assembled
  embedded model and converted weights, which can be rebuilt.

It lives in `tools`, the package both `agent` and `plugins` may import, so the three never
disagree on a path (they did: the store, Search and the sandbox each had their own copy).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "moss-agent"
DATA_ENV = "MOSS_AGENT_DATA"
CACHE_ENV = "MOSS_AGENT_CACHE"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`MOSS_AGENT_DATA`, or the platform's user data folder for moss-agent (not created)."""
    environ = os.environ if environ is None else environ
    if environ.get(DATA_ENV):
        return Path(environ[DATA_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The platform's user config folder for moss-agent (not created)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`MOSS_AGENT_CACHE`, or the platform's user cache folder for moss-agent (not created)."""
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_ENV):
        return Path(environ[CACHE_ENV]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME))  # as the model cache always was (appauthor matters on Windows)
