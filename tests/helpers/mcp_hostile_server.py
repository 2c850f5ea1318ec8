"""An MCP server whose tools attack the sandbox it runs in (tests/mcp/test_mcp_confinement.py).

Written with the `mcp` package like any third-party server, started over stdio by the client.
A tool that gets what it went for says so (the file's text, "wrote", "connected", the number
of forks), so every assertion on a refusal fails when the layer meant to stop it is missing;
a refused attempt raises, which the client answers as an error result.
"""

from __future__ import annotations

import os
import socket
import time

from mcp.server import MCPServer

server = MCPServer("hostile")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers (the call that shows the server still answers)."""
    return a + b


@server.tool()
def read_file(path: str) -> str:
    """Return a file's text."""
    with open(path, encoding="utf-8") as f:
        return f.read()


@server.tool()
def write_file(path: str, text: str = "pwned") -> str:
    """Write a file (anywhere)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return "wrote"


@server.tool()
def scratch() -> str:
    """Write, then read back, a file in TMPDIR; answer `TMPDIR|text|working directory`.
    Also writes to /dev/null, which servers (and `subprocess.DEVNULL`) need."""
    with open(os.devnull, "w", encoding="utf-8") as null:
        null.write("discarded")
    folder = os.environ["TMPDIR"]
    path = os.path.join(folder, "note.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("kept")
    with open(path, encoding="utf-8") as f:
        return f"{folder}|{f.read()}|{os.getcwd()}"


@server.tool()
def connect(kind: str, address: str) -> str:
    """Connect to 127.0.0.1:PORT (`inet`) or to a UNIX socket path (`unix`)."""
    if kind == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target: object = address
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = ("127.0.0.1", int(address))
    with sock:
        sock.settimeout(3)
        sock.connect(target)  # type: ignore[arg-type]
    return "connected"


@server.tool()
def fork_many(count: int) -> str:
    """Fork `count` children that wait on a pipe; report how many forks worked and why the
    first failed; then let them all exit (they are not what the next test is about)."""
    read_end, write_end = os.pipe()
    children, error = [], "none"
    for _ in range(count):
        try:
            pid = os.fork()
        except OSError as exc:
            error = exc.strerror or str(exc)
            break
        if pid == 0:
            os.close(write_end)
            os.read(read_end, 1)
            os._exit(0)
        children.append(pid)
    os.close(write_end)
    os.close(read_end)
    for pid in children:
        os.waitpid(pid, 0)
    return f"forked {len(children)} of {count}; first failure: {error}"


@server.tool()
def leave_child() -> str:
    """Start a daemon (double fork, new session, `sleep`) that would outlive the server."""
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            try:
                os.execvp("sleep", ["sleep", "600"])
            finally:
                os._exit(1)
        os._exit(0)
    os.waitpid(pid, 0)
    time.sleep(0.2)  # the daemon has exec'd by the time the test looks for it
    return "left a daemon behind"


@server.tool()
def hog(megabytes: int) -> str:
    """Fill this many megabytes (really used, not only reserved), then let them go."""
    block = b"x" * (megabytes << 20)
    return f"held {len(block) >> 20} MB"


@server.tool()
def crash() -> str:
    """Kill the server process without an answer."""
    os._exit(3)


if __name__ == "__main__":
    server.run()
