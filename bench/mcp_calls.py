"""MCP call latency, both ways, next to the sandbox's.

    .venv/bin/python bench/mcp_calls.py [--calls 300]

Prints p50/p95 of one trivial call
  - to MCP stdio servers through the client (`McpToolset` + `run_calls`, as the agent calls):
    a minimal SDK server, and `moss-agent mcp` itself,
  - to a built-in-style tool through the warm sandbox pool (`SandboxPool.run`),
  - Calculate("1+1") through the sandbox pool, and
  - Calculate through `moss-agent mcp` from the `mcp` package's own client, over stdio and
    over streamable HTTP;
and the time to start each (server process + handshake + tool list, or pool warm-up). With
`--starts N`, each stdio server is also started N more times (`McpToolset.start()`: launcher,
confinement, server process, handshake, tool list) and closed again, and the median, lowest
and highest start-up are printed: the cost of starting a server confined.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file is named mcp.py, so its folder (first on sys.path) would shadow the `mcp` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import anyio  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

sys.path.append(str(HERE))
from _bench_tools import echo  # noqa: E402

from tools import Registry, SandboxPool  # noqa: E402
from tools.mcp import McpConfig, McpToolset, run_calls  # noqa: E402


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(label: str, samples: list[float], startup_s: float | None = None) -> None:
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    start = f"; start-up {startup_s * 1000:.0f} ms" if startup_s is not None else ""
    print(f"{label:<58} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms{start}")


def timed(call, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(min(20, n)):
        call()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return samples


def startups(config: McpConfig, times: int) -> list[float]:
    """Seconds to start (and list) the configuration's servers, `times` fresh starts."""
    samples = []
    for _ in range(times):
        toolset = McpToolset(config)
        t0 = time.perf_counter()
        toolset.start()
        samples.append(time.perf_counter() - t0)
        assert toolset.ready, toolset.statuses()
        toolset.close()
    return samples


def client_side(n: int, starts: int) -> None:
    servers = {
        # -P: the script's folder holds this mcp.py, which must not shadow the SDK there either
        "bench": ({"command": sys.executable, "args": ["-P", str(HERE / "_bench_mcp_server.py")]},
                  "echo", ("hi",), "MCP stdio server (SDK MCPServer), echo"),
        "moss": ({"command": sys.executable, "args": ["-m", "agent", "mcp"]},
                 "Calculate", ("1+1",), "moss-agent mcp (stdio), Calculate(\"1+1\")"),
    }
    for name, (entry, tool, args, label) in servers.items():
        registry = Registry()
        config = McpConfig.from_dict({"mcpServers": {name: entry}})
        t0 = time.perf_counter()
        with McpToolset(config) as toolset:
            toolset.register(registry)
            startup = time.perf_counter() - t0

            def one() -> None:
                result = run_calls(registry, lambda: None, [(tool, args)])[0]  # type: ignore[arg-type,return-value]
                assert result.ok, result.error

            report(f"{label} via McpToolset", timed(one, n), startup)
        if starts:
            again = sorted(startups(config, starts))
            print(f"{'  start-up, ' + str(starts) + ' fresh starts':<58} median "
                  f"{percentile(again, 0.5) * 1000:.0f} ms  (lowest {again[0] * 1000:.0f}, "
                  f"highest {again[-1] * 1000:.0f})")


def sandbox_side(n: int) -> None:
    registry = Registry.discover()
    registry.add(echo)
    t0 = time.perf_counter()
    with SandboxPool(registry, workers=2) as pool:
        pool.warm()
        startup = time.perf_counter() - t0
        report("sandbox pool, Echo (trivial tool)", timed(lambda: pool.run("Echo", ("hi",)), n), startup)
        report("sandbox pool, Calculate(\"1+1\")", timed(lambda: pool.run("Calculate", ("1+1",)), n))


async def drive(server: object, n: int) -> tuple[list[float], float]:
    t0 = time.perf_counter()
    async with Client(server) as client:  # type: ignore[arg-type]
        await client.list_tools()
        startup = time.perf_counter() - t0
        for _ in range(min(20, n)):
            await client.call_tool("Calculate", {"expression": "1+1"})
        samples = []
        for _ in range(n):
            t1 = time.perf_counter()
            result = await client.call_tool("Calculate", {"expression": "1+1"})
            samples.append(time.perf_counter() - t1)
            assert not result.is_error, result.content
    return samples, startup


def server_side(n: int) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "agent", "mcp"])
    samples, startup = anyio.run(drive, params, n)
    report("moss-agent mcp (stdio), Calculate(\"1+1\") from mcp.Client", samples, startup)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "agent", "mcp", "--http", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("moss-agent mcp --http did not start") from None
                time.sleep(0.1)
        samples, _ = anyio.run(drive, f"http://127.0.0.1:{port}/mcp", n)
        report("moss-agent mcp (HTTP), Calculate(\"1+1\") from mcp.Client", samples)
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--starts", type=int, default=0,
                        help="also start each stdio server this many more times (start-up cost)")
    parser.add_argument("--client-only", action="store_true",
                        help="only the MCP client side (skip the sandbox pool and moss-agent mcp)")
    options = parser.parse_args()
    client_side(options.calls, options.starts)
    if options.client_only:
        return
    sandbox_side(options.calls)
    server_side(options.calls)


if __name__ == "__main__":
    main()
