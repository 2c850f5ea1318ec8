"""Apply the sandbox's layers to one process: the worker's path, and the public `confine()`.

`apply(policy)` runs in the process to confine, single-threaded, in this order: rlimits; the
network namespace; the mount namespace (fallback filesystem layer); the scratch folder as
working directory and TMPDIR; Landlock; capabilities dropped; the seccomp filter last (it
refuses the mount and namespace calls the earlier steps make). Any failure raises OSError, so
the caller fails closed instead of running a tool half-confined.

`confine(...)` is the same for a process you start yourself, such as a long-lived MCP server:

    hook = confine(Files(read=[server_dir], execute=[node_dir]), network=False)
    proc = subprocess.Popen(argv, preexec_fn=hook, start_new_session=True)
    ...
    hook.close()  # kills what is left of it (its cgroup), removes its scratch folder

or, where no `preexec_fn` can be passed (an asyncio subprocess, the MCP SDK), start
`hook.command(argv)` instead of `argv`: a launcher that confines itself, runs the program and
keeps everything it starts inside a pid namespace (or under a subreaper) - see `launcher`.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

from pydantic import BaseModel, ConfigDict

from tools.errors import SandboxError
from tools.sandbox import cgroups, isolation, landlock, layers, mountns, paths, syscalls
from tools.sandbox.limits import Limits
from tools.tool import Files


class Policy(BaseModel):
    """Everything `apply` needs, JSON-serialisable so the pool can send it to the zygote."""

    model_config = ConfigDict(frozen=True)

    mechanisms: layers.Mechanisms
    network: bool = False
    files: Files = Files()
    execute_defaults: bool = False  # may run the system's programs and Python (MCP servers)
    scratch: str | None = None
    memory_bytes: int = Limits().memory_bytes
    address_space: bool = True  # also RLIMIT_AS (per process), not only the cgroup's limit
    processes: int = Limits().processes
    scratch_bytes: int = Limits().scratch_bytes


def _lower(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard == resource.RLIM_INFINITY or hard > value:
        resource.setrlimit(which, (value, value))


def _own_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return count


def apply(policy: Policy) -> None:
    """Confine this process (and all it will start) by `policy`; OSError if a layer fails."""
    m = policy.mechanisms
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if policy.address_space:
        _lower(resource.RLIMIT_AS, policy.memory_bytes)
    _lower(resource.RLIMIT_FSIZE, policy.scratch_bytes)
    if m.limits == cgroups.RLIMIT and os.getuid() != 0:
        _lower(resource.RLIMIT_NPROC, _own_process_count() + policy.processes)
    read = paths.default_read() + paths.resolve(policy.files.read)
    write = paths.resolve(policy.files.write)
    execute = paths.resolve(policy.files.execute)
    if policy.execute_defaults:
        execute += [p for p in paths.SYSTEM_READ if os.path.exists(p)] + paths.python_roots()
    scratch = policy.scratch
    if not policy.network and m.network == isolation.NETNS:
        isolation.enter_network_namespace()
    if m.filesystem == layers.MOUNTNS:  # after: it may hide /proc, which unshare reads
        if not scratch:
            raise OSError(errno.EINVAL, "the mount-namespace layer needs a scratch folder")
        mountns.apply(read + execute, write, scratch, policy.scratch_bytes)
    if scratch:
        os.chdir(scratch)
        os.environ["TMPDIR"] = scratch
        tempfile.tempdir = scratch
    if m.filesystem == layers.LANDLOCK:
        rules = [(p, landlock.READ) for p in read]
        writable = [*write, scratch] if scratch else write
        rules += [(p, landlock.READ | landlock.WRITE) for p in writable]
        rules += [(p, landlock.READ | landlock.EXECUTE) for p in execute]
        rules += [(p, landlock.READ_FILE | landlock.WRITE_FILE) for p in paths.DEVICES_WRITE]
        landlock.restrict(rules, m.landlock_abi or None)
    deny_sockets = not policy.network and m.network == isolation.SECCOMP
    if m.syscalls == layers.SECCOMP:
        syscalls.drop_capabilities()
        syscalls.install(network=policy.network, deny_sockets=deny_sockets)
    elif deny_sockets:
        isolation.install_socket_filter()


class Confinement:
    """A callable that confines the process it runs in (a `preexec_fn`), and its clean-up.

    Made in the parent: it finds the mechanisms (in a short child interpreter, so a parent
    with threads is never forked), makes a scratch folder and, where cgroups serve, a group
    with the memory and process limits. Calling it in the child joins that group, sets the
    parent-death signal and applies the policy. `close()` kills whatever is left in the group
    and removes it and the scratch folder.
    """

    def __init__(self, policy: Policy, group: cgroups.Group | None) -> None:
        self.policy = policy
        self.group = group

    @property
    def mechanisms(self) -> layers.Mechanisms:
        return self.policy.mechanisms

    def __call__(self) -> None:
        isolation.set_parent_death_signal(signal.SIGKILL)
        if self.group is not None:
            self.group.join()
        apply(self.policy)

    def command(self, argv: list[str], label: str = "the program") -> list[str]:
        """The command line that starts `argv` under this confinement, for a caller that
        cannot pass a `preexec_fn` (see `tools.sandbox.launcher`); `label` names the program
        in the launcher's error lines."""
        from tools.sandbox import launcher

        return launcher.command(self, argv, label)

    def close(self) -> None:
        """Kill what is left in the group, remove the group and the scratch folder."""
        if self.group is not None:
            self.group.kill()
            self.group.remove()
            self.group = None
        if self.policy.scratch:
            shutil.rmtree(self.policy.scratch, ignore_errors=True)


_PROBED: dict[str, layers.Mechanisms] = {}
_PROBE_LOCK = threading.Lock()


def probe_in_child(prefer: dict[str, str] | None = None) -> layers.Mechanisms:
    """What a pool's zygote would find (`layers.probe_as_zygote`), found in a fresh
    interpreter: safe from a process that has threads, and it leaves this one unchanged.

    Found once per process for the same `prefer` and `MOSS_SANDBOX_*` settings (a quarter
    of a second each time otherwise, paid by every MCP server start)."""
    settings = {k: v for k, v in os.environ.items() if k.startswith("MOSS_SANDBOX_")}
    key = json.dumps([prefer or {}, settings], sort_keys=True)
    with _PROBE_LOCK:
        if key not in _PROBED:
            _PROBED[key] = _probe_in_child(prefer)
        return _PROBED[key]


def _probe_in_child(prefer: dict[str, str] | None) -> layers.Mechanisms:
    code = ("import json, sys; from tools.sandbox import layers; "
            "print(layers.probe_as_zygote(json.loads(sys.argv[1])).model_dump_json())")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(prefer or {})],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    if done.returncode != 0:
        raise SandboxError(f"could not find the sandbox mechanisms: {done.stderr.strip()[-300:]}")
    return layers.Mechanisms.model_validate_json(done.stdout)


_SCRATCH_PREFIX = "moss-confined-"


def _sweep_scratch() -> None:
    """Remove the scratch folders of confinements whose agent is gone (killed before it could
    call `close()`); their cgroups are swept by the next pool (`cgroups.sweep`)."""
    root = tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        owner = name[len(_SCRATCH_PREFIX):].split("-")[0] if name.startswith(_SCRATCH_PREFIX) else ""
        if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


def confine(
    files: Files = Files(),
    *,
    network: bool = False,
    limits: Limits = Limits(),
    prefer: dict[str, str] | None = None,
    unsafe_no_fs_isolation: bool = False,
    address_space: bool | None = True,
) -> Confinement:
    """The limits of a sandbox worker, for a process you start: `preexec_fn=confine(...)`.

    The process may read the system, Python and `files.read`, write its scratch folder
    (its working directory and TMPDIR) and `files.write`, execute the system's programs,
    Python and `files.execute`; it has no network unless `network`; memory, process count
    and syscalls are bounded as for workers (see `Confinement.mechanisms`). Raises
    SandboxError when no filesystem isolation exists and `unsafe_no_fs_isolation` is off.
    Kill the process group (start_new_session=True) or call `close()` to end it with all it
    started. `address_space=None` caps the address space (RLIMIT_AS) only where no cgroup
    bounds the memory: runtimes that reserve large address spaces up front (V8, the JVM, Go)
    then run under the cgroup's limit on what they really use.
    """
    mechanisms = probe_in_child(prefer)
    if mechanisms.filesystem == layers.NONE and not layers.unsafe_allowed(unsafe_no_fs_isolation):
        raise SandboxError(layers.refusal())
    _sweep_scratch()
    scratch = tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-")
    group = None
    if mechanisms.limits != cgroups.RLIMIT:
        group = cgroups.Group(mechanisms.limits, list(mechanisms.cgroup_parents),
                              f"moss-{os.getpid()}-confined-{os.path.basename(scratch)[-8:]}")
        try:
            group.create(limits.memory_bytes, limits.processes)
        except OSError as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            raise SandboxError(f"could not make a cgroup for the limits ({exc})") from None
    if address_space is None:
        address_space = group is None
    policy = Policy(mechanisms=mechanisms, network=network, files=files, execute_defaults=True,
                    scratch=scratch, memory_bytes=limits.memory_bytes,
                    address_space=address_space, processes=limits.processes,
                    scratch_bytes=limits.scratch_bytes)
    return Confinement(policy, group)
