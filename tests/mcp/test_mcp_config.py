"""The MCP configuration: the `mcpServers` format, where it is found, and bad files.

A bad file is one clear line naming it, from the library and from every command that takes
--mcp-config; nothing else breaks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent import Agent
from agent.backends.scripted import ScriptedBackend
from agent.errors import ConfigurationError
from tools.mcp import HttpServer, McpConfig, McpConfigError, StdioServer, find_config, resolve


def write(path: Path, data: object) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_stdio_and_http_entries_with_their_options() -> None:
    config = McpConfig.from_dict({"mcpServers": {
        "weather": {"command": "python", "args": ["w.py"], "env": {"K": "v"}, "network": True,
                    "timeout": 5, "autoApprove": ["x"]},
        "files": {"type": "http", "url": "http://127.0.0.1:9000/mcp", "headers": {"A": "b"}},
        "off": {"command": "x", "disabled": True},
    }})
    weather, files = config.servers["weather"], config.servers["files"]
    assert isinstance(weather, StdioServer) and weather.args == ["w.py"] and weather.network
    assert weather.timeout == 5 and weather.env == {"K": "v"}
    assert isinstance(files, HttpServer) and files.headers == {"A": "b"} and not files.disabled
    assert list(config.enabled) == ["weather", "files"]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"servers": {}}, 'an "mcpServers" object'),
        ({"mcpServers": {"a": {}}}, "needs \"command\""),
        ({"mcpServers": {"a": {"command": "x", "url": "http://h/mcp"}}}, "has both"),
        ({"mcpServers": {"a": {"url": "http://h/sse", "type": "sse"}}}, "SSE servers are not supported"),
        ({"mcpServers": {"a": {"command": 3}}}, "server 'a': command: Input should be a valid string"),
        ({"mcpServers": {"a": {"command": "x", "timeout": -1}}}, "server 'a': timeout:"),
        ({"mcpServers": {"a": {"url": "ftp://h"}}}, "server 'a': url:"),
        ({"mcpServers": {"bad name!": {"command": "x"}}}, "a server name is letters"),
        ({"mcpServers": {"a": {"command": "x", "files": {"read": ["data"]}}}},
         "server 'a': files.read: 'data' must be absolute or start with ~"),
        ({"mcpServers": {"a": {"command": "x", "files": {"wirte": ["/out"]}}}},
         "server 'a': files: unknown kind 'wirte'; use read, write and execute"),
        ({"mcpServers": {"a": {"command": "x", "files": {"read": "/data"}}}},
         "server 'a': files.read: give a list of paths, not one string"),
        ({"mcpServers": {"a": {"command": "x", "files": ["/data"]}}},
         'server \'a\': files: give an object such as {"read"'),
    ],
)
def test_each_mistake_is_one_line_naming_the_file_and_server(
    tmp_path: Path, document: object, expected: str
) -> None:
    path = write(tmp_path / "mcp.json", document)
    with pytest.raises(McpConfigError) as raised:
        McpConfig.from_file(path)
    message = str(raised.value)
    assert message.startswith(str(path)) and expected in message and "\n" not in message


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "mcp.json", '{"mcpServers": {\n  "a": {"command": "x",}\n}}')
    with pytest.raises(McpConfigError, match=r"not valid JSON \(line 2"):
        McpConfig.from_file(path)


def test_explicit_path_wins_over_environment_over_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("MOSS_AGENT_MCP_CONFIG", raising=False)
    assert find_config() is None  # nothing anywhere: no MCP, no error
    user = tmp_path / "config" / "moss-agent" / "mcp.json"
    user.parent.mkdir(parents=True)
    write(user, {"mcpServers": {"user": {"command": "x"}}})
    env = write(tmp_path / "env.json", {"mcpServers": {"env": {"command": "x"}}})
    explicit = write(tmp_path / "explicit.json", {"mcpServers": {"explicit": {"command": "x"}}})
    assert list(find_config().servers) == ["user"]  # type: ignore[union-attr]
    monkeypatch.setenv("MOSS_AGENT_MCP_CONFIG", str(env))
    assert list(find_config().servers) == ["env"]  # type: ignore[union-attr]
    assert list(find_config(explicit).servers) == ["explicit"]  # type: ignore[union-attr]
    assert resolve(False) is None
    assert list(resolve({"mcpServers": {"d": {"command": "x"}}}).servers) == ["d"]  # type: ignore[union-attr]


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSS_AGENT_MCP_CONFIG", str(tmp_path / "gone.json"))
    with pytest.raises(McpConfigError, match="no such MCP configuration file"):
        find_config()


def test_agent_reports_a_bad_file_as_a_configuration_error(tmp_path: Path) -> None:
    path = write(tmp_path / "mcp.json", "{")
    with pytest.raises(ConfigurationError, match="mcp.json: not valid JSON"):
        Agent(ScriptedBackend([]), mcp_config=path)


def test_an_agent_without_mcp_configuration_starts_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("MOSS_AGENT_MCP_CONFIG", raising=False)
    agent = Agent(ScriptedBackend([]))
    assert agent._mcp is None and "mcp:" not in " ".join(e.source for e in agent.registry.entries())


@pytest.mark.parametrize("command", [["tools", "list"], ["call", 'Calculate("1+1")'], ["ask", "hi", "--no-log"]])
def test_cli_prints_one_error_line_for_a_malformed_file(tmp_path: Path, command: list[str]) -> None:
    path = write(tmp_path / "broken.json", '{"mcpServers": ')
    env = dict(os.environ, COLUMNS="400")
    done = subprocess.run(
        [sys.executable, "-m", "agent", *command, "--mcp-config", str(path)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0] and "not valid JSON" in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_stdio_server_may_touch_its_own_files_and_what_it_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the sandbox grants a server from its entry: the command's installation, the
    folders of the scripts it names, its cwd and its declared files - never the home folder,
    even for a script or command that lies directly in it."""
    from tools.mcp.confine import server_files

    home = tmp_path / "home"
    weather = home / "servers" / "weather"
    weather.mkdir(parents=True)
    (weather / "server.py").write_text("")
    (home / "loose.py").write_text("")
    (home / "settings.toml").write_text("")
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)
    (home / "bin").mkdir()
    (home / "bin" / "tool").write_text("#!/bin/sh\n")
    (home / "bin" / "tool").chmod(0o755)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MOSS_AGENT_DATA", str(tmp_path / "data"))
    real = os.path.realpath

    def entry(**fields: object) -> StdioServer:
        server = McpConfig.from_dict({"mcpServers": {"s": fields}}).servers["s"]
        assert isinstance(server, StdioServer)
        return server

    files = server_files(entry(command=str(venv_bin / "python"),
                               args=["-u", str(weather / "server.py"), "--config=~/settings.toml",
                                     "--mode", "fast", str(home / "loose.py")],
                               cwd=str(weather), files={"read": ["~/notes"], "write": ["/out"]}))
    assert real(tmp_path / "venv") in files.execute  # the installation the interpreter is in
    assert real(os.path.dirname(os.path.dirname(real(sys.executable)))) in files.execute
    assert set(files.read) == {real(weather), real(home / "settings.toml"),
                               real(home / "loose.py"), "~/notes"}
    assert files.write == ("/out",)
    granted = [*files.read, *files.write, *files.execute]
    assert real(home) not in granted and str(tmp_path) not in granted and "/" not in granted

    in_home = server_files(entry(command=str(home / "bin" / "tool")))
    assert in_home.execute == (real(home / "bin"),)  # its folder, not the home above it
    assert server_files(entry(command="no-such-command-anywhere")) == server_files(entry(command="x"))
