"""Tools that try to get out of the moss-agent sandbox; each reports what it managed to do.

A tool that succeeds returns what it got (a secret's text, "written", the number of forks), so
a test that sees that text knows the layer that should have stopped it is missing.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import signal
import socket
import subprocess
import time

from tools import tool


@tool(name="ReadFile", capability="Reader", signature="ReadFile(path)")
def read_file(path: str) -> str:
    with open(path, "rb") as f:
        return f.read(200).decode("utf-8", "replace")


@tool(name="WriteFile", capability="Writer", signature="WriteFile(path, text)")
def write_file(path: str, text: str = "pwned") -> str:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return "written"


@tool(name="SymlinkOut", capability="Linker", signature="SymlinkOut(target, mode)")
def symlink_out(target: str, mode: str = "read") -> str:
    """Make a symlink in the scratch folder pointing out of it, then use it."""
    os.symlink(target, "link")
    if mode == "read":
        with open("link", encoding="utf-8", errors="replace") as f:
            return f.read(200)
    with open("link", "w", encoding="utf-8") as f:
        f.write("pwned through a symlink")
    return "written"


@tool(name="HardlinkIn", capability="Linker", signature="HardlinkIn(target)")
def hardlink_in(target: str) -> str:
    """Hard-link a file from outside into the scratch folder and write through the link."""
    os.link(target, "hard")
    with open("hard", "a", encoding="utf-8") as f:
        f.write("pwned through a hard link")
    return "written"


@tool(name="ScratchList", capability="Lister", signature="ScratchList(create)")
def scratch_list(create: str = "") -> str:
    """List the working directory (the scratch folder), after creating `create` in it."""
    if create:
        os.makedirs(os.path.join(create, "inner"), exist_ok=True)
        with open(os.path.join(create, "inner", "file"), "w", encoding="utf-8") as f:
            f.write("x")
        os.chmod(create, 0o500)  # and try to make it hard to remove
    return f"{os.getcwd()}|{','.join(sorted(os.listdir('.')))}"


@tool(name="ForkBomb", capability="Forker", signature="ForkBomb(count)")
def fork_bomb(count: int = 10_000) -> str:
    children = 0
    for _ in range(count):
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
    return f"forked {children}"


@tool(name="MapMemory", capability="Mapper", signature="MapMemory(gigabytes)")
def map_memory(gigabytes: int = 4) -> str:
    size = gigabytes << 30
    block = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for offset in range(0, size, mmap.PAGESIZE):
        block[offset] = 1
    return f"mapped and touched {gigabytes} GB"


@tool(name="MemfdHog", capability="Hog", signature="MemfdHog(megabytes)")
def memfd_hog(megabytes: int = 4096) -> str:
    """Memory RLIMIT_AS does not count: memfd files written with write(), never mapped."""
    chunk = b"x" * (1 << 20)
    fds, written = [], 0
    while written < megabytes:
        fd = os.memfd_create("hog")
        fds.append(fd)
        for _ in range(128):  # 128 MiB a file, under any per-file size limit
            os.write(fd, chunk)
            written += 1
    return f"held {written} MiB"


@tool(name="ChildrenHog", capability="Hog", signature="ChildrenHog(children, megabytes)")
def children_hog(children: int = 8, megabytes: int = 512) -> str:
    """Memory spread over children, each under its own RLIMIT_AS."""
    read_end, write_end = os.pipe()
    for _ in range(children):
        if os.fork() == 0:
            block = bytearray(megabytes << 20)
            block[:: mmap.PAGESIZE] = b"x" * len(block[:: mmap.PAGESIZE])
            os.write(write_end, b".")
            time.sleep(60)
            os._exit(0)
    got = 0
    deadline = time.monotonic() + 20
    while got < children and time.monotonic() < deadline:
        got += len(os.read(read_end, children))
    return f"{got} children hold {megabytes} MiB each"


@tool(name="Shell", capability="Shell", signature="Shell(command)")
def shell(command: str) -> str:
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=5)
    return f"rc={done.returncode} out={done.stdout.strip()[:200]} err={done.stderr.strip()[:100]}"


@tool(name="OpenSocket", capability="Socket", signature="OpenSocket(kind, address)")
def open_socket(kind: str, address: str = "") -> str:
    if kind == "unix":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(address)
            s.sendall(b"hello from the sandbox")
    elif kind == "inet":
        with socket.create_connection(("127.0.0.1", int(address)), timeout=2) as s:
            s.sendall(b"hello from the sandbox")
    elif kind == "raw":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        s.close()
    elif kind == "packet":
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.close()
    else:
        raise ValueError(kind)
    return f"{kind} socket worked"


@tool(name="Ptrace", capability="Debugger", signature="Ptrace(pid)")
def ptrace(pid: int) -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.ptrace(16, pid, None, None) != 0:  # PTRACE_ATTACH
        err = ctypes.get_errno()
        raise OSError(err, f"ptrace({pid}): {os.strerror(err)}")
    return f"attached to {pid}"


@tool(name="Itimer", capability="Timer", signature="Itimer(seconds)")
def itimer(seconds: float = 0.3) -> str:
    """Arm timers whose handler ends the worker after the call has returned."""
    signal.signal(signal.SIGALRM, lambda *_: os._exit(42))
    signal.signal(signal.SIGPROF, lambda *_: os._exit(43))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.setitimer(signal.ITIMER_PROF, seconds / 10)
    return "armed"


@tool(name="LeaveChild", capability="Daemon", signature="LeaveChild()")
def leave_child() -> str:
    """Start a daemon (double fork, new session) that would outlive the call."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(60)
        os._exit(0)
    os.wait()
    return "left a daemon behind"


@tool(name="OuterPid", capability="Pid", signature="OuterPid()")
def outer_pid() -> str:
    """The worker's pid as the machine sees it (it is pid 1 in its own namespace)."""
    try:
        return os.readlink("/proc/self")
    except OSError:
        return str(os.getpid())


@tool(name="EnvValue", capability="Environment", signature="EnvValue(name)")
def env_value(name: str) -> str:
    return os.environ.get(name, "unset")
