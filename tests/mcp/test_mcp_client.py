"""MCP servers' tools as MOSS tools, against real server processes (no protocol mocks).

The test server (tests/helpers/mcp_test_server.py) is written with the `mcp` package and runs over
stdio, started and confined by the client, and over streamable HTTP on 127.0.0.1. Timeouts are
short (2 s) so that the calls that must time out do so quickly; every wait in these tests is
bounded by the client's own limits or a deadline here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agent import Agent
from agent.backends.scripted import ScriptedBackend
from tests.helpers.mcp_helpers import http_test_server, stdio_entry
from tools import Registry, SandboxPool, ToolResult
from tools.errors import McpWarning
from tools.mcp import McpConfig, McpTool, McpToolset, run_calls
from tools.result import ErrorKind
from tools.sandbox import isolation


def config(**servers: dict[str, object]) -> McpConfig:
    return McpConfig.from_dict({"mcpServers": servers})


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    registry = Registry.discover()
    toolset = McpToolset(config(test=stdio_entry(timeout=2, memory_mb=400)))
    toolset.register(registry)
    yield registry
    toolset.close()


@pytest.fixture(scope="module")
def pool(registry: Registry) -> Iterator[SandboxPool]:
    with SandboxPool(registry, workers=1) as pool:
        yield pool


def call(registry: Registry, pool: SandboxPool, tool: str, *args: str) -> ToolResult:
    return run_calls(registry, lambda: pool, [(tool, args)])[0]


def test_tools_are_listed_as_registry_entries(registry: Registry) -> None:
    entry = registry.entry("greet")
    assert isinstance(entry.tool, McpTool) and entry.source == "mcp:test" and entry.enabled
    assert entry.tool.signature == "greet(name, greeting)" and entry.tool.capability == "Test"
    assert entry.tool.description == "Greet someone; the greeting is optional."
    # the server's Calculate clashes with the built-in, which keeps its name
    assert registry.entry("Calculate").source == "moss-agent"
    assert registry.entry("test_Calculate").tool.signature == "test_Calculate(expression)"


@pytest.mark.parametrize(
    ("tool", "args", "body"),
    [
        ("echo", ("hello world",), " hello world"),
        ("add", ("2", "40"), " 42"),
        ("negate", ("yes",), " false"),
        ("greet", ("Ada",), " Hello, Ada!"),
        ("greet", ("Ada", "Hi"), " Hi, Ada!"),
        ("scale", ("1.5",), " 3.0"),
        ("forecast", ("Paris", "3"), ' {"city":"Paris","days":3,"sky":"clear"}'),
        ("test_Calculate", ("1+1",), " test server got 1+1"),
        ("shout", (), " shouted"),  # printed a megabyte on stderr, which is drained, not blocking
    ],
)
def test_calls_of_every_schema_kind(
    registry: Registry, pool: SandboxPool, tool: str, args: tuple[str, ...], body: str
) -> None:
    result = call(registry, pool, tool, *args)
    assert result.ok, result.error
    assert result.render_body() == body


@pytest.mark.parametrize(
    ("tool", "args", "kind", "reason"),
    [
        ("add", ("two", "2"), ErrorKind.INVALID_ARGS, "add: 1st argument (a): must be an integer like 3, got 'two'"),
        ("add", ("1",), ErrorKind.INVALID_ARGS, "add takes 2 arguments (a, b), got 1; write it as add(a, b)"),
        ("fail", ("why",), ErrorKind.EXCEPTION, "fail: Error executing tool fail"),
        ("slow", ("30",), ErrorKind.TIMEOUT, "slow did not answer within 2 s, so the call was cancelled"),
        ("big", ("1024",), ErrorKind.OUTPUT, "big returned 1048576 bytes, over the 65536-byte output limit"),
    ],  # memory over memory_mb: tests/mcp/test_mcp_confinement.py
)
def test_failures_answer_no_result_with_the_reason(
    registry: Registry, pool: SandboxPool, tool: str, args: tuple[str, ...], kind: ErrorKind, reason: str
) -> None:
    result = call(registry, pool, tool, *args)
    assert not result.ok and result.render_body().startswith(" No result.")
    assert result.error is not None and result.error.kind is kind
    assert result.error.message.startswith(reason)


def test_the_server_stays_usable_after_timeouts_and_errors(registry: Registry, pool: SandboxPool) -> None:
    assert call(registry, pool, "slow", "30").error is not None
    assert call(registry, pool, "hog", "10").render_body() == " allocated 10 MB"
    assert call(registry, pool, "add", "1", "1").render_body() == " 2"


def test_mcp_and_sandboxed_calls_of_one_segment_keep_their_order(registry: Registry, pool: SandboxPool) -> None:
    calls = [("add", ("1", "2")), ("Calculate", ("2^10",)), ("nosuch", ("x",)), ("echo", ("e",))]
    results = run_calls(registry, lambda: pool, calls)
    assert [r.render_body() for r in results if r.ok] == [" 3", " 1024", " e"]
    assert [r.ok for r in results] == [True, True, False, True]
    assert results[2].error is not None and results[2].error.kind is ErrorKind.UNKNOWN_TOOL


@pytest.mark.skipif(isolation.probe() == isolation.NONE, reason="no network isolation on this machine")
def test_a_stdio_server_has_no_network_unless_configured(registry: Registry, pool: SandboxPool) -> None:
    assert call(registry, pool, "netcheck").render_body().startswith(" blocked:")
    assert not registry.get("netcheck").needs_network()


def test_a_server_that_dies_is_restarted_once_then_unavailable() -> None:
    registry = Registry()
    with McpToolset(config(test=stdio_entry(), other=stdio_entry())) as toolset:
        toolset.register(registry)
        first = call(registry, None, "crash")  # type: ignore[arg-type]
        assert first.error is not None and first.error.kind is ErrorKind.CRASHED
        assert "MCP server 'test' exited during the call (stderr: crashing on purpose)" in first.error.message
        assert first.error.message.endswith("it is being restarted")
        assert call(registry, None, "add", "2", "2").render_body() == " 4"  # type: ignore[arg-type]
        second = call(registry, None, "crash")  # type: ignore[arg-type]
        assert second.error is not None and "it stopped twice" in second.error.message
        after = call(registry, None, "add", "2", "2")  # type: ignore[arg-type]
        assert after.error is not None and after.error.kind is ErrorKind.CRASHED
        assert "MCP server 'test' is unavailable" in after.error.message
        assert registry.get("add").unavailable_reason() is not None
        assert not registry.get("add").is_available()
        # the other server's tools keep working
        assert call(registry, None, "other_add", "1", "1").render_body() == " 2"  # type: ignore[arg-type]
        assert registry.get("other_add").is_available()


def test_servers_that_cannot_start_say_why_and_the_rest_work() -> None:
    registry = Registry()
    servers = config(
        ok=stdio_entry(),
        broken=stdio_entry("--fail-start"),
        missing={"command": "no-such-mcp-server-command"},
        noisy=stdio_entry("--garbage"),
    )
    with McpToolset(servers) as toolset:
        with pytest.warns(McpWarning) as caught:
            toolset.register(registry)
        messages = [str(w.message) for w in caught]
        assert any(
            "MCP server 'broken' is unavailable" in m and "TEST_API_KEY is not set" in m for m in messages
        )
        assert any("'no-such-mcp-server-command': command not found" in m for m in messages)
        assert any("MCP server 'noisy' wrote text to stdout that is not an MCP message" in m for m in messages)
        states = {s.name: s.state for s in toolset.statuses()}
        assert states == {"ok": "ready", "broken": "unavailable", "missing": "unavailable", "noisy": "ready"}
        assert call(registry, None, "add", "1", "2").render_body() == " 3"  # type: ignore[arg-type]
        assert call(registry, None, "noisy_add", "1", "2").render_body() == " 3"  # type: ignore[arg-type]


def test_a_server_that_never_answers_fails_within_its_start_up_bound(tmp_path: Path) -> None:
    sleeper = {"command": sys.executable, "args": ["-c", "import time; time.sleep(60)"], "startup_timeout": 1}
    with McpToolset(config(sleeper=sleeper)) as toolset:
        with pytest.warns(McpWarning, match="did not start and list its tools within 1 s"):
            toolset.register(Registry())


def test_streamable_http_server(tmp_path: Path) -> None:
    registry = Registry()
    with http_test_server() as url:
        entry = {"url": url, "headers": {"X-Test": "yes"}, "timeout": 2}
        path = tmp_path / "mcp.json"
        path.write_text(json.dumps({"mcpServers": {"web": entry}}))
        called = subprocess.run(
            [sys.executable, "-m", "agent", "call", 'add("1", "2"), slow("30")', "--mcp-config", str(path)],
            capture_output=True, text=True, timeout=120,
        )
        assert called.stdout.startswith('add("1", "2") => 3\nslow("30") => No result.')
        assert 'slow("30"): timeout: slow did not answer within 2 s' in called.stderr
        with McpToolset(config(web=entry)) as toolset:
            toolset.register(registry)
            assert registry.entry("forecast").source == "mcp:web"
            assert registry.get("forecast").needs_network()
            assert call(registry, None, "forecast", "Oslo").render_body() == ' {"city":"Oslo","days":1,"sky":"clear"}'  # type: ignore[arg-type]
            slow = call(registry, None, "slow", "30")  # type: ignore[arg-type]
            assert slow.error is not None and slow.error.kind is ErrorKind.TIMEOUT
            fail = call(registry, None, "fail", "x")  # type: ignore[arg-type]
            assert fail.error is not None and fail.error.kind is ErrorKind.EXCEPTION
            calls = [("add", (str(i), "1000")) for i in range(50)]
            results = run_calls(registry, lambda: None, calls)  # type: ignore[arg-type,return-value]
            assert [r.render_body() for r in results] == [f" {i + 1000}" for i in range(50)]
            crash = call(registry, None, "crash")  # type: ignore[arg-type]
            assert crash.error is not None and crash.error.kind is ErrorKind.CRASHED
            assert "MCP server 'web' closed the connection during the call" in crash.error.message
            after = call(registry, None, "add", "1", "1")  # type: ignore[arg-type]
            assert after.error is not None and "MCP server 'web' is unavailable" in after.error.message


def test_agent_turn_with_stdio_and_http_tools(tmp_path: Path) -> None:
    script = [
        " The user wants a forecast and a sum.<eot>",
        ' forecast("Paris", "2"), web_add("2", "3"), Calculate("2^10")<eoc>',
        " Clear skies; 5; 1024.<eom>",
    ]
    with http_test_server() as url:
        path = tmp_path / "mcp.json"
        path.write_text(json.dumps({"mcpServers": {"test": stdio_entry(), "web": {"url": url}}}))
        with Agent(ScriptedBackend(script), mcp_config=path) as agent:
            names = [t.name for t in agent.tools]
            assert {"Calculate", "forecast", "web_forecast", "web_add"} <= set(names)
            assert "- Test: enabled. API: forecast(city, days)\n" in agent.meta_instruction
            turn = agent.run("What is the weather in Paris, 2+3 and 2^10?")
        assert [c.tool for c in turn.calls] == ["forecast", "web_add", "Calculate"]
        assert [r.render_body() for r in turn.results] == [' {"city":"Paris","days":2,"sky":"clear"}', " 5", " 1024"]
        assert turn.reply.strip() == "Clear skies; 5; 1024."


def test_agent_names_an_mcp_tool_in_tools(tmp_path: Path) -> None:
    script = [" Sum.<eot>", ' add("2", "3")<eoc>', " 5.<eom>"]
    with Agent(ScriptedBackend(script), tools=["add"], mcp_config={"mcpServers": {"test": stdio_entry()}}) as agent:
        assert [t.name for t in agent.tools] == ["add"]
        assert [r.render_body() for r in agent.run("2+3?").results] == [" 5"]


def test_moss_agent_call_and_tools_list(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"test": stdio_entry(timeout=2)}}))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "agent", *args, "--mcp-config", str(path)],
                              capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(2) as both:
        called, listed = both.map(lambda a: run(*a), [("call", 'add("2", "3"), Calculate("2^10"), slow("30")'),
                                                       ("tools", "list")])
    assert called.stdout.startswith('add("2", "3") => 5\nCalculate("2^10") => 1024\nslow("30") => No result.')
    assert 'slow("30"): timeout: slow did not answer within 2 s' in called.stderr
    assert called.returncode == 1
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines() if line.strip()}
    assert rows["forecast"][:4] == ["forecast", "Test", "forecast(city,", "days)"]
    assert "mcp:test" in rows["forecast"] and rows["Calculate"][3] == "moss-agent"
    assert "test_Calculate" in rows and listed.returncode == 0


def test_tool_lists_are_kept_for_the_process_and_servers_start_on_the_first_call() -> None:
    entry = stdio_entry(timeout=3)  # an entry no other test uses
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a well-behaved server causes no warning
        with McpToolset(config(test=entry)) as first:
            assert len(first.register(Registry())) > 10 and first.ready
    registry = Registry()
    with McpToolset(config(test=entry)) as second:
        assert len(second.register(registry)) > 10
        assert not second.ready  # listed from the first toolset's tools: nothing started yet
        assert call(registry, None, "add", "1", "2").render_body() == " 3"  # type: ignore[arg-type]
        assert second.ready
