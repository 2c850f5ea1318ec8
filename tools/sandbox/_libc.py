"""The few raw Linux calls the sandbox makes through ctypes, and the checks around them.

Python's standard library has no `unshare`, `setns`, `prctl`, `capset`, Landlock or seccomp
(before 3.12 not even `unshare`), so the sandbox calls libc directly. Every caller here runs in
a single-threaded process (the zygote or a freshly forked worker).
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from collections.abc import Callable

LINUX = sys.platform.startswith("linux")
MACHINE = platform.machine()

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = (
    CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
    | CLONE_NEWPID | CLONE_NEWNET
)

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

# Syscall numbers the sandbox calls itself (the filter's own table is in syscalls.py).
_SYSCALLS = {
    "x86_64": {"landlock_create_ruleset": 444, "landlock_add_rule": 445,
               "landlock_restrict_self": 446, "mount_setattr": 442, "capset": 126},
    "aarch64": {"landlock_create_ruleset": 444, "landlock_add_rule": 445,
                "landlock_restrict_self": 446, "mount_setattr": 442, "capset": 91},
}

_LIBC: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    """This process's libc, loaded once, with errno kept for `check`."""
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def check(result: int, what: str) -> int:
    """Raise OSError (with errno) when a libc call returned -1; return the result otherwise."""
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def syscall_number(name: str) -> int:
    """The number of `name` on this machine's architecture; OSError(ENOSYS) if unknown."""
    try:
        return _SYSCALLS[MACHINE][name]
    except KeyError:
        raise OSError(38, f"{name} is not known for {MACHINE}") from None


def syscall(name: str, *args: object) -> int:
    """Make a raw system call by name; raise OSError on failure."""
    libc_ = libc()
    libc_.syscall.restype = ctypes.c_long
    return check(libc_.syscall(ctypes.c_long(syscall_number(name)), *args), name)


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return check(
        libc().prctl(option, ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(arg4),
                     ctypes.c_ulong(arg5)),
        f"prctl({option})",
    )


def unshare(flags: int) -> None:
    check(libc().unshare(flags), f"unshare({flags:#x})")


def setns(fd: int, nstype: int) -> None:
    check(libc().setns(fd, nstype), "setns")


def privileged() -> bool:
    """Whether this process has CAP_SYS_ADMIN in its own user namespace (may unshare, mount)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) & (1 << 21))
    except OSError:
        pass
    return False


def enter_user_namespace() -> None:
    """Become root of a new user namespace, mapped to this process's own user and group.

    The maps matter: without them the process's files would belong to "nobody" inside and
    creating one would fail (EOVERFLOW), so a tool could not write its scratch folder.
    """
    uid, gid = os.geteuid(), os.getegid()
    unshare(CLONE_NEWUSER)
    with open("/proc/self/setgroups", "w", encoding="ascii") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w", encoding="ascii") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w", encoding="ascii") as f:
        f.write(f"{gid} {gid} 1")


def works_in_child(check: Callable[[], bool]) -> bool:
    """Run `check` in a forked child and say whether it returned True there.

    How the sandbox tries a mechanism that changes the process for good (a namespace, a
    filter) without changing this one. Call single-threaded.
    """
    if not LINUX or not hasattr(os, "fork"):
        return False
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if check() else 2
        except BaseException:  # noqa: BLE001 -- any failure means "does not work"
            pass
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def unshare_namespaces(flags: int) -> None:
    """Unshare `flags`, entering a user namespace first when this process is not privileged."""
    if not privileged():
        enter_user_namespace()
    unshare(flags)
