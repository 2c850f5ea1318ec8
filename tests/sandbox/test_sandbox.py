"""The sandbox: each limit fails one call cleanly, and the pool keeps serving afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator

import pytest

from tools import ErrorKind, Limits, Registry, SandboxError, SandboxPool, ToolResult, tool
from tests.helpers import sandbox_tools
from tests.helpers.sandbox_checks import processes_with

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs Linux /proc")

LIMITS = Limits(wall_s=2.0, cpu_s=1.0, memory_bytes=1 << 30, output_bytes=64 * 1024)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(tools=sandbox_tools.ALL)


@pytest.fixture(scope="module")
def pool(registry: Registry) -> Iterator[SandboxPool]:
    with SandboxPool(registry, workers=2, limits=LIMITS) as pool:
        yield pool


@pytest.fixture()
def listener() -> Iterator[socket.socket]:
    """A TCP server in the test process that a sandboxed tool must not reach."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def port_of(server: socket.socket) -> str:
    return str(server.getsockname()[1])


def assert_untouched(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


def test_trivial_call(pool: SandboxPool) -> None:
    result = pool.run("Echo", ("hi", "3"))
    assert result == ToolResult.value("hihihi").with_elapsed(result.elapsed_s or 0)
    assert result.elapsed_s is not None and result.elapsed_s >= 0


def test_calls_never_run_in_this_process(pool: SandboxPool) -> None:
    worker = int(pool.run("Pid", ()).items[0])
    assert worker != os.getpid()
    assert worker in pool.worker_pids()
    assert worker != pool.zygote_pid


@pytest.mark.parametrize(
    ("tool_name", "args", "kind"),
    [
        ("Sleep", (), ErrorKind.TIMEOUT),
        ("Alloc", ("10",), ErrorKind.MEMORY),
        ("Connect", ("{port}",), ErrorKind.NETWORK),
        ("RawConnect", ("{port}",), ErrorKind.NETWORK),
        ("Shout", ("100",), ErrorKind.OUTPUT),
        ("Flood", ("100",), ErrorKind.OUTPUT),
        ("Exit", ("3",), ErrorKind.CRASHED),
        ("Raise", (), ErrorKind.EXCEPTION),
        ("Refuse", (), ErrorKind.REFUSED),
        ("Echo", ("a", "b", "c"), ErrorKind.INVALID_ARGS),
        ("Echo", ("x" * 101,), ErrorKind.INVALID_ARGS),
        ("Missing", (), ErrorKind.UNKNOWN_TOOL),
    ],
)
def test_each_limit_fails_cleanly_and_the_pool_keeps_serving(
    pool: SandboxPool, listener: socket.socket, tool_name: str, args: tuple, kind: ErrorKind
) -> None:
    args = tuple(a.format(port=port_of(listener)) for a in args)
    result = pool.run(tool_name, args)
    assert not result.ok
    assert result.render_body().startswith(" No result.")
    assert result.error is not None and result.error.kind is kind, result.error
    assert "Traceback" not in result.error.message
    assert_untouched(listener)
    assert pool.run("Echo", ("still here",)).items == ("still here",)
    pool.warm(timeout=10)
    assert len(pool.worker_pids(tool="Echo")) == 2


def test_wall_time_kills_the_worker_promptly(pool: SandboxPool) -> None:
    before = set(pool.worker_pids())
    result = pool.run("Sleep", ())
    assert result.error is not None and result.error.kind is ErrorKind.TIMEOUT
    assert result.elapsed_s is not None and result.elapsed_s < LIMITS.wall_s + 1.0  # safety bound
    pool.run("Echo", ("x",))
    assert set(pool.worker_pids()) != before  # the stuck worker was replaced


def test_cpu_limit(registry: Registry) -> None:
    with SandboxPool(registry, workers=1, limits=Limits(wall_s=10, cpu_s=1)) as pool:
        result = pool.run("Spin", ())
        assert result.error is not None and result.error.kind is ErrorKind.CPU
        assert pool.run("Echo", ("after",)).items == ("after",)


def test_network_tool_gets_the_network_by_permission(
    pool: SandboxPool, listener: socket.socket
) -> None:
    result = pool.run("Fetch", (port_of(listener),))
    assert result.items == ("connected",), result.error
    listener.setblocking(True)
    listener.settimeout(5)
    conn, _ = listener.accept()
    conn.close()


def test_seccomp_blocks_sockets_even_from_c(registry: Registry, listener: socket.socket) -> None:
    with SandboxPool(registry, workers=1, limits=LIMITS, isolation="seccomp") as pool:
        assert pool.network_isolation == "seccomp"
        for name in ("Connect", "RawConnect"):
            result = pool.run(name, (port_of(listener),))
            assert result.error is not None and result.error.kind is ErrorKind.NETWORK, result
        assert_untouched(listener)
        assert pool.run("Echo", ("ok",)).ok


def test_isolation_mechanism_is_reported(pool: SandboxPool) -> None:
    assert pool.network_isolation in ("netns", "seccomp")
    assert pool.network_isolation_description


def test_run_many_is_parallel_and_keeps_order(pool: SandboxPool) -> None:
    meeting = tempfile.mkdtemp(dir=sandbox_tools.MEET_ROOT)
    try:
        results = pool.run_many(
            [("Meet", (meeting, "2")), ("Echo", ("second",)), ("Meet", (meeting, "2"))]
        )
    finally:
        shutil.rmtree(meeting)
    assert [r.items for r in results] == [("met",), ("second",), ("met",)]


def test_setup_runs_once_per_worker(pool: SandboxPool) -> None:
    first = pool.run("Count", ())
    second = pool.run("Count", ())
    assert first.shape == "lines"
    assert "setups = 1" in second.items
    assert first.items != second.items or first.items[0] == "calls = 1"


def test_tool_without_import_path_is_refused_clearly() -> None:
    @tool(name="Local", capability="Local", signature="Local()")
    def local() -> str:
        return "x"

    registry = Registry(tools=[sandbox_tools.echo, local])
    with SandboxPool(registry, workers=1, limits=LIMITS) as pool:
        result = pool.run("Local", ())
        assert result.error is not None and result.error.kind is ErrorKind.UNKNOWN_TOOL
        assert "import path" in result.error.message
        registry.disable("Echo")
        assert pool.run("Echo", ("x",)).error.kind is ErrorKind.UNKNOWN_TOOL
        registry.enable("Echo")
        assert pool.run("Echo", ("x",)).ok


def test_no_process_is_left_behind(registry: Registry) -> None:
    pool = SandboxPool(registry, workers=2, limits=Limits(wall_s=0.5))
    pool.run("Sleep", ())  # a killed and replaced worker
    pool.run("Exit", ("1",))  # a crashed and replaced worker
    pool.run_many([("Echo", ("a",)), ("Echo", ("b",))])
    pool.run("Fetch", ("1",))  # starts a network worker too
    alive = processes_with(pool.token)
    assert pool.zygote_pid in alive and len(alive) >= 4
    pool.close()
    assert processes_with(pool.token) == []
    with pytest.raises(SandboxError):
        pool.run("Echo", ("x",))
