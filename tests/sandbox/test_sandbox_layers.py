"""The sandbox's layers one by one: fallbacks, the refusal without filesystem isolation,
declared files, and `confine()` (and its launcher) for processes started outside the pool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools import (ErrorKind, Files, Limits, Registry, SandboxError, SandboxPool,
                   ToolDefinitionError, tool)
from tools.sandbox import cgroups, confine, layers, syscalls
from tools.sandbox.confinement import probe_in_child
from tests.helpers import sandbox_tools
from tests.helpers.sandbox_checks import processes_with

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox")

LIMITS = Limits(wall_s=6.0, cpu_s=1.0)


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("SECRET-7f3a\n")
    return path


@pytest.fixture(scope="module", params=["pidns", "subreaper"])
def pool(request: pytest.FixtureRequest) -> Iterator[SandboxPool]:
    registry = Registry(tools=sandbox_tools.ALL)
    with SandboxPool(registry, workers=1, limits=LIMITS,
                     prefer={"processes": request.param}) as pool:
        assert pool.mechanisms.processes == request.param
        yield pool


def only_pool_processes(pool: SandboxPool) -> bool:
    return set(processes_with(pool.token)) == {pool.zygote_pid, *pool.worker_pids()}


def test_a_daemon_dies_with_the_call(pool: SandboxPool) -> None:
    assert pool.run("Daemon", ()).items == ("daemon started",)
    assert only_pool_processes(pool)


def test_a_daemon_dies_with_a_worker_killed_at_its_wall_time(pool: SandboxPool) -> None:
    result = pool.run("Daemon", ("60",))
    assert result.error is not None and result.error.kind is ErrorKind.TIMEOUT
    pool.warm()
    assert pool.run("Echo", ("after",)).items == ("after",)
    for _ in range(100):  # the zygote cleans up asynchronously, right after the reap
        if only_pool_processes(pool):
            break
        time.sleep(0.02)
    assert only_pool_processes(pool)


@pytest.mark.parametrize("mode", ["pidns", "subreaper"])
def test_cpu_limit_holds_in_every_process_mode(mode: str) -> None:
    """Pid 1 of a namespace ignores SIGXCPU unless it has a handler: the worker's is _exit."""
    registry = Registry(tools=sandbox_tools.ALL)
    with SandboxPool(registry, workers=1, limits=Limits(wall_s=30, cpu_s=1),
                     prefer={"processes": mode}) as pool:
        result = pool.run("Spin", ())
        assert result.error is not None and result.error.kind is ErrorKind.CPU, result.error


def test_without_filesystem_isolation_the_pool_refuses_unless_allowed(
    monkeypatch: pytest.MonkeyPatch, secret: Path
) -> None:
    monkeypatch.delenv(layers.UNSAFE_ENV, raising=False)
    registry = Registry(tools=sandbox_tools.ALL)
    with pytest.raises(SandboxError, match="--unsafe-no-fs-isolation"):
        SandboxPool(registry, workers=1, prefer={"filesystem": "none"})
    with pytest.warns(RuntimeWarning, match="can read and change your files"):
        pool = SandboxPool(registry, workers=1, prefer={"filesystem": "none"},
                           unsafe_no_fs_isolation=True)
    with pool:
        assert pool.mechanisms.filesystem == "none"
        assert pool.run("ReadPath", (str(secret),)).items == ("SECRET-7f3a\n",)


def test_rlimit_fallback_still_bounds_the_address_space() -> None:
    registry = Registry(tools=sandbox_tools.ALL)
    with SandboxPool(registry, workers=1, limits=LIMITS, prefer={"limits": "rlimit"}) as pool:
        assert pool.mechanisms.limits == "rlimit"
        assert pool.run("Alloc", ("10",)).error.kind is ErrorKind.MEMORY
        assert pool.run("Echo", ("ok",)).ok


def test_a_pinned_mechanism_that_is_missing_is_an_error_not_a_weaker_one() -> None:
    found = layers.probe()
    missing = [m for m in layers.ORDER["limits"] if m != found.limits and m != "rlimit"]
    if not missing:
        pytest.skip("every limits mechanism is available here")
    with pytest.raises(SandboxError, match=missing[0]):
        SandboxPool(Registry(tools=sandbox_tools.ALL), workers=1, prefer={"limits": missing[0]})


def test_declared_read_is_granted_to_that_tool_only() -> None:
    declared = Path(sandbox_tools.DECLARED)
    declared.write_text("SECRET-7f3a\n")
    try:
        with SandboxPool(Registry(tools=sandbox_tools.ALL), workers=1, limits=LIMITS) as pool:
            assert pool.run("ReadDeclared", ()).items == ("SECRET-7f3a\n",)
            refused = pool.run("ReadPath", (str(declared),))
            assert refused.error is not None and refused.error.kind is ErrorKind.SANDBOX
            assert "files=Files" in refused.error.message
            assert set(pool.worker_pids(tool="ReadDeclared")).isdisjoint(
                pool.worker_pids(tool="Echo"))
    finally:
        declared.unlink()


def test_files_must_be_absolute_or_under_home() -> None:
    with pytest.raises(ToolDefinitionError, match="must be absolute"):
        @tool(name="Bad", capability="Bad", signature="Bad()", files={"read": ["relative.txt"]})
        def bad() -> str:
            return ""
    assert Files(read=["~/a"], write=["/b"]).describe() == "read: ~/a; write: /b"
    assert Files().describe() == "-" and not Files()


def test_the_filter_covers_what_the_issue_names() -> None:
    if not syscalls.supported():
        pytest.skip("no seccomp table for this machine")
    assert {"ptrace", "mount", "kexec_load", "bpf", "keyctl", "unshare", "setns",
            "io_uring_setup", "process_vm_readv", "userfaultfd"} <= set(syscalls.blocked_calls())


def test_confine_bounds_a_process_started_outside_the_pool(secret: Path) -> None:
    hook = confine(Files(), network=False, limits=Limits(memory_bytes=512 << 20))
    try:
        assert hook.mechanisms.filesystem in ("landlock", "mountns")
        script = (f"import socket\ntry:\n    open({str(secret)!r}).read(); print('read')\n"
                  "except OSError as e: print('no read', e.errno)\n"
                  "open('note', 'w').write('x'); print('scratch', open('note').read())\n"
                  "try:\n    socket.create_connection(('127.0.0.1', 9), timeout=1); print('net')\n"
                  "except OSError: print('no net')\n")
        done = subprocess.run([sys.executable, "-c", script], preexec_fn=hook,
                              capture_output=True, text=True, timeout=60)
        assert done.stdout.split("\n")[:3] in (["no read 13", "scratch x", "no net"],
                                               ["no read 2", "scratch x", "no net"]), done
        scratch = hook.policy.scratch
        assert scratch and os.path.isdir(scratch)
    finally:
        hook.close()
    assert not os.path.exists(scratch)


def test_cgroup_v2_groups_are_written_as_the_kernel_expects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cgroup v2 path on a stand-in folder (this machine's v2 hierarchy has no controllers):
    found through MOSS_SANDBOX_CGROUP, limits written, OOM kills read, the group killed."""
    parent = tmp_path / "delegated"
    parent.mkdir()
    (parent / "cgroup.subtree_control").write_text("cpu memory pids\n")
    monkeypatch.setenv(cgroups.ENV_PARENT, str(parent))
    assert cgroups.find_all()[0] == (cgroups.CGROUP2, [str(parent)])
    group = cgroups.Group(cgroups.CGROUP2, [str(parent)], "moss-test-w1")
    group.create(memory_bytes=256 << 20, processes=32)
    folder = parent / "moss-test-w1"
    assert (folder / "memory.max").read_text() == str(256 << 20)
    assert (folder / "pids.max").read_text() == "32"
    assert (folder / "memory.swap.max").read_text() == "0"
    assert not group.oom_killed()
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.oom_killed()
    (folder / "cgroup.kill").write_text("")
    group.kill()
    assert (folder / "cgroup.kill").read_text() == "1"
    for leftover in folder.iterdir():  # the kernel's files vanish with the group; these do not
        leftover.unlink()
    group.remove()
    assert not folder.exists()


@pytest.mark.parametrize("processes", ["pidns", "subreaper"])
def test_a_program_started_from_command_leaves_nothing_behind(tmp_path: Path,
                                                            processes: str) -> None:
    """`Confinement.command`: the launcher confines the program, passes its exit status on,
    and kills what it left behind when it exits - before and without `close()`."""
    if processes == "pidns" and probe_in_child().processes != "pidns":
        pytest.skip("no pid namespaces here")
    token = f"launched-{os.getpid()}-{processes}"
    hook = confine(Files(), prefer={"processes": processes})
    try:
        program = ("import os, subprocess, sys\n"
                   "subprocess.Popen(['setsid', 'sleep', '300'])\n"
                   "print(os.environ['TMPDIR'], os.getcwd())\n"
                   "sys.exit(7)\n")
        done = subprocess.run(hook.command([sys.executable, "-c", program]), cwd=tmp_path,
                              env=dict(os.environ, LAUNCH_TOKEN=token), capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 7, done.stderr
        assert done.stdout.split() == [hook.policy.scratch, str(tmp_path)]
        deadline = time.monotonic() + 10
        while processes_with(token, "LAUNCH_TOKEN") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_with(token, "LAUNCH_TOKEN") == []
        missing = subprocess.run(hook.command(["no-such-program-here"], label="the test program"),
                                 capture_output=True, text=True, timeout=60)
        assert missing.returncode == 127
        assert missing.stderr.strip() == ("moss-agent: cannot start the test program command "
                                          "'no-such-program-here': command not found")
    finally:
        hook.close()


def test_confine_sweeps_scratch_folders_of_agents_that_are_gone() -> None:
    gone = subprocess.Popen([sys.executable, "-c", ""])
    gone.wait()
    stale = Path(tempfile.gettempdir()) / f"moss-confined-{gone.pid}-test"
    stale.mkdir()
    (stale / "left.txt").write_text("x")
    live = Path(tempfile.mkdtemp(prefix=f"moss-confined-{os.getpid()}-"))
    hook = confine(Files())
    try:
        assert not stale.exists() and live.exists()
    finally:
        hook.close()
        shutil.rmtree(live)
