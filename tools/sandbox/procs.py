"""Every process a call starts dies with the call: a pid namespace, else a child subreaper.

- `pidns`: the zygote forks each worker into a new pid namespace (unshare(CLONE_NEWPID) just
  before the fork, setns back just after), so the worker is that namespace's pid 1. Whatever
  a call starts, however it daemonizes (double fork, setsid), stays inside: after the call
  the worker kills every other process there with one kill(-1, SIGKILL), and when the pool
  kills the worker (wall time), the kernel kills the whole namespace with it. Processes
  outside are not even visible. Needs CAP_SYS_ADMIN: root, or a user namespace, which the
  zygote enters when it is not root.
- `subreaper`: PR_SET_CHILD_SUBREAPER on the worker (and on the zygote), so an orphan is
  re-parented to the worker rather than to init; after a call the worker kills its children
  round by round until none is left, and the zygote kills what a killed worker left behind.

Pid 1 of a namespace ignores signals it has no handler for, including the SIGXCPU of
RLIMIT_CPU; so a pid-1 worker gets libc's `_exit` itself as its SIGXCPU handler, which ends
it at once, in C code too, with exit status `CPU_EXIT_CODE`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
from collections.abc import Iterable

from tools.sandbox import _libc

PIDNS = "pidns"
SUBREAPER = "subreaper"
MECHANISMS = (PIDNS, SUBREAPER)
DESCRIPTIONS = {
    PIDNS: "pid namespace per worker: everything a call starts is killed after it, and with "
    "the worker",
    SUBREAPER: "child subreaper: orphans of a call come back to its worker, which kills them "
    "after the call (no pid namespace here)",
}
CPU_EXIT_CODE = int(signal.SIGXCPU)


class Forker:
    """How the zygote forks workers: into a new pid namespace each, or plainly.

    Root unshares a pid namespace for its next child and setns()es back right after the fork.
    A zygote in a user namespace of its own may unshare but not go back (its original pid
    namespace belongs to the parent user namespace), so it forks a short-lived intermediate
    that unshares, forks the worker and exits; the worker, re-parented to the zygote (a child
    subreaper), waits until the zygote has reaped the intermediate before anything else, so
    its parent-death signal is tied to the zygote.
    """

    def __init__(self, mechanism: str, method: str | None = None) -> None:
        self.mechanism = mechanism
        self.method = method or (_pidns_method() if mechanism == PIDNS else "plain")
        self._own_ns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC) \
            if self.method == "setns" else None

    def fork(self) -> int:
        """os.fork(), the child landing in a fresh pid namespace under `pidns`."""
        if self.method == "intermediate":
            return self._fork_through_intermediate()
        if self._own_ns is None:
            return os.fork()
        _libc.unshare(_libc.CLONE_NEWPID)
        pid = -1
        try:
            pid = os.fork()
        finally:
            if pid != 0:  # the zygote: its later children go back to its own namespace
                _libc.setns(self._own_ns, _libc.CLONE_NEWPID)
        if pid == 0:
            self.close()
        return pid

    def _fork_through_intermediate(self) -> int:
        report_r, report_w = os.pipe()
        gone_r, gone_w = os.pipe()  # EOF for the worker once the intermediate is reaped
        middle = os.fork()
        if middle == 0:
            os.close(report_r)
            os.close(gone_w)
            code = 1
            try:
                _libc.unshare(_libc.CLONE_NEWPID)
                pid = os.fork()
                if pid == 0:  # the worker: wait until it is the zygote's child
                    os.close(report_w)
                    os.read(gone_r, 1)
                    os.close(gone_r)
                    return 0
                os.write(report_w, pid.to_bytes(8, "little"))
                code = 0
            finally:
                if os.getpid() != 1:
                    os._exit(code)
        os.close(report_w)
        os.close(gone_r)
        data = os.read(report_r, 8)
        os.close(report_r)
        try:
            os.waitpid(middle, 0)  # after this the worker is re-parented to us
        except ChildProcessError:
            pass
        os.close(gone_w)  # now its parent-death signal will be about us
        if len(data) != 8:
            raise OSError(errno.ECHILD, "could not start a worker in a new pid namespace")
        return int.from_bytes(data, "little")

    def close(self) -> None:
        if self._own_ns is not None:
            os.close(self._own_ns)
            self._own_ns = None


def _pidns_method() -> str:
    """`setns` when this process may return to its pid namespace, else `intermediate`."""

    def check() -> bool:
        own = os.open("/proc/self/ns/pid", os.O_RDONLY)
        _libc.unshare(_libc.CLONE_NEWPID)
        _libc.setns(own, _libc.CLONE_NEWPID)
        return True

    return "setns" if _libc.works_in_child(check) else "intermediate"


def probe() -> str:
    """`pidns` when this process can fork a child into a new pid namespace, else `subreaper`.

    Call single-threaded (the zygote, at start); it forks a few times to find out.
    """
    if not _libc.LINUX or not hasattr(os, "fork"):
        return SUBREAPER
    try:
        forker = Forker(PIDNS)
        pid = forker.fork()
    except OSError:
        return SUBREAPER
    if pid == 0:
        os._exit(0 if os.getpid() == 1 else 1)
    forker.close()
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # re-parented to an ancestor that is a subreaper
        return SUBREAPER
    return PIDNS if os.waitstatus_to_exitcode(status) == 0 else SUBREAPER


def become_reaper() -> None:
    """Adopt orphaned descendants (PR_SET_CHILD_SUBREAPER); a no-op outside Linux."""
    if _libc.LINUX:
        _libc.prctl(_libc.PR_SET_CHILD_SUBREAPER, 1)


def exit_on_cpu_limit() -> None:
    """For a pid-1 worker: SIGXCPU runs libc's _exit(SIGXCPU) (pid 1 would ignore it)."""
    if os.getpid() != 1:
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)
        return

    class SigAction(ctypes.Structure):
        _fields_ = [("handler", ctypes.c_void_p), ("mask", ctypes.c_ulong * 16),
                    ("flags", ctypes.c_int), ("restorer", ctypes.c_void_p)]

    libc = _libc.libc()
    action = SigAction()
    action.handler = ctypes.cast(libc._exit, ctypes.c_void_p).value
    _libc.check(libc.sigaction(int(signal.SIGXCPU), ctypes.byref(action), None), "sigaction")


def kill_leftovers() -> int:
    """Kill and reap every process the last call left behind; return how many there were.

    The common case, a call that started nothing, costs one waitpid().
    """
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return 0
    if os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)  # pid 1: every other process of this namespace
        except ProcessLookupError:
            pass
        return 1 + _reap_all()
    killed = 0
    for _ in range(10_000):  # subreaper: each round kills the children; theirs come back
        children = _children()
        if not children:
            break
        kill_all(children)
        killed += len(children)
        killed += _reap_all(block=False)
    return killed + _reap_all()


def _reap_all(block: bool = True) -> int:
    reaped = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return reaped
        except InterruptedError:
            continue
        if pid == 0:
            return reaped
        reaped += 1


def _children() -> list[int]:
    """Pids of this process's live children (CONFIG_PROC_CHILDREN, else a /proc scan)."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        pass
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                found.append(int(entry))
    return found


def kill_children_except(keep: set[int]) -> None:
    """For the zygote: kill its children that are not workers (orphans of a killed worker)."""
    kill_all(pid for pid in _children() if pid not in keep)


def kill_all(pids: Iterable[int]) -> None:
    """SIGKILL each of `pids`, ignoring those already gone."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
