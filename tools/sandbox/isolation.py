"""Keeping sandboxed tools off the network, by the kernel rather than by patching `socket`.

Patching Python's `socket` module is not isolation: a C extension (or ctypes) calls libc
directly. So a worker without network permission is cut off by one of:

- `netns`: a fresh, empty network namespace (`unshare(CLONE_NEWNET)`, with a user namespace
  when not privileged). The worker has no interfaces at all, not even a live loopback, so
  every connect fails with "Network is unreachable", whatever library makes it.
- `seccomp`: a BPF filter that makes the `socket()` system call (and `io_uring_setup`, which
  can create sockets) fail with EPERM, for every address family.
- `none`: neither is available (not Linux, or a kernel without both). Reported loudly.

Functions here that apply a mechanism run in a freshly forked, single-threaded worker.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

NETNS = "netns"
SECCOMP = "seccomp"
NONE = "none"
MECHANISMS = (NETNS, SECCOMP, NONE)

DESCRIPTIONS = {
    NETNS: "network namespace (unshare CLONE_NEWNET): workers have no network interfaces",
    SECCOMP: "seccomp filter: socket() fails with EPERM inside workers",
    NONE: "NONE: tools can reach the network (no namespace or seccomp support here)",
}

ENV_OVERRIDE = "MOSS_SANDBOX_ISOLATION"  # auto | netns | seccomp | none

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000

_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2

# (audit arch, socket syscall, io_uring_setup syscall)
_ARCH = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}


def describe(mechanism: str) -> str:
    return DESCRIPTIONS.get(mechanism, mechanism)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def set_parent_death_signal(sig: int) -> None:
    """Linux: deliver `sig` to this process when its parent dies (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        _libc().prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)


def enter_network_namespace() -> None:
    """Move this process into a new, empty network namespace; raise OSError if not allowed."""
    libc = _libc()
    if libc.unshare(_CLONE_NEWNET) == 0:
        return
    # Unprivileged: a user namespace first grants CAP_SYS_ADMIN over a new network namespace.
    _check(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET), "unshare(CLONE_NEWUSER|CLONE_NEWNET)")


def _seccomp_program() -> bytes:
    arch = _ARCH.get(platform.machine())
    if arch is None:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {platform.machine()}")
    audit_arch, nr_socket, nr_io_uring_setup = arch

    def insn(code: int, jt: int, jf: int, k: int) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EPERM
    return b"".join(
        [
            insn(ld_abs, 0, 0, 4),  # 0: A = arch
            insn(jeq, 0, 5, audit_arch),  # 1: foreign ABI (i386 on x86_64) -> deny
            insn(ld_abs, 0, 0, 0),  # 2: A = syscall number
            insn(jge, 3, 0, 0x40000000),  # 3: x32 ABI -> deny
            insn(jeq, 2, 0, nr_socket),  # 4: socket() -> deny
            insn(jeq, 1, 0, nr_io_uring_setup),  # 5: io_uring can open sockets -> deny
            insn(ret, 0, 0, allow),  # 6
            insn(ret, 0, 0, deny),  # 7
        ]
    )


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_socket_filter() -> None:
    """Install the seccomp filter on this (single-threaded) process; raise OSError if refused."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "seccomp needs Linux")
    program = _seccomp_program()
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = _libc()
    _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    _check(
        libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "prctl(PR_SET_SECCOMP)",
    )


def apply(mechanism: str) -> None:
    """Cut this process off the network with `mechanism`; raise OSError if that fails."""
    if mechanism == NETNS:
        enter_network_namespace()
    elif mechanism == SECCOMP:
        install_socket_filter()
    elif mechanism != NONE:
        raise ValueError(f"unknown isolation mechanism {mechanism!r}; use one of {MECHANISMS}")


def probe(preference: str = "auto") -> str:
    """The strongest mechanism that works here, tried in a forked child (call single-threaded).

    `preference` is "auto" (netns, else seccomp, else none; MOSS_SANDBOX_ISOLATION may name
    one instead) or one mechanism to insist on; a named mechanism that does not work raises
    OSError rather than silently weakening.
    """
    if preference == "auto":  # an explicit choice in code wins over the environment
        preference = os.environ.get(ENV_OVERRIDE, "").strip() or "auto"
    if preference not in ("auto", *MECHANISMS):
        raise ValueError(
            f"unknown isolation {preference!r} (from {ENV_OVERRIDE} or the caller); "
            f"use auto, {', '.join(MECHANISMS)}"
        )
    candidates = [NETNS, SECCOMP] if preference == "auto" else [preference]
    for mechanism in candidates:
        if mechanism == NONE or _works(mechanism):
            return mechanism
    if preference != "auto":
        raise OSError(errno.EPERM, f"network isolation {preference!r} is not available here")
    return NONE


def _works(mechanism: str) -> bool:
    if not hasattr(os, "fork"):
        return False
    pid = os.fork()
    if pid == 0:  # child: try it, and check a socket really cannot reach anything
        code = 1
        try:
            apply(mechanism)
            code = 0 if _network_blocked() else 2
        except BaseException:  # noqa: BLE001 -- any failure means "does not work"
            pass
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _network_blocked() -> bool:
    import socket

    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    except OSError:
        return True
    try:
        sock.connect(("192.0.2.1", 9))  # TEST-NET-1; UDP connect only needs a route
    except OSError:
        return True
    finally:
        sock.close()
    return False
