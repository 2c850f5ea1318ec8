"""Starting a stdio MCP server under the sandbox: what it may touch, and its command line.

A stdio MCP server is a long-lived program the user named (python, node, a binary), not a tool
module a sandbox worker can import, so it gets the sandbox's layers as a process of its own:
`tools.sandbox.confine` makes the confinement (scratch folder, cgroup) and its launcher starts
the server inside it (filesystem, network, pid namespace or subreaper, memory and process
limits, seccomp). Nothing here re-implements a layer; this module only decides what a server
may use beyond the defaults every confined process gets (the system's programs and libraries,
Python, and a private scratch folder that is its `TMPDIR`, its only writable place):

- its own files, found from its configuration entry: the command (found on `PATH`), the
  folder holding it and, when that folder is a `bin`, the installation above it (a
  virtualenv, `/opt/node`), so the interpreter finds its libraries; every argument that names
  an existing file or folder (a script and the folder holding it), and the entry's `cwd`.
  These are granted read (the command's, also execute) and never anything that would expose
  `/`, the user's home folder, the moss-agent data folder or a folder holding one of them:
  a script directly in the home folder is readable, the home folder is not;
- exactly what the entry declares: `"files": {"read": [...], "write": [...], "execute": [...]}`.

Memory: where the kernel offers a memory cgroup, the server and everything it starts share
`memory_mb` of real memory (the kernel kills the server beyond it); elsewhere each process's
address space is capped (RLIMIT_AS), as for sandbox workers.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping

from tools.mcp.config import StdioServer
from tools.sandbox import Confinement, Limits, confine, paths
from tools.tool import Files


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _outermost(found: Iterable[str]) -> list[str]:
    """The paths not inside another of them (a script inside a granted folder adds nothing)."""
    found = _unique(found)
    return [p for p in found if not any(q != p and paths.contains(q, p) for q in found)]


def _argument_paths(args: Iterable[str], workdir: str) -> list[str]:
    """The existing files and folders the arguments name (`--opt=PATH` included), real."""
    found = []
    for arg in args:
        value = arg.split("=", 1)[1] if arg.startswith("-") and "=" in arg else arg
        if not value or (value.startswith("-") and value == arg):
            continue
        path = os.path.join(workdir, os.path.expanduser(value))
        try:
            if os.path.exists(path):
                found.append(paths.real(path))
        except (OSError, ValueError):  # a NUL or an over-long name is not a path
            continue
    return found


def _command_paths(command: str, search_path: str | None) -> list[str]:
    """The command's file, its folder and, for a `bin` folder, the installation above it;
    for the path found on PATH and for the file its symlinks lead to."""
    found = shutil.which(command, path=search_path)
    if found is None:
        return []
    grants = []
    for path in _unique([os.path.abspath(found), paths.real(found)]):
        folder = os.path.dirname(path)
        grants += [path, folder]
        if os.path.basename(folder) in ("bin", "sbin"):
            grants.append(os.path.dirname(folder))
    return grants


def server_files(entry: StdioServer, environ: Mapping[str, str] | None = None) -> Files:
    """Everything `entry`'s server may touch beyond the sandbox's defaults (module docstring)."""
    environ = os.environ if environ is None else environ
    workdir = paths.real(entry.cwd) if entry.cwd else os.getcwd()
    guarded = paths.protected(environ)

    def safe(found: Iterable[str]) -> list[str]:
        return _outermost(p for p in found if not paths.exposes(p, guarded))

    execute = safe(_command_paths(entry.command, entry.env.get("PATH", environ.get("PATH"))))
    named = _argument_paths(entry.args, workdir)
    read = safe([*named, *(os.path.dirname(p) for p in named if os.path.isfile(p))])
    if entry.cwd:
        read = safe([*read, workdir])
    declared = entry.files
    return Files(read=_unique([*read, *declared.read]), write=declared.write,
                 execute=_unique([*execute, *declared.execute]))


def confined_command(name: str, entry: StdioServer, limits: Limits) -> tuple[Confinement, list[str]]:
    """The server's confinement and the command line that starts it inside; close the
    confinement (it kills what is left and removes the scratch folder and cgroup) once the
    server has stopped. Raises SandboxError when the sandbox cannot confine it here."""
    hook = confine(server_files(entry), network=entry.network, limits=limits, address_space=None)
    return hook, hook.command([entry.command, *entry.args], label=f"MCP server {name!r}")
