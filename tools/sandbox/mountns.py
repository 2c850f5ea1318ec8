"""The filesystem fallback without Landlock: a private mount namespace, read-only, with holes.

The worker gets its own copy of the mount table (unshare(CLONE_NEWNS), in a user namespace
when not root) and changes only that copy: empty tmpfs folders hide the homes, temporary
folders and the moss-agent data folder; /dev/null covers the password hashes; the Python
folders and declared files that lay under a hidden folder are bound back in; a fresh /proc
shows only the worker's own pid namespace (or /proc is hidden without one); then every mount
becomes read-only, no-suid, no-dev, and a private tmpfs (bounded in size) is mounted as the
scratch folder. Declared write paths are bound back writable.

Weaker than Landlock, and said so: what is not hidden stays readable (/etc, /var, /opt, other
folders), and programs can be executed.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable

from tools.sandbox import _libc, paths

_MS_RDONLY = 0x1
_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MS_REMOUNT = 0x20
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 1 << 18
_AT_RECURSIVE = 0x8000
_AT_FDCWD = -100
_MOUNT_ATTR_RDONLY = 0x1
_MOUNT_ATTR_NOSUID = 0x2
_MOUNT_ATTR_NODEV = 0x4


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    encode = (lambda s: s.encode() if s is not None else None)
    _libc.check(
        _libc.libc().mount(encode(source), target.encode(), encode(fstype), ctypes.c_ulong(flags),
                           encode(data)),
        f"mount {target}",
    )


def _under_hidden(path: str, hidden: list[str]) -> bool:
    return any(paths.contains(folder, path) and path != folder for folder in hidden)


def _make_mountpoint(path: str, is_dir: bool) -> None:
    if is_dir:
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.exists(path):
            open(path, "w").close()


def _read_only_everywhere() -> None:
    """mount_setattr(AT_RECURSIVE) on /, or a bind-remount of every mount on older kernels."""
    attr = _MountAttr(_MOUNT_ATTR_RDONLY | _MOUNT_ATTR_NOSUID | _MOUNT_ATTR_NODEV, 0, 0, 0)
    try:
        _libc.syscall("mount_setattr", ctypes.c_int(_AT_FDCWD), b"/",
                      ctypes.c_uint(_AT_RECURSIVE), ctypes.byref(attr),
                      ctypes.c_size_t(ctypes.sizeof(attr)))
        return
    except OSError:
        pass
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        points = [line.split()[4].replace("\\040", " ") for line in f]
    for point in points:
        try:
            _mount(None, point, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
        except OSError:
            pass


def _devices_usable() -> None:
    """No-dev everywhere also made /dev/null unusable (EACCES on open), which programs and
    `subprocess.DEVNULL` need: the harmless devices get a bind mount of their own without it
    (still read-only: writing to a device is not writing to the filesystem)."""
    for device in paths.DEVICES_READ:
        if os.path.exists(device):
            try:
                _mount(device, device, None, _MS_BIND)
                _mount(None, device, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID)
            except OSError:
                pass


def apply(read: Iterable[str], write: Iterable[str], scratch: str, scratch_bytes: int) -> None:
    """Give this process the restricted view (see the module docstring); OSError if refused.

    `read` are the paths to keep readable if they lie in a hidden folder (the Python folders
    and declared files), `write` the declared writable ones, `scratch` the folder to mount a
    private tmpfs of `scratch_bytes` on.
    """
    hidden = sorted({*paths.HIDDEN_FOLDERS, *paths.protected()})
    hidden = [h for h in hidden if os.path.isdir(h) and not _under_hidden(h, hidden)]
    pid_init = os.getpid() == 1
    _libc.unshare_namespaces(_libc.CLONE_NEWNS)
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    keep: dict[str, tuple[int, bool, bool]] = {}  # opened in the new namespace, before hiding
    for path, writable in [*((p, False) for p in read), *((p, True) for p in write)]:
        if os.path.exists(path) and (writable or _under_hidden(path, hidden)):
            keep[path] = (os.open(path, os.O_PATH | os.O_CLOEXEC), os.path.isdir(path), writable)
    for folder in hidden:
        _mount("tmpfs", folder, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=1m,mode=0755")
    for path in paths.HIDDEN_FILES:
        if os.path.isfile(path):
            _mount("/dev/null", path, None, _MS_BIND)
    for path in sorted(keep, key=len):  # parents before children
        fd, is_dir, _ = keep[path]
        if _under_hidden(path, hidden):
            _make_mountpoint(path, is_dir)
        _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
    _make_mountpoint(scratch, True)
    _read_only_everywhere()
    _devices_usable()
    for path, (fd, _, writable) in keep.items():
        if writable:
            _mount(None, path, None, _MS_BIND | _MS_REMOUNT | _MS_NOSUID | _MS_NODEV)
        os.close(fd)
    try:  # a /proc of the worker's own pid namespace; else none, not the agent's
        if not pid_init:
            raise OSError("no pid namespace of its own")
        _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    except OSError:
        _mount("tmpfs", "/proc", "tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "size=4k,mode=0555")
    _mount("tmpfs", scratch, "tmpfs", _MS_NOSUID | _MS_NODEV,
           f"size={max(scratch_bytes, 1 << 20)},mode=0700,uid={os.getuid()},gid={os.getgid()}")


def probe() -> bool:
    """Whether a mount namespace with these mounts can be made here (forks once to try)."""

    def check() -> bool:
        _libc.unshare_namespaces(_libc.CLONE_NEWNS)
        _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
        _read_only_everywhere()
        return True

    return _libc.works_in_child(check)
