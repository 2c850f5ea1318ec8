"""One error root: every error the project raises on purpose is a `MossAgentError`.

Checked on the code itself: every module of `agent`, `tools` and `plugins` is imported and
each exception class defined there must derive from the root (or be one of the few internal
signals listed below, which never leave their package); each errors module draws its tree in
its docstring and its package exports what it defines.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import agent
import plugins
import tools
from tools.errors import MossAgentError, MossAgentWarning

# Exceptions used as signals inside one package, caught there, never shown to anyone.
INTERNAL_SIGNALS = {
    "tools.sandbox.protocol.Timeout",  # a worker's socket read timed out (the pool kills it)
    "tools.sandbox.protocol.Closed",  # the peer closed the socket
    "tools.sandbox.protocol.TooLarge",  # a message over the frame limit
    "tools.sandbox.worker.OutputExceeded",  # a BaseException, so a tool cannot swallow it
    "agent.backends.http_stream.DeadlinePassed",  # the caller's deadline: an end, not an error
}

# Each errors module, and the package that must export what it defines.
ERRORS_MODULES = {
    "tools.errors": "tools",
    "agent.errors": "agent",
    "plugins.errors": "plugins",
    "plugins.search.errors": "plugins.search",
}


def project_modules() -> list[str]:
    names = []
    for package in (agent, tools, plugins):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not info.name.endswith("__main__"):
                names.append(info.name)
    return names


def defined_classes(module_name: str) -> list[type]:
    module = importlib.import_module(module_name)
    return [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module_name]


def test_every_exception_the_project_defines_derives_from_the_one_root() -> None:
    stray = []
    for name in project_modules():
        for cls in defined_classes(name):
            qualified = f"{name}.{cls.__qualname__}"
            if issubclass(cls, Warning):
                if not issubclass(cls, MossAgentWarning):
                    stray.append(qualified)
            elif issubclass(cls, BaseException) and not issubclass(cls, MossAgentError):
                if qualified not in INTERNAL_SIGNALS and not cls.__name__.startswith("_"):
                    stray.append(qualified)
    assert not stray, f"errors outside the MossAgentError tree: {stray}"


@pytest.mark.parametrize("module_name", sorted(ERRORS_MODULES))
def test_each_errors_module_draws_its_tree_and_its_package_exports_it(module_name: str) -> None:
    module = importlib.import_module(module_name)
    package = importlib.import_module(ERRORS_MODULES[module_name])
    errors = [c for c in defined_classes(module_name)
              if issubclass(c, (BaseException, Warning)) and not c.__name__.startswith("_")]
    assert errors
    doc = module.__doc__ or ""
    assert "MossAgentError" in doc
    for cls in errors:
        assert cls.__name__ in doc, f"{cls.__name__} is missing from {module_name}'s tree"
        assert cls.__name__ in package.__all__, f"{package.__name__} does not export {cls.__name__}"
        assert getattr(package, cls.__name__) is cls


def test_the_root_is_the_same_class_wherever_it_is_imported_from() -> None:
    import agent.errors
    import plugins.errors
    import plugins.search

    assert agent.MossAgentError is agent.errors.MossAgentError is tools.MossAgentError
    assert issubclass(plugins.errors.MathError, ValueError)  # the cores' callers catch ValueError
    for cls in (tools.SandboxError, tools.ToolFailure, agent.errors.StoreError, plugins.MathError,
                plugins.search.SearchError, tools.ParseError):
        assert issubclass(cls, MossAgentError)


def test_the_result_type_is_failure_reason_and_its_old_name_still_imports_with_a_warning() -> None:
    assert tools.ToolResult.failure("refused", "no").error == tools.FailureReason(kind="refused", message="no")
    # In a fresh interpreter: a warning recorded in this process after llama_cpp was imported
    # makes CPython report llama_cpp's never-closed /dev/null files at exit.
    code = (
        "import warnings, tools, tools.result\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        "    from tools import FailureReason\n"
        "    quiet = len(seen)\n"
        "    old = [tools.ToolError, tools.result.ToolError]\n"
        "print(quiet, all(o is FailureReason for o in old),"
        " [(w.category.__name__, 'FailureReason' in str(w.message)) for w in seen])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "0 True [('DeprecationWarning', True), ('DeprecationWarning', True)]", done.stderr
    with pytest.raises(AttributeError):
        tools.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
