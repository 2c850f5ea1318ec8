"""A local llama.cpp server (llama-cpp-python[server]) for the length of a `with` block.

The HTTP backend is tested and benchmarked against a real OpenAI-compatible server, not a mock;
this starts one on a free loopback port, waits until it answers, and always stops it. It is
also the quickest way to try `--backend http` without a cluster. `server_process` does the
starting, waiting and stopping for any server command (the benches and tests use it too).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from agent.errors import BackendError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def local_server(
    model: str | os.PathLike[str],
    *,
    threads: int = 2,
    n_ctx: int = 4096,
    log: Path | None = None,
    timeout: float = 120.0,
) -> Iterator[str]:
    """Serve the GGUF `model` on 127.0.0.1; yields the server's base URL.

    Raises BackendError when the server package is missing, the server exits or does not
    answer within `timeout` seconds (with the end of `log`, when one is kept).
    """
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        raise BackendError(
            f"the llama.cpp server is not installed ({exc}): pip install 'llama-cpp-python[server]'"
        ) from exc
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
               "--port", str(port), "--n_threads", str(threads), "--n_ctx", str(n_ctx),
               "--logits_all", "false",
               # By default a new request cuts the stream in flight short (a `[DONE]` with no
               # finish_reason); concurrent turns wait for the one running instead.
               "--interrupt_requests", "false"]
    url = f"http://127.0.0.1:{port}"
    with server_process(command, url + "/v1/models", name="the llama.cpp server", log=log, timeout=timeout):
        yield url


@contextlib.contextmanager
def server_process(
    command: Sequence[str],
    ready_url: str,
    *,
    name: str,
    log: Path | None = None,
    timeout: float = 120.0,
    env: Mapping[str, str] | None = None,
) -> Iterator[None]:
    """Run the server `command` for the length of a `with` block, entered once GET `ready_url`
    answers 200; always stopped (terminate, then kill). Raises BackendError naming `name` when
    it exits or does not answer within `timeout` seconds (with the end of `log`, when kept)."""
    import httpx

    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT,
                                env=dict(env) if env is not None else None)

    def tail() -> str:
        return f":\n{log.read_text(errors='replace')[-3000:]}" if log and log.exists() else ""

    try:
        give_up = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise BackendError(f"{name} exited with {proc.returncode}{tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(ready_url, timeout=1.0).status_code == 200:
                    break
            if time.monotonic() > give_up:
                raise BackendError(f"{name} did not answer in {timeout:g} s{tail()}")
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
