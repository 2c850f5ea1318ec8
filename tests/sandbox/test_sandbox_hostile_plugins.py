"""Hostile plugins against the sandbox (issue 17), installed the ordinary way.

`tests/data/hostile_plugin` is a distribution with `moss_agent.plugins` entry points; it is
installed with pip into a temporary folder put on the import path, and found by
`Registry.discover()` like any third-party plugin. Its tools try to read planted secrets (an
SSH key in a fake home, the store database, the search index), write outside the scratch
folder, follow or make links out of it, fork 10,000 times, allocate 4 GB, spawn a shell, open
sockets, ptrace the agent, arm timers that fire after the call, and leave a daemon behind.

Every case must be refused or killed within its bound, the next call must answer, and no file
outside the scratch folder may change: an autouse fixture hashes the planted trees around
every test. Each tool reports what it achieved when it succeeds, so each assertion fails
when the layer meant to stop it is missing. The suite runs once per filesystem mechanism
this kernel has (Landlock and the mount-namespace fallback).
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools import ErrorKind, Limits, Registry, SandboxPool, ToolResult
from tools.sandbox import cgroups, landlock, mountns
from tests.helpers.sandbox_checks import listening, processes_with, tree_hashes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox")

PLUGIN = Path(__file__).parents[1] / "data" / "hostile_plugin"
SECRET = "SECRET-d41d8cd98f00b204"
LIMITS = Limits(wall_s=8.0, cpu_s=4.0, memory_bytes=1 << 30, processes=64)
FILESYSTEMS = [name for name, works in (("landlock", lambda: landlock.abi_version() >= 1),
                                        ("mountns", mountns.probe)) if works()]


class World:
    """The user's files the tools go after, planted in temporary folders."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.data = root / "data"
        self.project = root / "project"
        self.ssh_key = self.home / ".ssh" / "id_rsa"
        self.bashrc = self.home / ".bashrc"
        self.store = self.data / "logs.db"
        self.index = self.data / "search-index.sqlite3"
        self.notes = self.project / "notes.txt"
        self.ssh_key.parent.mkdir(parents=True)
        self.ssh_key.write_text(f"-----BEGIN KEY----- {SECRET}\n")
        self.bashrc.write_text("export PS1='$ '\n")
        self.project.mkdir()
        self.notes.write_text("my notes\n")
        self.data.mkdir()
        with sqlite3.connect(self.store) as db:
            db.execute("CREATE TABLE turns (text TEXT)")
            db.execute("INSERT INTO turns VALUES (?)", (f"the user's password is {SECRET}",))
        from plugins.search.index import SearchIndex

        with SearchIndex(self.index) as index:
            index.add("doc.txt", "0" * 64, 10, ["The sandbox keeps plugins away from files."])

    def snapshot(self) -> dict[str, str]:
        return tree_hashes(self.home, self.data, self.project)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(PLUGIN)],
        capture_output=True, text=True, timeout=180, cwd=tmp_path_factory.mktemp("build"),
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONWARNINGS="ignore"),
    )
    if done.returncode != 0:
        pytest.fail(f"pip could not install the hostile plugin:\n{done.stderr}")
    planted = World(tmp_path_factory.mktemp("world"))
    patch = pytest.MonkeyPatch()
    patch.setenv("HOME", str(planted.home))
    patch.setenv("MOSS_AGENT_DATA", str(planted.data))
    patch.setenv("MOSS_AGENT_API_KEY", SECRET)  # the agent's credential, never a tool's
    patch.delenv("MOSS_AGENT_SEARXNG_URL", raising=False)
    patch.delenv("MOSS_AGENT_SEARCH", raising=False)
    patch.syspath_prepend(str(target))
    importlib.invalidate_caches()
    yield planted
    patch.undo()


@pytest.fixture(scope="module", params=FILESYSTEMS)
def pool(request: pytest.FixtureRequest, world: World) -> Iterator[SandboxPool]:
    with SandboxPool(Registry.discover(), workers=2, limits=LIMITS,
                     prefer={"filesystem": request.param}) as pool:
        assert pool.mechanisms.filesystem == request.param
        pool.warm()
        yield pool


@pytest.fixture(autouse=True)
def nothing_outside_scratch_changes(world: World) -> Iterator[None]:
    before = world.snapshot()
    yield
    assert world.snapshot() == before


def failed(result: ToolResult, *kinds: ErrorKind) -> str:
    """The error message of a failed call of one of `kinds`; fails the test otherwise."""
    assert not result.ok, f"the hostile tool succeeded: {result.items}"
    assert result.error is not None
    assert result.error.kind in kinds, result.error
    assert SECRET not in result.error.message
    return result.error.message


def answers(pool: SandboxPool) -> None:
    """The pool survived: the next call answers, and only its own processes are alive."""
    assert pool.run("Calculate", ("6*7",)).items == ("42",)
    pool.warm(timeout=30)
    assert set(processes_with(pool.token)) <= {pool.zygote_pid, *pool.worker_pids()}


def test_the_plugin_was_discovered_as_a_distribution(pool: SandboxPool) -> None:
    sources = {e.tool.name: e.source for e in pool.registry.entries()}
    assert sources["ReadFile"] == sources["ForkBomb"] == "moss-plugin-hostile"


@pytest.mark.parametrize("target", ["ssh_key", "store", "index"])
def test_planted_secrets_cannot_be_read(pool: SandboxPool, world: World, target: str) -> None:
    path = getattr(world, target)
    kinds = (ErrorKind.SANDBOX,) if pool.mechanisms.filesystem == "landlock" else \
        (ErrorKind.SANDBOX, ErrorKind.EXCEPTION)  # mountns: hidden, so "no such file"
    failed(pool.run("ReadFile", (str(path),)), *kinds)
    answers(pool)


def test_the_agent_environment_is_out_of_reach(pool: SandboxPool) -> None:
    kinds = (ErrorKind.SANDBOX,) if pool.mechanisms.filesystem == "landlock" else \
        (ErrorKind.SANDBOX, ErrorKind.EXCEPTION)  # mountns: the agent is not in its /proc
    failed(pool.run("ReadFile", (f"/proc/{os.getpid()}/environ",)), *kinds)
    assert pool.run("EnvValue", ("MOSS_AGENT_API_KEY",)).items == ("unset",)  # scrubbed
    assert pool.run("EnvValue", ("HOME",)).items == (os.environ["HOME"],)


def test_search_reads_its_index_through_its_own_workers(pool: SandboxPool) -> None:
    result = pool.run("Search", ("sandbox plugins",))
    assert result.ok and "keeps plugins away" in result.items[0], result.error
    assert set(pool.worker_pids(tool="Search")).isdisjoint(pool.worker_pids(tool="ReadFile"))


@pytest.mark.parametrize("target", ["bashrc", "notes", "store", "new_in_home", "new_in_tmp"])
def test_nothing_can_be_written_outside_the_scratch_folder(
    pool: SandboxPool, world: World, target: str
) -> None:
    path = {
        "new_in_home": world.home / "planted-by-a-tool",
        "new_in_tmp": Path(tempfile.gettempdir()) / f"moss-hostile-{os.getpid()}",
    }.get(target) or getattr(world, target)
    failed(pool.run("WriteFile", (str(path), "pwned")), ErrorKind.SANDBOX, ErrorKind.EXCEPTION)
    assert not path.exists() or "pwned" not in path.read_text(errors="replace")
    answers(pool)


def test_each_call_gets_an_empty_scratch_folder(pool: SandboxPool) -> None:
    first = pool.run("ScratchList", ("made",))
    assert first.ok and first.items[0].endswith("|made"), first
    second = pool.run("ScratchList", ("",))
    assert second.ok and second.items[0].endswith("|"), second
    assert first.items[0].split("|")[0] == second.items[0].split("|")[0]  # same worker, emptied


@pytest.mark.parametrize(("target", "mode"), [("ssh_key", "read"), ("notes", "write")])
def test_a_symlink_does_not_lead_out(pool: SandboxPool, world: World, target: str,
                                     mode: str) -> None:
    failed(pool.run("SymlinkOut", (str(getattr(world, target)), mode)),
           ErrorKind.SANDBOX, ErrorKind.EXCEPTION)
    answers(pool)


def test_a_hard_link_does_not_lead_out(pool: SandboxPool, world: World) -> None:
    failed(pool.run("HardlinkIn", (str(world.notes),)), ErrorKind.SANDBOX, ErrorKind.EXCEPTION)
    answers(pool)


def test_a_fork_bomb_is_refused(pool: SandboxPool) -> None:
    if pool.mechanisms.limits == cgroups.RLIMIT and os.getuid() == 0:
        pytest.skip("no pids cgroup and RLIMIT_NPROC does not bind root: nothing bounds it here")
    message = failed(pool.run("ForkBomb", ("10000",)), ErrorKind.SANDBOX)
    assert "too many processes" in message
    answers(pool)


def test_4_gb_of_mapped_memory_is_refused(pool: SandboxPool) -> None:
    failed(pool.run("MapMemory", ("4",)), ErrorKind.MEMORY)
    answers(pool)


@pytest.mark.parametrize(("tool", "args"), [("MemfdHog", ("4096",)),
                                           ("ChildrenHog", ("8", "256"))])
def test_memory_that_rlimit_as_does_not_see_is_bounded(pool: SandboxPool, tool: str,
                                                      args: tuple[str, ...]) -> None:
    if pool.mechanisms.limits == cgroups.RLIMIT:
        pytest.skip("no memory cgroup here: memfd and children's memory are not bounded")
    # The memory cgroup stops the call; on some kernels it first reclaims for seconds (memfd
    # pages cannot be swapped out: memory.swap.max is 0), and the CPU limit stops it first.
    # Either way the call ends within its bound and the pool answers the next one.
    failed(pool.run(tool, args), ErrorKind.MEMORY, ErrorKind.CPU)
    answers(pool)


def test_a_shell_gets_nothing(pool: SandboxPool, world: World) -> None:
    result = pool.run("Shell", (f"cat {world.ssh_key}; echo pwned > {world.home}/pwned",))
    if pool.mechanisms.filesystem == "landlock":  # executing programs is not allowed at all
        failed(result, ErrorKind.SANDBOX)
    else:  # the shell runs, in the same read-only view with the home hidden
        assert SECRET not in result.render_body()
    assert not (world.home / "pwned").exists()
    answers(pool)


@pytest.mark.parametrize("kind", ["unix", "inet", "raw", "packet"])
def test_sockets_are_refused(pool: SandboxPool, tmp_path: Path, kind: str) -> None:
    with listening(kind, tmp_path) as address:
        failed(pool.run("OpenSocket", (kind, address)), ErrorKind.NETWORK, ErrorKind.SANDBOX)
    answers(pool)


def test_ptrace_of_the_agent_and_the_zygote_is_refused(pool: SandboxPool) -> None:
    for pid in (os.getpid(), pool.zygote_pid):
        message = failed(pool.run("Ptrace", (str(pid),)), ErrorKind.SANDBOX)
        assert "system call is not allowed" in message
    answers(pool)


def test_a_timer_cannot_fire_after_the_call(pool: SandboxPool) -> None:
    workers = pool.worker_pids()
    hot = pool.run("OuterPid", ()).items
    assert pool.run("Itimer", ("0.2",)).items == ("armed",)
    time.sleep(1.0)  # the timers would have fired (and ended the worker) by now
    assert pool.run("OuterPid", ()).items == hot
    assert pool.worker_pids() == workers


def test_no_process_outlives_its_call(pool: SandboxPool) -> None:
    assert pool.run("LeaveChild", ()).items == ("left a daemon behind",)
    assert set(processes_with(pool.token)) == {pool.zygote_pid, *pool.worker_pids()}
    answers(pool)
