"""Starting the zygote: its environment, its command line, and the hello it answers with.

The zygote is a fresh `python -c` (never a fork of the agent, which may hold threads and a
model). Its environment, and so every worker's, pins numeric libraries to one thread
(threads multiply address space under RLIMIT_AS) and leaves out variables whose names look
like secrets (API keys, tokens, passwords): a tool has no business with the agent's
credentials, and /proc/<agent>/environ is out of its reach too.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import warnings
from typing import Any

from tools.errors import SandboxError
from tools.sandbox import isolation, layers
from tools.sandbox.zygote import BOOTSTRAP

WORKER_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_MAX_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PYTHONDONTWRITEBYTECODE": "1",
}
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION", re.IGNORECASE)


def worker_environment(token: str) -> dict[str, str]:
    """The agent's environment without secret-looking variables, plus the worker settings."""
    env = {name: value for name, value in os.environ.items() if not SECRET_NAME.search(name)}
    return dict(env, **WORKER_ENV, MOSS_SANDBOX_POOL=token)


def start_zygote(
    init: dict[str, Any], token: str, timeout_s: float, unsafe: bool
) -> tuple[subprocess.Popen[bytes], socket.socket, dict[str, Any]]:
    """Start the zygote, send it `init`, and return (process, control socket, its hello).

    Raises SandboxError when it cannot start, or when it found no filesystem isolation and
    running without it was not allowed; warns when a layer is missing but allowed.
    """
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    search_path = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
    process = subprocess.Popen(
        [sys.executable, "-c", BOOTSTRAP, str(theirs.fileno()), json.dumps(search_path)],
        pass_fds=[theirs.fileno()],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env=worker_environment(token),
    )
    theirs.close()
    ours.send(json.dumps(init).encode())
    ours.settimeout(timeout_s)
    try:
        hello = json.loads(ours.recv(1 << 20) or b"{}")
    except (OSError, ValueError) as exc:
        hello = {"type": "error", "error": f"no answer from the sandbox zygote ({exc})"}
    ours.settimeout(None)
    error = None
    if hello.get("type") != "hello":
        error = "the sandbox could not start: " + hello.get(
            "error", "its zygote process exited (its error, if any, is above)"
        ) + "; " + layers.START_HINT
    elif hello["mechanisms"]["filesystem"] == layers.NONE and not layers.unsafe_allowed(unsafe):
        error = layers.refusal()
    if error is not None:
        process.kill()
        process.wait()
        ours.close()
        raise SandboxError(error)
    if hello["mechanisms"]["filesystem"] == layers.NONE:
        warnings.warn(
            "sandboxed tools can read and change your files: no filesystem isolation "
            f"(allowed by {layers.UNSAFE_FLAG})",
            RuntimeWarning,
            stacklevel=4,
        )
    if hello["isolation"] == isolation.NONE:
        warnings.warn(
            "sandboxed tools are NOT cut off from the network here: neither network "
            "namespaces nor seccomp are available",
            RuntimeWarning,
            stacklevel=4,
        )
    return process, ours, hello
