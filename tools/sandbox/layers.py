"""Which kernel mechanism carries each sandbox layer here, found once by trying them.

Five layers, each with a fallback order (strongest first) and a name that `moss-agent tools
list` and `SandboxPool.mechanisms` show:

| layer      | order                          | without any                                  |
|------------|--------------------------------|----------------------------------------------|
| filesystem | landlock, mountns              | refuse to start, unless --unsafe-no-fs-isolation |
| network    | netns, seccomp                 | tools reach the network (warned)             |
| processes  | pidns, subreaper               | (subreaper needs only Linux)                 |
| limits     | cgroup2, cgroup1, rlimit       | (rlimit: per process, not root's fork count) |
| syscalls   | seccomp                        | ptrace, mount, bpf, ... stay callable        |

Each layer can be pinned for testing or by choice with `MOSS_SANDBOX_<LAYER>` (e.g.
`MOSS_SANDBOX_FILESYSTEM=mountns`) or the pool's `prefer` argument; a pinned mechanism that
does not work raises OSError rather than silently weakening.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from tools.sandbox import _libc, cgroups, isolation, landlock, mountns, procs, syscalls

LANDLOCK = "landlock"
MOUNTNS = "mountns"
NONE = "none"
SECCOMP = "seccomp"
ORDER: dict[str, tuple[str, ...]] = {
    "filesystem": (LANDLOCK, MOUNTNS, NONE),
    "network": (isolation.NETNS, isolation.SECCOMP, NONE),
    "processes": procs.MECHANISMS,
    "limits": cgroups.MECHANISMS,
    "syscalls": (SECCOMP, NONE),
}
UNSAFE_ENV = "MOSS_SANDBOX_UNSAFE_NO_FS_ISOLATION"
UNSAFE_FLAG = "--unsafe-no-fs-isolation"

_DESCRIPTIONS = {
    "filesystem": {
        LANDLOCK: "Landlock: read-only system and Python folders, a private scratch folder per "
        "call, declared files; home, data folder and everything else unreadable",
        MOUNTNS: "mount namespace: everything read-only, homes, temporary folders and the data "
        "folder hidden, a private scratch folder per call (no Landlock here)",
        NONE: "NONE: tools can read and change your files (allowed by "
        f"{UNSAFE_FLAG})",
    },
    "network": isolation.DESCRIPTIONS,
    "processes": procs.DESCRIPTIONS,
    "limits": cgroups.DESCRIPTIONS,
    "syscalls": {
        SECCOMP: "seccomp: ptrace, mount, namespaces, kexec, modules, bpf, keyctl, io_uring, "
        "UNIX and raw sockets, ... refused; capabilities dropped",
        NONE: "NONE: no seccomp here; ptrace, mount, bpf and the like are not filtered",
    },
}


class Mechanisms(BaseModel):
    """The mechanism carrying each layer, as found (or pinned) when a pool starts."""

    model_config = ConfigDict(frozen=True)

    filesystem: str
    network: str
    processes: str
    limits: str
    syscalls: str
    landlock_abi: int = 0
    cgroup_parents: tuple[str, ...] = ()

    def describe(self) -> dict[str, str]:
        """Layer -> one line saying what protects it here."""
        lines = {}
        for layer in ORDER:
            name = getattr(self, layer)
            text = _DESCRIPTIONS[layer].get(name, name)
            if layer == "filesystem" and name == LANDLOCK:
                text = text.replace("Landlock:", f"Landlock (ABI {self.landlock_abi}):", 1)
            lines[layer] = text
        return lines

    def public(self) -> dict[str, str]:
        """Layer -> mechanism name, for JSON output."""
        return {layer: getattr(self, layer) for layer in ORDER}


def unsafe_allowed(explicit: bool = False) -> bool:
    """Whether running without filesystem isolation was allowed (argument or environment)."""
    return explicit or os.environ.get(UNSAFE_ENV, "").strip().lower() in ("1", "yes", "true")


#: What to try when the sandbox fails to start for another reason than a refused layer.
START_HINT = (
    "`moss-agent tools list` names the mechanism each sandbox layer finds here, and "
    "MOSS_SANDBOX_<LAYER>=<mechanism> pins another (see the README's Sandbox section); "
    "`--tools ''` runs the model without tools"
)


def refusal() -> str:
    """What to say when no filesystem isolation is available and none was allowed."""
    return (
        "no filesystem isolation (this kernel offers neither Landlock nor mount namespaces, or "
        "MOSS_SANDBOX_FILESYSTEM=none), so tools could read and change your files; pass "
        f"{UNSAFE_FLAG} to moss-agent (or set {UNSAFE_ENV}=1) to run them anyway"
    )


def _preference(layer: str, prefer: Mapping[str, str]) -> str:
    value = prefer.get(layer, "auto")
    if value == "auto":
        value = os.environ.get(f"MOSS_SANDBOX_{layer.upper()}", "").strip() or "auto"
    if value not in ("auto", *ORDER[layer]):
        raise ValueError(
            f"unknown {layer} mechanism {value!r} (from MOSS_SANDBOX_{layer.upper()} or the "
            f"caller); use auto, {', '.join(ORDER[layer])}"
        )
    return value


def _first(layer: str, preference: str, works: Mapping[str, object]) -> str:
    candidates = ORDER[layer] if preference == "auto" else (preference,)
    for name in candidates:
        check = works.get(name)
        if name == NONE or check is None or check():  # type: ignore[operator]
            return name
    if preference != "auto":
        raise OSError(errno.EPERM, f"{layer} mechanism {preference!r} is not available here")
    return ORDER[layer][-1]


def probe_as_zygote(prefer: Mapping[str, str] | None = None, network: str = "auto") -> Mechanisms:
    """What a pool's zygote finds: it first enters a user namespace of its own when it is not
    privileged (so it may give workers pid namespaces), then probes. Changes this process:
    call it in the zygote or in a throwaway child interpreter."""
    if not _libc.privileged():
        try:
            _libc.enter_user_namespace()
        except OSError:
            pass
    procs.become_reaper()  # orphans come back here (and workers forked via an intermediate)
    return probe(prefer, network)


def probe(prefer: Mapping[str, str] | None = None, network: str = "auto") -> Mechanisms:
    """Find the mechanism of every layer (forks a few short-lived children; single-threaded).

    `network` is the older `isolation=` argument (its environment variable is
    MOSS_SANDBOX_ISOLATION); `prefer` pins the other layers.
    """
    prefer = dict(prefer or {})
    choice = {layer: _preference(layer, prefer) for layer in ORDER if layer != "network"}
    abi = landlock.abi_version()
    groups = dict(cgroups.find_all())
    return Mechanisms(
        filesystem=_first("filesystem", choice["filesystem"],
                          {LANDLOCK: lambda: abi >= 1, MOUNTNS: mountns.probe}),
        network=isolation.probe(network),
        processes=_first("processes", choice["processes"],
                         {procs.PIDNS: lambda: procs.probe() == procs.PIDNS,
                          procs.SUBREAPER: lambda: _libc.LINUX}),
        limits=(limits := _first("limits", choice["limits"],
                                 {name: (lambda n=name: n in groups) for name in ORDER["limits"]})),
        syscalls=_first("syscalls", choice["syscalls"], {SECCOMP: syscalls.probe}),
        landlock_abi=abi,
        cgroup_parents=tuple(groups.get(limits, ())),
    )
