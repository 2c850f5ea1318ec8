"""Stdio MCP servers under the sandbox's layers, against a hostile server (real processes).

`tests/helpers/mcp_hostile_server.py` is written with the `mcp` package; its tools try to read a key
planted in a fake home folder (HOME points at it), write outside the scratch folder, connect
to sockets the test listens on, fork hundreds of processes, fill memory past `memory_mb` and
leave a daemon behind. Each attempt must be refused or contained, the call must answer (an
error result, not a hang: every call is bounded by the entry's timeout), the other tools must
keep working, and no planted file may change (an autouse fixture hashes them around every
test). What the entry declares under `files` must become usable, and nothing else.

The suite runs under Landlock with a pid namespace and, where the kernel has mount
namespaces, under the fallbacks: a mount namespace, a subreaper and rlimits instead of a
cgroup, so both ways the launcher contains a server are exercised.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.sandbox_checks import listening, processes_with, tree_hashes
from tools import ErrorKind, Registry, ToolResult
from tools.mcp import McpConfig, McpToolset, run_calls
from tools.sandbox import Mechanisms, cgroups, landlock, mountns
from tools.sandbox.confinement import probe_in_child

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox")

SERVER = Path(__file__).resolve().parents[1] / "helpers" / "mcp_hostile_server.py"
SECRET = "SECRET-mcp-7c1e9a"
BOUND_S = 20.0  # the entry's call timeout, and how long the test waits for processes to go
SETTINGS = [
    pytest.param({"MOSS_SANDBOX_FILESYSTEM": "landlock"}, id="landlock",
                 marks=pytest.mark.skipif(landlock.abi_version() < 1, reason="no Landlock")),
    pytest.param({"MOSS_SANDBOX_FILESYSTEM": "mountns", "MOSS_SANDBOX_PROCESSES": "subreaper",
                  "MOSS_SANDBOX_LIMITS": "rlimit"}, id="mountns-subreaper-rlimit",
                 marks=pytest.mark.skipif(not mountns.probe(), reason="no mount namespaces")),
]


class World:
    """The user's files, planted in temporary folders: a home with a key, a project, a
    folder the server's entry grants read access to and one it grants write access to."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.key = self.home / ".ssh" / "id_rsa"
        self.settings = self.home / ".config" / "hostile.toml"  # declared as ~/.config/...
        self.project = root / "project"
        self.notes = self.project / "notes.txt"
        self.granted = root / "granted"
        self.shared = self.granted / "shared.txt"
        self.outbox = root / "outbox"
        self.workdir = root / "workdir"  # the entry's cwd
        self.key.parent.mkdir(parents=True)
        self.key.write_text(f"-----BEGIN KEY----- {SECRET}\n")
        self.settings.parent.mkdir()
        self.settings.write_text("colour = 'green'\n")
        self.project.mkdir()
        self.notes.write_text("my notes\n")
        self.granted.mkdir()
        self.shared.write_text("shared with the server\n")
        self.outbox.mkdir()
        self.workdir.mkdir()

    def snapshot(self) -> dict[str, str]:
        """Path -> content hash (or "dir") of everything the server must not change."""
        return tree_hashes(self.home, self.project, self.granted)


@dataclass
class Server:
    """A running toolset with the hostile server, and the token its processes carry."""

    toolset: McpToolset
    registry: Registry
    token: str

    def call(self, tool: str, *args: str) -> ToolResult:
        return run_calls(self.registry, lambda: None, [(tool, args)])[0]  # type: ignore[arg-type,return-value]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    planted = World(tmp_path_factory.mktemp("world"))
    patch = pytest.MonkeyPatch()
    patch.setenv("HOME", str(planted.home))
    yield planted
    patch.undo()


@pytest.fixture(scope="module", params=SETTINGS)
def mechanisms(request: pytest.FixtureRequest, world: World) -> Iterator[Mechanisms]:
    """The sandbox pinned to one set of mechanisms for the module's servers."""
    patch = pytest.MonkeyPatch()
    for name, value in request.param.items():
        patch.setenv(name, value)
    yield probe_in_child()
    patch.undo()


def start(world: World, **options: object) -> Server:
    token = uuid.uuid4().hex
    entry = {"command": sys.executable, "args": [str(SERVER)], "env": {"MOSS_TEST_TOKEN": token},
             "timeout": BOUND_S, "cwd": str(world.workdir),
             "files": {"read": [str(world.granted), "~/.config/hostile.toml"],
                       "write": [str(world.outbox)]}, **options}
    registry = Registry()
    toolset = McpToolset(McpConfig.from_dict({"mcpServers": {"hostile": entry}}))
    toolset.register(registry)
    assert toolset.ready, toolset.statuses()
    return Server(toolset, registry, token)


@pytest.fixture(scope="module")
def server(mechanisms: Mechanisms, world: World) -> Iterator[Server]:
    running = start(world)
    yield running
    running.toolset.close()
    assert wait_until(lambda: not processes_with_token(running.token))


@pytest.fixture(autouse=True)
def nothing_planted_changes(world: World) -> Iterator[None]:
    before = world.snapshot()
    yield
    assert world.snapshot() == before


def processes_with_token(token: str) -> list[int]:
    """Live processes carrying the server's token (the launcher, the server, all it started)."""
    return processes_with(token, "MOSS_TEST_TOKEN")


def sleepers(token: str) -> list[int]:
    """The daemons `leave_child` started (they exec `sleep`)."""
    found = []
    for pid in processes_with_token(token):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0] == b"sleep":
                found.append(pid)
        except OSError:
            pass
    return found


def wait_until(condition: Callable[[], bool], timeout: float = BOUND_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def our_groups() -> list[str]:
    """This process's confinement cgroups that exist now."""
    found = []
    for parent in probe_in_child().cgroup_parents:
        try:
            found += [name for name in os.listdir(parent)
                      if name.startswith(f"moss-{os.getpid()}-confined-")]
        except OSError:
            pass
    return found


def failed(result: ToolResult, *kinds: ErrorKind) -> str:
    """The message of a failed call of one of `kinds`; fails the test when the attack worked."""
    assert not result.ok, f"the hostile tool succeeded: {result.items}"
    assert result.error is not None and result.error.kind in kinds, result.error
    assert SECRET not in result.error.message
    return result.error.message


def answers(server: Server) -> None:
    assert server.call("add", "2", "3").render_body() == " 5"


def test_a_key_in_the_home_folder_cannot_be_read(server: Server, world: World) -> None:
    failed(server.call("read_file", str(world.key)), ErrorKind.EXCEPTION)
    failed(server.call("read_file", str(world.notes)), ErrorKind.EXCEPTION)
    answers(server)


def test_declared_files_are_readable(server: Server, world: World) -> None:
    assert server.call("read_file", str(world.shared)).render_body() == " shared with the server"
    # a file declared under ~ is found in the (fake) home; the rest of the home stays closed
    assert server.call("read_file", str(world.settings)).render_body() == " colour = 'green'"
    failed(server.call("read_file", str(world.key)), ErrorKind.EXCEPTION)


@pytest.mark.parametrize("target", ["new_in_home", "key", "notes", "granted", "new_in_tmp"])
def test_nothing_is_written_outside_the_scratch_and_declared_folders(
    server: Server, world: World, target: str
) -> None:
    path = {"new_in_home": world.home / "planted", "key": world.key, "notes": world.notes,
            "granted": world.shared,  # declared readable, not writable
            "new_in_tmp": Path("/tmp") / f"moss-mcp-hostile-{os.getpid()}"}[target]
    failed(server.call("write_file", str(path)), ErrorKind.EXCEPTION)
    assert not path.exists() or "pwned" not in path.read_text(errors="replace")
    answers(server)


def test_the_scratch_folder_and_the_declared_write_folder_are_writable(
    server: Server, world: World
) -> None:
    folder, text, cwd = server.call("scratch").render_body().strip().split("|")
    assert text == "kept" and folder.startswith(os.path.join(os.path.realpath("/tmp"), "moss-"))
    assert cwd == os.path.realpath(world.workdir)  # its entry's cwd, as without the sandbox
    target = world.outbox / "report.txt"
    try:
        assert server.call("write_file", str(target), "done").render_body() == " wrote"
        assert target.read_text() == "done"
    finally:
        target.unlink(missing_ok=True)


@pytest.mark.parametrize("kind", ["inet", "unix"])
def test_sockets_are_refused(server: Server, tmp_path: Path, kind: str) -> None:
    with listening(kind, tmp_path) as address:
        failed(server.call("connect", kind, address), ErrorKind.EXCEPTION)
    answers(server)


def test_forking_hundreds_of_processes_is_refused(server: Server, mechanisms: Mechanisms) -> None:
    if mechanisms.limits == cgroups.RLIMIT and os.getuid() == 0:
        pytest.skip("no pids cgroup and RLIMIT_NPROC does not bind root: nothing bounds it here")
    answer = server.call("fork_many", "500").render_body()
    forked = int(answer.split()[1])
    assert forked < 64 and "Resource temporarily unavailable" in answer, answer
    answers(server)


def test_a_daemon_dies_with_the_server_that_left_it(mechanisms: Mechanisms, world: World) -> None:
    others = set(our_groups())  # the module's server's
    running = start(world)
    try:
        folder = running.call("scratch").render_body().strip().split("|")[0]
        groups = set(our_groups()) - others
        assert running.call("leave_child").render_body() == " left a daemon behind"
        assert len(sleepers(running.token)) == 1
        crashed = running.call("crash")
        assert crashed.error is not None and crashed.error.kind is ErrorKind.CRASHED
        assert wait_until(lambda: not sleepers(running.token)), "the daemon outlived its server"
        assert wait_until(lambda: not os.path.exists(folder)), "the scratch folder was left"
        answers(running)  # restarted once, in a fresh confinement
        assert wait_until(lambda: not groups & set(our_groups())), "its cgroup was left"
    finally:
        running.toolset.close()


def test_closing_the_toolset_ends_every_process_it_started(mechanisms: Mechanisms,
                                                           world: World) -> None:
    others = set(our_groups())
    running = start(world)
    folder = running.call("scratch").render_body().strip().split("|")[0]
    assert running.call("leave_child").render_body() == " left a daemon behind"
    assert len(processes_with_token(running.token)) >= 2  # the server and its daemon
    running.toolset.close()
    assert wait_until(lambda: not processes_with_token(running.token))
    assert not os.path.exists(folder)
    assert set(our_groups()) <= others


def test_memory_over_memory_mb_is_refused_and_the_server_answers_again(
    mechanisms: Mechanisms, world: World
) -> None:
    running = start(world, memory_mb=200)
    try:
        assert running.call("hog", "20").render_body() == " held 20 MB"
        result = running.call("hog", "400")
        if mechanisms.limits == cgroups.RLIMIT:  # RLIMIT_AS: MemoryError inside
            failed(result, ErrorKind.EXCEPTION)
        else:  # the kernel kills the server at the cgroup's limit; it is restarted
            message = failed(result, ErrorKind.CRASHED)
            assert "over its memory limit of 200 MB" in message, message
        answers(running)
    finally:
        running.toolset.close()


def test_tools_list_shows_what_the_server_may_touch(world: World, tmp_path: Path) -> None:
    config = tmp_path / "mcp.json"
    entry = {"command": sys.executable, "args": [str(SERVER)],
             "files": {"read": [str(world.granted)], "write": [str(world.outbox)]}}
    config.write_text(json.dumps({"mcpServers": {"hostile": entry}}))
    listed = subprocess.run([sys.executable, "-m", "agent", "tools", "list", "--json",
                             "--mcp-config", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    payload = json.loads(listed.stdout)
    (status,) = payload["mcp_servers"]
    assert str(SERVER.parent) in status["files"]["read"]  # its script's folder
    assert str(world.granted) in status["files"]["read"]
    assert status["files"]["write"] == [str(world.outbox)]
    rows = {row["name"]: row for row in payload["tools"]}
    assert rows["read_file"]["files"] == status["files"]
    assert not any(str(world.home) == p or p.startswith(str(world.home) + "/")
                   for kind in status["files"].values() for p in kind)
