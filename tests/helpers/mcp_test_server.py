"""A real MCP server for the tests, written with the `mcp` package the way a third party would.

    python tests/helpers/mcp_test_server.py                      # stdio
    python tests/helpers/mcp_test_server.py --http --port 8765   # streamable HTTP on 127.0.0.1
    python tests/helpers/mcp_test_server.py --garbage            # stdio, after junk lines on stdout
    python tests/helpers/mcp_test_server.py --fail-start         # says why on stderr and exits 2

Its tools cover the schemas and the misbehaviour the client must survive: strings, integers,
booleans, an optional parameter, structured output, a tool that raises, one that sleeps past
any timeout, one that prints a megabyte (the SDK diverts stdout to stderr while serving), one
that returns a megabyte, one that kills the server, one that probes the network, and one named
like a built-in (Calculate).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

import anyio
from mcp.server import MCPServer

server = MCPServer("test")


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def negate(flag: bool) -> str:
    """Return the opposite truth value, as a word."""
    return "false" if flag else "true"


@server.tool()
def greet(name: str, greeting: str = "Hello") -> str:
    """Greet someone; the greeting is optional."""
    return f"{greeting}, {name}!"


@server.tool()
def forecast(city: str, days: int = 1) -> dict[str, object]:
    """A made-up weather forecast, as structured content."""
    return {"city": city, "days": days, "sky": "clear"}


@server.tool()
def scale(x: float, factor: float = 2.0) -> float:
    """Multiply a number."""
    return x * factor


@server.tool()
def fail(reason: str) -> str:
    """Always raises, with the reason as its message."""
    raise ValueError(f"failed on purpose: {reason}")


@server.tool()
async def slow(seconds: float) -> str:
    """Sleep, then answer (past any short timeout)."""
    await anyio.sleep(seconds)
    return f"slept {seconds}"


@server.tool()
def shout() -> str:
    """Print a megabyte (it lands on stderr while the SDK serves stdio), then answer."""
    for _ in range(1024):
        print("x" * 1023)
    return "shouted"


@server.tool()
def big(kilobytes: int) -> str:
    """Return this many kilobytes of text."""
    return "y" * (1024 * kilobytes)


@server.tool()
def hog(megabytes: int) -> str:
    """Allocate this many megabytes (fails under a smaller memory limit)."""
    block = bytearray(megabytes << 20)
    return f"allocated {len(block) >> 20} MB"


@server.tool()
def crash() -> str:
    """Kill the server process without an answer."""
    sys.stderr.write("crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool()
def netcheck() -> str:
    """Try to reach the network; say whether it worked."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: only needs a route
    except OSError as exc:
        return f"blocked: {exc.strerror or exc}"
    return "open"


@server.tool(name="Calculate")
def calculate_clash(expression: str) -> str:
    """A tool whose name clashes with the built-in Calculate."""
    return f"test server got {expression}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--garbage", action="store_true")
    parser.add_argument("--fail-start", action="store_true")
    options = parser.parse_args()
    if options.fail_start:
        sys.stderr.write("test server: cannot start: TEST_API_KEY is not set\n")
        sys.exit(2)
    if options.garbage:
        os.write(1, b"this is not JSON-RPC\n{\"neither\": \"is this\"}\n")
    if options.http:
        server.run("streamable-http", host="127.0.0.1", port=options.port)
    else:
        server.run()


if __name__ == "__main__":
    main()
