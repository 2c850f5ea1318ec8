"""After each call, the worker puts itself back as the next call must find it.

Processes the call started are killed (procs.kill_leftovers), interval timers and alarms are
disarmed and signal handlers restored (a timer set by one call must not fire in the next, or
kill the idle worker), the working directory is the scratch folder again, and the scratch
folder is emptied. The common case (nothing started, nothing written) costs a few syscalls.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
from collections.abc import Callable
from typing import Any

from tools.sandbox import procs

_TIMERS = (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF)
_SIGNALS = sorted(signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP})

Handlers = dict[int, Any]


def snapshot_handlers() -> Handlers:
    """The worker's own signal handlers, to restore after every call."""
    handlers = {}
    for sig in _SIGNALS:
        try:
            handlers[int(sig)] = signal.getsignal(sig)
        except (OSError, ValueError):
            pass
    return handlers


def after_call(scratch: str | None, handlers: Handlers) -> bool:
    """Reset the worker; False when it could not be (the pool then retires the worker)."""
    ok = True
    try:
        procs.kill_leftovers()
    except OSError:
        ok = False
    for timer in _TIMERS:
        signal.setitimer(timer, 0)
    for sig, handler in handlers.items():
        if handler is not None and signal.getsignal(sig) is not handler:
            try:
                signal.signal(sig, handler)
                if sig == signal.SIGXCPU:  # a pid-1 worker's handler is libc's, not Python's
                    procs.exit_on_cpu_limit()
            except (OSError, ValueError, TypeError):
                ok = False
    if scratch:
        try:
            os.chdir(scratch)
            ok = empty(scratch) and ok
        except OSError:
            ok = False
    return ok


def empty(folder: str) -> bool:
    """Remove everything inside `folder` (not following symlinks); True when it is empty."""
    with os.scandir(folder) as entries:
        names = [entry.path for entry in entries]
    for path in names:
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, onerror=_writable_and_retry)
            else:
                os.unlink(path)
        except OSError:
            pass
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _writable_and_retry(function: Callable[..., Any], path: str, _exc: object) -> None:
    """A call may have removed its own write or search permission from a folder."""
    parent = os.path.dirname(path)
    os.chmod(parent, stat.S_IRWXU)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, stat.S_IRWXU)
    function(path)
