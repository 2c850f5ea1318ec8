"""Landlock: the kernel's unprivileged file-access control, the first filesystem layer.

A process restricts itself (and everything it starts) to an allow-list of folders and files:
what is not listed cannot be read, written, executed, renamed into or linked from, whoever
owns it, root included. Rules follow the object, not the name, so a symlink from the scratch
folder to `~/.ssh` is refused at its target. Needs Linux 5.13+ with Landlock enabled (most
distributions since 2022); no privilege. Newer ABIs add more: 2 refuses linking or moving a
file between folders unless allowed (so a file outside cannot be hard-linked into the scratch
folder and written through it), 3 truncation, 5 device ioctls, 6 signals to and abstract
sockets of processes outside the sandbox.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
from collections.abc import Iterable

from tools.sandbox import _libc

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

READ = READ_FILE | READ_DIR
WRITE = (WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SYM | MAKE_FIFO
         | REFER | TRUNCATE)
# Rights that make sense on a file (not a folder); the kernel refuses others on a file rule.
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV

_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The Landlock ABI this kernel offers, 0 when it has none (or it is disabled)."""
    if not _libc.LINUX:
        return 0
    try:
        return _libc.syscall("landlock_create_ruleset", None, ctypes.c_size_t(0),
                             ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def handled_rights(abi: int) -> int:
    """Every file right the given ABI can refuse: the ruleset handles all of them."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def restrict(rules: Iterable[tuple[str, int]], abi: int | None = None) -> int:
    """Allow only `rules` ((path, rights) pairs) from now on; return the ABI used.

    A path that does not exist is skipped (a declared cache file may not be there yet). Raises
    OSError when the kernel refuses, so the caller can fail closed.
    """
    abi = abi_version() if abi is None else abi
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not available in this kernel")
    handled = handled_rights(abi)
    attr = _RulesetAttr(handled, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else 8  # older kernels know one field
    ruleset = _libc.syscall("landlock_create_ruleset", ctypes.byref(attr), ctypes.c_size_t(size),
                            ctypes.c_uint32(0))
    try:
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                allowed = rights & handled
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    allowed &= _FILE_RIGHTS
                if allowed:
                    rule = _PathBeneathAttr(allowed, fd)
                    _libc.syscall("landlock_add_rule", ctypes.c_int(ruleset),
                                  ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule),
                                  ctypes.c_uint32(0))
            finally:
                os.close(fd)
        _libc.prctl(_libc.PR_SET_NO_NEW_PRIVS, 1)
        _libc.syscall("landlock_restrict_self", ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return abi
