"""Shared pieces of the MCP tests: configurations for the test server, and HTTP servers.

Every wait here has a deadline, so a server that never comes up fails the test instead of
hanging CI.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SERVER = Path(__file__).resolve().parent / "mcp_test_server.py"


def stdio_entry(*flags: str, **options: Any) -> dict[str, Any]:
    """A `mcpServers` entry that starts the test server over stdio."""
    return {"command": sys.executable, "args": [str(SERVER), *flags], **options}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen[Any], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


@contextmanager
def http_server(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run an HTTP MCP server process on 127.0.0.1:`port`; yield its /mcp URL; stop it."""
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.kill()
        process.wait(timeout=30)


@contextmanager
def http_test_server() -> Iterator[str]:
    """The test MCP server over streamable HTTP."""
    port = free_port()
    with http_server([sys.executable, str(SERVER), "--http", "--port", str(port)], port) as url:
        yield url
