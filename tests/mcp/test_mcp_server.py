"""`moss-agent mcp`, driven by the `mcp` package's own client over stdio and streamable HTTP.

The server is the real command in its own process; the client is the SDK's `Client`, as any
MCP host would use it. Every exchange runs under an anyio deadline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.helpers.mcp_helpers import free_port, http_server
from tools import Registry
from tools.mcp.server import positional

DEADLINE_S = 120


def run(body: Callable[[Client], Awaitable[Any]], server: Any) -> Any:
    """Connect to `server` (stdio parameters or a URL) and run `body`, within the deadline."""

    async def main() -> Any:
        with anyio.fail_after(DEADLINE_S):
            async with Client(server) as client:
                return await body(client)

    return anyio.run(main)


def stdio(env: dict[str, str] | None = None) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "agent", "mcp"], env=env)


def hostile(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


async def exercise(client: Client, marker: Path) -> dict[str, Any]:
    listed = await client.list_tools()
    power = await client.call_tool("Calculate", {"expression": "2^10"})
    evil = await client.call_tool("Calculate", {"expression": hostile(marker)})
    solve = await client.call_tool("Solve", {"equation": "x+y=30;x-y=8"})
    missing = await client.call_tool("Calculate", {})
    unknown = await client.call_tool("Nope", {"x": 1})
    return {"tools": {t.name: t for t in listed.tools}, "power": power, "evil": evil,
            "solve": solve, "missing": missing, "unknown": unknown}


def check(seen: dict[str, Any], marker: Path) -> None:
    tools = seen["tools"]
    assert {"Calculate", "Solve"} <= set(tools)
    assert tools["Calculate"].description.startswith("Evaluate an arithmetic expression")
    assert tools["Calculate"].input_schema["required"] == ["expression"]
    assert tools["Calculate"].input_schema["properties"]["expression"]["type"] == "string"
    assert not seen["power"].is_error and seen["power"].content[0].text == "1024"
    assert seen["evil"].is_error and "not allowed" in seen["evil"].content[0].text
    assert not marker.exists()  # refused before anything ran
    assert seen["solve"].content[0].text == "x = 19\ny = 11"
    assert seen["missing"].is_error and "Calculate: 1st argument (expression): Field required" in seen["missing"].content[0].text
    assert seen["unknown"].is_error and "no tool named 'Nope'" in seen["unknown"].content[0].text


@pytest.fixture
def no_search(tmp_path: Path) -> dict[str, str]:
    """An environment where Search has neither an index nor a server, so it is not offered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOSS_AGENT_SEARCH")}
    env.pop("MOSS_AGENT_SEARXNG_URL", None)
    env["MOSS_AGENT_DATA"] = str(tmp_path / "data")
    return env


def test_stdio(tmp_path: Path, no_search: dict[str, str]) -> None:
    marker = tmp_path / "pwned"
    seen = run(lambda c: exercise(c, marker), stdio(no_search))
    check(seen, marker)
    assert "Search" not in seen["tools"]


def test_stdio_serves_search_when_it_has_an_index(tmp_path: Path, no_search: dict[str, str]) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("The lighthouse keeper of Skerry Point is named Ingrid Vale.\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "agent", "index", "add", str(notes)], env=no_search,
                   check=True, capture_output=True, timeout=120)

    async def body(client: Client) -> Any:
        listed = await client.list_tools()
        return [t.name for t in listed.tools], await client.call_tool("Search", {"query": "lighthouse keeper"})

    names, found = run(body, stdio(no_search))
    assert "Search" in names
    assert not found.is_error and "Ingrid Vale" in found.content[0].text


def test_http_with_fifty_concurrent_calls(tmp_path: Path, no_search: dict[str, str]) -> None:
    marker = tmp_path / "pwned"
    port = free_port()
    command = [sys.executable, "-m", "agent", "mcp", "--http", "--port", str(port)]

    async def body(client: Client) -> tuple[dict[str, Any], list[tuple[int, str, bool]]]:
        seen = await exercise(client, marker)
        answers: list[tuple[int, str, bool]] = []

        async def one(i: int) -> None:
            result = await client.call_tool("Calculate", {"expression": f"{i}*3"})
            answers.append((i, result.content[0].text, result.is_error))

        async with anyio.create_task_group() as group:
            for i in range(50):
                group.start_soon(one, i)
        return seen, answers

    with http_server(command, port, env=no_search) as url:
        seen, answers = run(body, url)
    check(seen, marker)
    assert sorted(answers) == [(i, str(i * 3), False) for i in range(50)]


def test_arguments_map_onto_the_positional_call() -> None:
    solve = Registry.discover().get("Solve")
    assert positional(solve, {"equation": "2x=4"}) == ["2x=4"]
    assert positional(solve, {"equation": "2x=4", "arg2": "x"}) == ["2x=4", "x"]  # a second argument: more equations or the variable
    with pytest.raises(ValueError, match="Solve: 1st argument \\(equation\\): Field required"):
        positional(solve, {"arg2": "x"})
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        positional(solve, {"equation": "x=1", "colour": "red"})


def test_tools_option_limits_what_is_served(no_search: dict[str, str]) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "agent", "mcp", "--tools", "Solve"],
                                   env=no_search)

    async def body(client: Client) -> Any:
        listed = await client.list_tools()
        return [t.name for t in listed.tools], await client.call_tool("Calculate", {"expression": "1"})

    names, refused = run(body, params)
    assert names == ["Solve"] and refused.is_error
