"""Running a program under a `Confinement` from a command line, for callers that cannot pass
a `preexec_fn` (an asyncio or anyio subprocess, such as the MCP SDK's stdio client).

`command(confinement, argv)` is the command line to start instead of `argv`: a small Python
launcher that confines itself with the sandbox's own `apply`, then starts the program and
stays as its supervisor, so that nothing the program starts outlives it:

- `pidns` (the processes layer): the launcher enters a new pid namespace (in a user namespace
  of its own when not root) and forks its pid 1, a tiny init that applies the policy (pid 1
  mounts a /proc of its own namespace under the mount-namespace fallback), forks the program,
  reaps orphans while it runs, and exits when it exits. The kernel then kills every process
  left in the namespace, daemons and `setsid` included; the launcher's own death (the client
  killing it, or the agent dying: parent-death signals all the way down) ends the namespace
  too.
- `subreaper`: the launcher stays outside the confinement as a child subreaper (orphans come
  back to it) and the program's process applies the policy just before exec; when the
  program exits, or the launcher is told to stop (SIGTERM, SIGINT, SIGHUP), the launcher
  kills its descendants round by round.

Either way the launcher joins the confinement's cgroup first (memory and pids limits for the
whole tree; `Confinement.close()` kills what is left in it), the program runs with the
caller's environment plus `TMPDIR` set to the scratch folder, in the caller's working
directory (or the scratch folder where the sandbox hides it), and a failure to confine is one
line on stderr and exit status 126, never a program running half-confined; a program that
cannot be executed is one line and 127.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from tools.sandbox.confinement import Confinement

BOOTSTRAP = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
    "from tools.sandbox.launcher import main; main(sys.argv[2], sys.argv[3:])"
)
CONFINE_FAILED = 126
EXEC_FAILED = 127
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the `tools` package


def command(confinement: Confinement, argv: list[str], label: str = "the program") -> list[str]:
    """The command line that runs `argv` under `confinement` (see the module docstring).

    Run it in the working directory the program should have. `label` names the program in
    the launcher's error lines (`moss-agent: cannot confine MCP server 'x' (...)`).
    """
    if not argv:
        raise ValueError("no program to start")
    from tools.sandbox import paths

    here = os.getcwd()
    # The launcher imports only `tools` and its dependencies: the caller's working directory
    # (`python -m`, `-c`) is not put on its path, where it would become readable by default.
    search = [_ROOT] + [os.path.abspath(p) for p in sys.path
                        if p and os.path.abspath(p) not in (here, _ROOT)]
    group = confinement.group
    spec = {
        "policy": confinement.policy.model_dump(mode="json"),
        "group": {"mechanism": group.mechanism, "dirs": group.dirs} if group else None,
        "data_dir": str(paths.data_dir()),
        "parent": os.getpid(),
        "label": label,
    }
    return [sys.executable, "-E", "-c", BOOTSTRAP, json.dumps(search), json.dumps(spec), *argv]


class _Stop(BaseException):
    """Raised by the launcher's handler for a stop signal (subreaper mode)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signum)


def _say(text: str) -> None:
    try:
        os.write(2, (text.rstrip("\n") + "\n").encode("utf-8", "replace"))
    except OSError:
        pass


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _detach_stdio(null: int) -> None:
    """The supervisor keeps no copy of the program's stdin and stdout, so the client sees
    end-of-file the moment the program is gone. (`null` was opened before the confinement,
    under which device files may not be opened.)"""
    for fd in (0, 1):
        os.dup2(null, fd)
    os.close(null)


def main(spec_text: str, argv: list[str]) -> NoReturn:
    """The launcher: confine, start `argv`, supervise it; exits with its status."""
    from tools.sandbox import cgroups, isolation, procs
    from tools.sandbox.confinement import Policy

    spec: dict[str, Any] = json.loads(spec_text)
    label = spec.get("label") or "the program"
    environ = dict(os.environ)  # the program's environment, as the caller gave it
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        isolation.set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != spec["parent"]:  # the caller died before the line above
            os._exit(CONFINE_FAILED)
        if not argv:
            raise ValueError("no program to start")
        policy = Policy.model_validate(spec["policy"])
        if spec["group"]:
            dirs = spec["group"]["dirs"]
            group = cgroups.Group(spec["group"]["mechanism"], [os.path.dirname(d) for d in dirs],
                                  os.path.basename(dirs[0]))
            group.join()
        os.environ["MOSS_AGENT_DATA"] = spec["data_dir"]  # protected as the caller sees it
        workdir = os.getcwd()
        pidns = policy.mechanisms.processes == procs.PIDNS
        if pidns:
            _enter_pid_namespace(null)
            _confine(policy, workdir)  # as pid 1: a /proc of its own under the mountns fallback
        else:
            procs.become_reaper()
            for sig in _STOP_SIGNALS:
                signal.signal(sig, _raise_stop)
    except (OSError, ValueError) as exc:
        _say(f"moss-agent: cannot confine {label} ({exc})")
        os._exit(CONFINE_FAILED)
    if policy.scratch:
        environ["TMPDIR"] = policy.scratch
    server = os.fork()
    if server == 0:
        _exec(argv, environ, label, None if pidns else (policy, workdir))
    _detach_stdio(null)
    os._exit(_supervise(server))


def _enter_pid_namespace(null: int) -> None:
    """Fork into a new pid namespace; only its pid 1 returns (the launcher waits for it).

    Under `subreaper` the launcher supervises from outside the confinement instead: there
    a program that could signal its supervisor (same user, no Landlock scoping) could kill it
    and orphan its children, but a pid namespace's init cannot be killed from inside.
    """
    from tools.sandbox import _libc, isolation

    if not _libc.privileged():
        _libc.enter_user_namespace()
    _libc.unshare(_libc.CLONE_NEWPID)
    alive_r, alive_w = os.pipe()
    init = os.fork()
    if init:
        os.close(alive_r)
        _outer(init, null)
    os.close(alive_w)
    isolation.set_parent_death_signal(signal.SIGKILL)
    os.set_blocking(alive_r, False)
    try:
        if os.read(alive_r, 1) == b"":  # the launcher died before the line above
            os._exit(CONFINE_FAILED)
    except BlockingIOError:
        pass
    os.close(alive_r)


def _confine(policy: Any, workdir: str) -> None:
    """Apply the policy to this process, then go back to the program's working directory."""
    from tools.sandbox.confinement import apply

    apply(policy)  # its working directory is now the scratch folder
    try:
        os.chdir(workdir)
    except OSError:  # hidden by the mount namespace: stay in the scratch folder
        pass


def _outer(init: int, null: int) -> NoReturn:
    """The launcher under `pidns`: wait for the namespace's init and exit as it did. Its own
    death (SIGTERM from the client, the agent dying) kills the init, and with it the
    namespace, through the init's parent-death signal."""
    _detach_stdio(null)
    while True:
        try:
            _, status = os.waitpid(init, 0)
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
        os._exit(_exit_code(status))


def _exec(argv: list[str], environ: dict[str, str], label: str,
          confine: tuple[Any, str] | None) -> NoReturn:
    """The program's process: default signal dispositions, confined (unless its pid 1 is
    already), then exec."""
    from tools.sandbox import isolation

    try:
        for sig in (*_STOP_SIGNALS, signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)  # Python ignores SIGPIPE, SIGXFSZ; exec keeps that
        isolation.set_parent_death_signal(signal.SIGKILL)
        if confine is not None:
            try:
                _confine(*confine)
            except (OSError, ValueError) as exc:
                _say(f"moss-agent: cannot confine {label} ({exc})")
                os._exit(CONFINE_FAILED)
        os.execvpe(argv[0], argv, environ)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            reason = "command not found"
        elif isinstance(exc, PermissionError):
            reason = "not allowed to execute it (the sandbox lets it run the system's programs, " \
                     "Python and its own command; declare more under files.execute)"
        else:
            reason = exc.strerror or str(exc)
        _say(f"moss-agent: cannot start {label} command {argv[0]!r}: {reason}")
    except BaseException as exc:  # noqa: BLE001 -- never return into the supervisor's code
        _say(f"moss-agent: cannot start {label}: {exc}")
    os._exit(EXEC_FAILED)


def _supervise(server: int) -> int:
    """Reap until the program exits (orphans come here too), then kill what it left behind."""
    from tools.sandbox import procs

    code = 1
    try:
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            if pid == server:
                code = _exit_code(status)
                break
    except _Stop as stop:
        code = 128 + stop.signum
    finally:
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
        try:
            procs.kill_leftovers()
        except OSError as exc:  # no /proc to find them by: say so rather than a traceback
            _say(f"moss-agent: could not look for processes left behind ({exc})")
    return code
