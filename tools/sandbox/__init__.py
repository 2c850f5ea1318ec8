"""The sandbox: every tool call runs in a confined worker process, never in the agent's.

`SandboxPool(registry, workers=2, limits=Limits())` starts a clean zygote interpreter that
imports the plugins and forks warm workers; each call is bounded by wall time, CPU time,
memory, processes, output size, sees only the files it may (Landlock, else a mount
namespace), has no network unless the tool declared `network=True`, and cannot make the
system calls no plugin needs (seccomp). `layers` says which kernel mechanism carries each
layer here; `confine(...)` applies the same limits to a process you start yourself.
"""

from tools.sandbox.confinement import Confinement, confine
from tools.sandbox.isolation import describe as describe_isolation
from tools.sandbox.layers import Mechanisms
from tools.sandbox.limits import Limits
from tools.sandbox.pool import SandboxPool

__all__ = ["Confinement", "Limits", "Mechanisms", "SandboxPool", "confine", "describe_isolation"]
