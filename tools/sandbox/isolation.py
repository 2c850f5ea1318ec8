"""Keeping sandboxed tools off the network, by the kernel rather than by patching `socket`.

Patching Python's `socket` module is not isolation: a C extension (or ctypes) calls libc
directly. So a worker without network permission is cut off by one of:

- `netns`: a fresh, empty network namespace (`unshare(CLONE_NEWNET)`, with a user namespace
  when not privileged). The worker has no interfaces at all, not even a live loopback, so
  every connect fails with "Network is unreachable", whatever library makes it.
- `seccomp`: the system-call filter (syscalls.py) with no socket family allowed: `socket()`
  (and `io_uring_setup`, which can create sockets) fails with EPERM.
- `none`: neither is available (not Linux, or a kernel without both). Reported loudly.

Functions here that apply a mechanism run in a freshly forked, single-threaded worker.
"""

from __future__ import annotations

import errno
import os

from tools.sandbox import _libc, syscalls

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

def describe(mechanism: str) -> str:
    return DESCRIPTIONS.get(mechanism, mechanism)


def set_parent_death_signal(sig: int) -> None:
    """Linux: deliver `sig` to this process when its parent dies (no-op elsewhere)."""
    if _libc.LINUX:
        _libc.prctl(_libc.PR_SET_PDEATHSIG, sig)


def enter_network_namespace() -> None:
    """Move this process into a new, empty network namespace; raise OSError if not allowed.

    Unprivileged, a user namespace (mapped to the same user) first grants the right to.
    """
    _libc.unshare_namespaces(_libc.CLONE_NEWNET)


def install_socket_filter() -> None:
    """Install the seccomp filter with no sockets at all; raise OSError if refused."""
    if not _libc.LINUX:
        raise OSError(errno.ENOSYS, "seccomp needs Linux")
    syscalls.install(network=False, deny_sockets=True)


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
    """Try it in a child, and check a socket really cannot reach anything there."""

    def check() -> bool:
        apply(mechanism)
        return _network_blocked()

    return _libc.works_in_child(check)


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
