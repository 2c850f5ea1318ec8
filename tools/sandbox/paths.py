"""Which files a sandboxed process may touch: the defaults, the protected places, declarations.

A worker may read what running Python code needs (the system's programs and libraries, a
short list of `/etc` files, the interpreter and its import path, `/proc`, a few devices) and
nothing else; it may write only its scratch folder (and `/dev/null`); it may execute nothing.
A tool's declared files (`Tool.files`) add to that. An import-path entry that contains a
protected place (the user's home, the moss-agent data folder with its store and search index)
is left out rather than exposing that place: `python -m` run from the home folder puts the
home folder itself on the path.
"""

from __future__ import annotations

import os
import pwd
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from tools.folders import data_dir

SYSTEM_READ = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_READ = tuple(
    f"/etc/{name}"
    for name in (
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "zoneinfo",
        "ssl", "ca-certificates", "ca-certificates.conf", "pki", "crypto-policies",
        "resolv.conf", "hosts", "host.conf", "nsswitch.conf", "gai.conf", "protocols",
        "services", "passwd", "group", "mime.types", "os-release", "locale.alias",
        "fonts", "alternatives",
    )
)
DEVICES_READ = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
DEVICES_WRITE = ("/dev/null",)
KERNEL_READ = ("/proc", "/sys/devices/system/cpu")

# Folders the mount-namespace fallback hides behind an empty tmpfs (Landlock needs no such
# list: what it is not told about stays unreadable), and files it covers with /dev/null.
HIDDEN_FOLDERS = ("/home", "/root", "/tmp", "/var/tmp", "/dev/shm", "/run/user", "/mnt",
                  "/media", "/srv")
HIDDEN_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/machine-id")


def home_dirs(environ: Mapping[str, str] | None = None) -> list[str]:
    """The user's home folder, from the environment and from the password database."""
    environ = os.environ if environ is None else environ
    homes = {environ.get("HOME", "")}
    try:
        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    return sorted(real(h) for h in homes if h and h != "/")


def protected(environ: Mapping[str, str] | None = None) -> list[str]:
    """Places no default rule may expose: the home folders and the moss-agent data folder."""
    return sorted({*home_dirs(environ), real(str(data_dir(environ)))})


def real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.path.expanduser(os.fspath(path)))


def contains(folder: str, path: str) -> bool:
    """Whether `path` is `folder` or inside it (both already real)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def exposes(path: str, guarded: Iterable[str] | None = None) -> bool:
    """Whether granting the real path `path` would grant a protected place (it is `/`, a
    home or data folder, or a folder holding one): rules the sandbox derives itself must not."""
    guarded = protected() if guarded is None else guarded
    return path == "/" or any(contains(path, p) for p in guarded)


def python_roots(search_path: Iterable[str] | None = None) -> list[str]:
    """The interpreter's folders and its import path, minus entries exposing a protected
    place (a home folder on `sys.path` would expose everything in it)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(sys.executable), *(search_path or sys.path), *loaded_packages()}
    guarded = protected()
    roots = set()
    for candidate in candidates:
        if not candidate:
            continue
        path = real(candidate)
        if not exposes(path, guarded) and os.path.exists(path):
            roots.add(path)
    return sorted(roots)


def loaded_packages() -> set[str]:
    """The folders of the top-level packages already imported that no import-path entry names:
    an editable install (this project's own `plugins/`, `tools/`) is found through an import
    hook, not `sys.path`, and a tool that imports a module of its package lazily (in `setup`,
    after the sandbox is on) must still be able to read it. Only each package's own folder is
    added, never its parent (which may be a home folder)."""
    found: set[str] = set()
    for name, module in list(sys.modules.items()):
        if "." in name or module is None:
            continue
        locations = getattr(module, "__path__", None) or []
        if not locations and getattr(module, "__file__", None):
            continue  # a single-file module is read at import, before any sandbox applies
        found.update(str(location) for location in locations if isinstance(location, str))
    return found


def default_read(search_path: Iterable[str] | None = None) -> list[str]:
    """Every path a worker may read without declaring it."""
    fixed = [p for p in (*SYSTEM_READ, *ETC_READ, *DEVICES_READ, *KERNEL_READ)
             if os.path.lexists(p)]
    return fixed + python_roots(search_path)


def resolve(paths: Iterable[str]) -> list[str]:
    """Declared paths as real absolute paths (`~` expanded, symlinks followed)."""
    return [real(p) for p in paths]
