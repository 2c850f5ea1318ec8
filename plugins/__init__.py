"""The plugins shipped with moss-agent. Each registers through the `moss_agent.plugins`
entry-point group, exactly as a third-party plugin does, and imports only from `tools`.

Public here: the errors of the Calculate and Solve cores (`plugins.errors`); Search's are
exported by `plugins.search`.
"""

from plugins.errors import MathError, NoSolution, TooLarge

__all__ = ["MathError", "NoSolution", "TooLarge"]
