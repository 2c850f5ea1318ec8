"""The sandbox: every tool call runs in a confined worker process, never in the agent's.

`SandboxPool(registry, workers=2, limits=Limits())` starts a clean zygote interpreter that
imports the plugins and forks warm workers; each call is bounded by wall time, CPU time,
memory, output size, and (unless the tool declared `network=True`) has no network.
"""

from tools.sandbox.isolation import describe as describe_isolation
from tools.sandbox.limits import Limits
from tools.sandbox.pool import SandboxPool

__all__ = ["Limits", "SandboxPool", "describe_isolation"]
