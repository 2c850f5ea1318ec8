"""tools.testing: the helpers a plugin author's tests use, run through the real sandbox."""

from __future__ import annotations

import os

import pytest

from tools import ErrorKind, Limits
from tools.testing import SandboxRunner, moss_limits, moss_sandbox, run_command  # noqa: F401
from tests.helpers import sandbox_tools


@pytest.fixture(scope="session")
def moss_tools() -> list:
    return sandbox_tools.ALL


def test_fixture_runs_command_text_as_the_runtime_does(moss_sandbox: SandboxRunner) -> None:
    run = moss_sandbox.run('Echo("ab", "2"), Count()')
    assert run.text == 'Echo("ab", "2") => abab\nCount() =>\ncalls = 1\nsetups = 1'
    assert run.ok and [c.tool for c in run.calls] == ["Echo", "Count"]


def test_fixture_calls_run_outside_the_test_process(moss_sandbox: SandboxRunner) -> None:
    assert moss_sandbox.call("Pid").items[0] != str(os.getpid())
    failed = moss_sandbox.run('Raise()')
    assert failed.text == "Raise() => No result. the tool failed on this input"
    assert failed.result.error is not None and failed.result.error.kind is ErrorKind.EXCEPTION


def test_run_command_with_its_own_pool() -> None:
    run = run_command('Sleep("5")', tools=sandbox_tools.ALL, limits=Limits(wall_s=0.3))
    assert run.text == 'Sleep("5") => No result. the call took too long and was stopped'
    assert run.result.error is not None and run.result.error.kind is ErrorKind.TIMEOUT
