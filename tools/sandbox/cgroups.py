"""Memory and process-count limits from the kernel: a cgroup per worker, else rlimits.

RLIMIT_AS bounds one process's address space. It does not see the memory of the processes a
call starts (each gets its own RLIMIT_AS), nor memory that is not mapped: a memfd or tmpfs
file written with write(), the page cache, pipe buffers. A memory cgroup charges all of that
to the worker's group and the kernel stops it at the limit. A pids cgroup bounds how many
processes and threads the group may hold, so a fork bomb gets EAGAIN instead of the machine.

- `cgroup2`: one child group per worker with `memory.max`, `memory.swap.max` = 0,
  `memory.oom.group` and `pids.max`, under the zygote's own cgroup when that already enables
  the memory and pids controllers for its children, or under `MOSS_SANDBOX_CGROUP` (a
  delegated group you prepared, with `+memory +pids` in its `cgroup.subtree_control`).
- `cgroup1`: the same with the legacy memory and pids hierarchies, where this process may
  create groups in them (root on a machine that mounts them).
- `rlimit`: RLIMIT_AS per process and RLIMIT_NPROC (per user: it counts all of the user's
  processes and does not bind root at all).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from tools.sandbox import procs

CGROUP2 = "cgroup2"
CGROUP1 = "cgroup1"
RLIMIT = "rlimit"
MECHANISMS = (CGROUP2, CGROUP1, RLIMIT)
DESCRIPTIONS = {
    CGROUP2: "cgroup v2 group per worker: memory (all processes, page cache, tmpfs) and "
    "process count bounded by the kernel",
    CGROUP1: "cgroup v1 memory and pids groups per worker: memory (all processes, page cache, "
    "tmpfs) and process count bounded by the kernel",
    RLIMIT: "rlimits only: address space per process (RLIMIT_AS) and RLIMIT_NPROC; memory "
    "outside the address space (memfd, tmpfs) and, for root, the process count are NOT bounded",
}
ENV_PARENT = "MOSS_SANDBOX_CGROUP"


def _mounts() -> Iterator[tuple[str, str, set[str]]]:
    """(mount point, fs type, super options) of every cgroup filesystem."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            yield fields[4].replace("\\040", " "), tail[0], set(tail[2].split(","))


def _own_paths() -> dict[str, str]:
    """Controller (or "" for v2) -> this process's path in that hierarchy."""
    paths: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for name in controllers.split(",") if controllers else [""]:
                    paths[name] = path
    except OSError:
        pass
    return paths


def _writable_parent(directory: str) -> bool:
    """Whether a child group can be made here (tried: a group is made and removed)."""
    probe = os.path.join(directory, f"moss-probe-{os.getpid()}")
    try:
        os.mkdir(probe)
    except OSError:
        return False
    os.rmdir(probe)
    return True


def find_all() -> list[tuple[str, list[str]]]:
    """(mechanism, parent folders) of every way worker groups can be made here, strongest
    first, ending with (`rlimit`, [])."""
    own = _own_paths()
    mounts = list(_mounts())
    found: list[tuple[str, list[str]]] = []
    v2_parents = []
    if os.environ.get(ENV_PARENT):
        v2_parents.append(os.environ[ENV_PARENT])
    v2_parents += [point + own.get("", "/") for point, kind, _ in mounts if kind == "cgroup2"]
    for parent in v2_parents:
        try:
            with open(os.path.join(parent, "cgroup.subtree_control"), encoding="ascii") as f:
                enabled = set(f.read().split())
        except OSError:
            continue
        if {"memory", "pids"} <= enabled and _writable_parent(parent):
            found.append((CGROUP2, [parent]))
            break
    v1 = {}
    for point, kind, options in mounts:
        for controller in ("memory", "pids"):
            if kind == "cgroup" and controller in options and controller in own:
                v1[controller] = point + own[controller]
    if len(v1) == 2 and all(_writable_parent(p) for p in v1.values()):
        found.append((CGROUP1, [v1["memory"], v1["pids"]]))
    found.append((RLIMIT, []))
    return found


def sweep(parents: list[str], prefix: str | None = None) -> None:
    """Remove empty worker groups a killed zygote could not: those named `prefix...` (a pool
    whose zygote died), or those of pools whose agent process is gone (names start with
    `moss-<owner pid>-`)."""
    for parent in parents:
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            owner = name.split("-")[1] if name.startswith("moss-") else ""
            if (prefix and name.startswith(prefix)) or (
                owner.isdigit() and not os.path.exists(f"/proc/{owner}")
            ):
                try:
                    os.rmdir(os.path.join(parent, name))
                except OSError:  # not empty, or not ours to remove
                    pass


class Group:
    """One worker's group(s): made by the zygote before the fork, joined by the worker."""

    def __init__(self, mechanism: str, parents: list[str], name: str) -> None:
        self.mechanism = mechanism
        self.dirs = [os.path.join(parent, name) for parent in parents]

    def create(self, memory_bytes: int, processes: int) -> None:
        """Make the group(s) and set the limits; OSError (with the group removed) if refused."""
        try:
            for directory in self.dirs:
                os.mkdir(directory, 0o755)
            if self.mechanism == CGROUP2:
                (directory,) = self.dirs
                _write(directory, "memory.max", memory_bytes)
                _write(directory, "memory.swap.max", 0, optional=True)
                _write(directory, "memory.oom.group", 1, optional=True)
                _write(directory, "pids.max", processes)
            else:
                memory, pids = self.dirs
                _write(memory, "memory.limit_in_bytes", memory_bytes)
                _write(memory, "memory.memsw.limit_in_bytes", memory_bytes, optional=True)
                _write(pids, "pids.max", processes)
        except OSError:
            self.remove()
            raise

    def join(self) -> None:
        """Move this process into the group(s) (the worker, first thing after the fork)."""
        for directory in self.dirs:
            _write(directory, "cgroup.procs", 0)

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of this group for memory."""
        name = "memory.events" if self.mechanism == CGROUP2 else "memory.oom_control"
        try:
            with open(os.path.join(self.dirs[0], name), encoding="ascii") as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
        except (OSError, ValueError):
            pass
        return False

    def kill(self) -> None:
        """Kill every process left in the group (v2: cgroup.kill; v1: by pid, until empty)."""
        if self.mechanism == CGROUP2 and _write(self.dirs[0], "cgroup.kill", 1, optional=True):
            return
        for _ in range(1000):
            pids = self.pids()
            if not pids:
                return
            procs.kill_all(pids)
            time.sleep(0.001)

    def pids(self) -> list[int]:
        found: set[int] = set()
        for directory in self.dirs:
            try:
                with open(os.path.join(directory, "cgroup.procs"), encoding="ascii") as f:
                    found.update(int(p) for p in f.read().split())
            except OSError:
                pass
        return sorted(found)

    def remove(self) -> None:
        """Remove the group(s); a group still holding dying processes is retried briefly."""
        for directory in self.dirs:
            for _ in range(200):
                try:
                    os.rmdir(directory)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)


def _write(directory: str, name: str, value: int, optional: bool = False) -> bool:
    try:
        with open(os.path.join(directory, name), "w", encoding="ascii") as f:
            f.write(str(value))
    except FileNotFoundError:
        if optional:
            return False
        raise
    except OSError:
        if optional:
            return False
        raise
    return True
