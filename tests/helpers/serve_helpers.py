"""Running `moss-agent serve` for tests and the load bench: as a real process, or in this
process on a thread (when a test must look at the backend or the store while it serves)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from agent.backends.llamacpp_server import free_port, server_process

TOOL_TURN = [" The user asks for a power of two; I use the calculator.<eot>", ' Calculate("2^10")<eoc>',
             " 2 to the 10th is 1024.<eom>"]
PLAIN_TURN = [" A greeting; no tool is needed.<eot>", " None<eoc>", " Hello! How can I help you today?<eom>"]


def write_script(path: Path, outputs: Sequence[str], seconds_per_piece: float = 0.0) -> Path:
    path.write_text(json.dumps({"outputs": list(outputs), "seconds_per_piece": seconds_per_piece}), encoding="utf-8")
    return path


def wait_healthy(url: str, timeout: float = 30.0) -> None:
    give_up = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/healthz", timeout=1.0).status_code == 200:
                return
        if time.monotonic() > give_up:
            raise RuntimeError(f"the server did not answer on {url} within {timeout:g} s")
        time.sleep(0.05)


@contextlib.contextmanager
def serve_process(args: Sequence[str], *, log: Path, env: dict[str, str] | None = None,
                  timeout: float = 120.0) -> Iterator[str]:
    """`moss-agent serve ARGS --port FREE` as a subprocess; yields its base URL; always stops it."""
    port = free_port()
    command = [sys.executable, "-m", "agent", "serve", *args, "--port", str(port)]
    # A key in the caller's environment would change what the server demands: only `env` sets one.
    environment = {k: v for k, v in os.environ.items() if k != "MOSS_AGENT_SERVE_KEY"} | (env or {})
    url = f"http://127.0.0.1:{port}"
    with server_process(command, url + "/healthz", name="moss-agent serve", log=log, timeout=timeout,
                        env=environment):
        yield url


@contextlib.contextmanager
def serve_in_thread(app: object) -> Iterator[str]:
    """An ASGI app on uvicorn in a thread of this process; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, timeout=30)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
