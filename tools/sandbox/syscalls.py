"""The system-call layer: a seccomp filter for what no plugin needs, and no capabilities.

The filter makes these fail with EPERM: debugging other processes (ptrace, process_vm_*,
pidfd_getfd, kcmp), mounting and namespaces (mount and the new mount API, pivot_root,
chroot, unshare, setns, clone with namespace flags), the kernel itself (kexec, modules, bpf,
perf_event_open, keyctl and friends, userfaultfd, io_uring, fanotify, swap, reboot, clocks,
host names, quotas, acct, syslog, iopl/ioperm, open_by_handle_at). `clone3` answers ENOSYS, as
container runtimes do, so libc falls back to `clone`, whose flags the filter can read.

Sockets are filtered by address family: a worker without network gets none (`deny_sockets`,
the network rule's seccomp form) or, when a network namespace already cuts it off, only
AF_INET/AF_INET6 so a connect fails as "network unreachable"; a networked worker gets
AF_INET, AF_INET6 and AF_NETLINK. AF_UNIX sockets are never created: a pathname socket such
as a container daemon's is a door out that no network namespace or Landlock version before
the kernel's socket rules closes. `socketpair` stays allowed (it connects to nothing).

Foreign system-call ABIs (i386 and x32 on x86_64) are refused whole. Capabilities are dropped
separately (`drop_capabilities`): a worker running as root keeps uid 0 but loses the power to
override file permissions, load modules, or change immutable files.
"""

from __future__ import annotations

import ctypes
import errno
import socket
import struct

from tools.sandbox import _libc

# (audit arch, {name: number}) per machine; names missing on an architecture are skipped.
_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "socket": 41, "clone": 56, "ptrace": 101, "syslog": 103, "uselib": 134,
        "vhangup": 153, "pivot_root": 155, "adjtimex": 159, "chroot": 161, "acct": 163,
        "settimeofday": 164, "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168,
        "reboot": 169, "sethostname": 170, "setdomainname": 171, "iopl": 172, "ioperm": 173,
        "init_module": 175, "delete_module": 176, "quotactl": 179, "nfsservctl": 180,
        "lookup_dcookie": 212, "clock_settime": 227, "kexec_load": 246, "add_key": 248,
        "request_key": 249, "keyctl": 250, "unshare": 272, "perf_event_open": 298,
        "fanotify_init": 300, "open_by_handle_at": 304, "clock_adjtime": 305, "setns": 308,
        "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "finit_module": 313,
        "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435,
        "pidfd_getfd": 438, "mount_setattr": 442, "quotactl_fd": 443,
    }),
    "aarch64": (0xC00000B7, {
        "socket": 198, "clone": 220, "ptrace": 117, "syslog": 116, "vhangup": 58,
        "pivot_root": 41, "adjtimex": 171, "chroot": 51, "acct": 89, "settimeofday": 170,
        "mount": 40, "umount2": 39, "swapon": 224, "swapoff": 225, "reboot": 142,
        "sethostname": 161, "setdomainname": 162, "init_module": 105, "delete_module": 106,
        "quotactl": 60, "nfsservctl": 42, "lookup_dcookie": 18, "clock_settime": 112,
        "kexec_load": 104, "add_key": 217, "request_key": 218, "keyctl": 219, "unshare": 97,
        "perf_event_open": 241, "fanotify_init": 262, "open_by_handle_at": 265,
        "clock_adjtime": 266, "setns": 268, "process_vm_readv": 270, "process_vm_writev": 271,
        "kcmp": 272, "finit_module": 273, "kexec_file_load": 294, "bpf": 280,
        "userfaultfd": 282, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
        "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435, "pidfd_getfd": 438,
        "mount_setattr": 442, "quotactl_fd": 443,
    }),
}
_SPECIAL = {"socket", "clone", "clone3"}

# BPF opcodes and seccomp return values.
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_DENY = _ERRNO | errno.EPERM
_NOSYS = _ERRNO | errno.ENOSYS
_SECCOMP_MODE_FILTER = 2


def supported() -> bool:
    """Whether this architecture has a filter here (the kernel may still refuse it)."""
    return _libc.LINUX and _libc.MACHINE in _ARCHES


def probe() -> bool:
    """Whether the kernel takes the filter: tried in a forked child, which then checks that
    ptrace is refused (call single-threaded)."""
    if not supported():
        return False

    def check() -> bool:
        install(network=False, deny_sockets=False)
        return _libc.libc().ptrace(0, 0, None, None) == -1 and ctypes.get_errno() == errno.EPERM

    return _libc.works_in_child(check)


def blocked_calls() -> list[str]:
    """The system calls the filter refuses on this architecture (for docs and tests)."""
    _, table = _ARCHES.get(_libc.MACHINE, (0, {}))
    return sorted(name for name in table if name not in _SPECIAL)


def program(*, network: bool, deny_sockets: bool) -> bytes:
    """The BPF program: see the module docstring for what it allows."""
    if not supported():
        raise OSError(errno.ENOSYS, f"no seccomp filter for {_libc.MACHINE}")
    audit_arch, table = _ARCHES[_libc.MACHINE]
    families = [] if deny_sockets else [socket.AF_INET, socket.AF_INET6]
    if network and not deny_sockets:
        families.append(socket.AF_NETLINK)
    # Instructions with symbolic jump targets, resolved below: ("label", name) marks a place.
    code: list[tuple] = [
        (_LD_ABS, None, None, 4),  # A = arch
        (_JEQ, None, "deny", audit_arch),
        (_LD_ABS, None, None, 0),  # A = syscall number
        (_JGE, "deny", None, 0x40000000),  # x32 ABI
    ]
    for name, number in sorted(table.items(), key=lambda item: item[1]):
        if name not in _SPECIAL:
            code.append((_JEQ, "deny", None, number))
    code += [
        (_JEQ, "nosys", None, table["clone3"]),
        (_JEQ, "socket", None, table["socket"]),
        (_JEQ, None, "allow", table["clone"]),
        (_LD_ABS, None, None, 16),  # clone: A = low half of flags
        (_JSET, "deny", "allow", _libc.NAMESPACE_FLAGS),
        ("label", "socket"),
        (_LD_ABS, None, None, 16),  # socket: A = domain
    ]
    code += [(_JEQ, "allow", None, family) for family in families]
    code += [
        ("label", "deny"), (_RET, None, None, _DENY),
        ("label", "allow"), (_RET, None, None, _ALLOW),
        ("label", "nosys"), (_RET, None, None, _NOSYS),
    ]
    labels: dict[str, int] = {}
    position = 0
    for item in code:
        if item[0] == "label":
            labels[item[1]] = position
        else:
            position += 1
    out = []
    position = 0
    for item in code:
        if item[0] == "label":
            continue
        op, true, false, k = item
        jt = labels[true] - position - 1 if true else 0
        jf = labels[false] - position - 1 if false else 0
        out.append(struct.pack("HBBI", op, jt, jf, k))
        position += 1
    return b"".join(out)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(*, network: bool, deny_sockets: bool) -> None:
    """Install the filter on this process (and every process it starts); OSError if refused.

    Sets no_new_privs first, which the kernel requires of an unprivileged filter and which
    also keeps a set-uid program from gaining privileges.
    """
    code = program(network=network, deny_sockets=deny_sockets)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _libc.prctl(_libc.PR_SET_NO_NEW_PRIVS, 1)
    _libc.check(
        _libc.libc().prctl(_libc.PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "prctl(PR_SET_SECCOMP)",
    )


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Drop every capability: bounding set (so exec cannot regain them), ambient, and the
    effective, permitted and inheritable sets. Harmless for a process that has none."""
    for cap in range(64):
        try:
            _libc.prctl(_libc.PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # past the last capability this kernel knows
                break
            if exc.errno != errno.EPERM:  # EPERM: no CAP_SETPCAP, nothing to drop either
                raise
    try:
        _libc.prctl(_libc.PR_CAP_AMBIENT, _libc.PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _libc.syscall("capset", ctypes.byref(header), ctypes.byref(data))
