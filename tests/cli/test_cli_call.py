"""`moss-agent call` and `moss-agent tools list`, with a third-party plugin installed.

The demo plugin (demos/plugin_package) is installed with pip into a temporary directory that
is put on PYTHONPATH, rather than into the shared virtualenv, so the test leaves no trace;
importlib.metadata discovers it there exactly as in site-packages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demos" / "plugin_package"

Run = Callable[..., subprocess.CompletedProcess]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(DEMO)],
        capture_output=True, text=True, timeout=180, cwd=build,
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONWARNINGS="ignore"),
    )
    if done.returncode != 0:
        pytest.fail(f"pip could not install the demo plugin:\n{done.stderr}")
    return target


@pytest.fixture(scope="module")
def moss(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(installed), str(REPO)]),
               MOSS_AGENT_DATA=str(tmp_path_factory.mktemp("data")))
    env.pop("MOSS_AGENT_SEARXNG_URL", None)

    def run(*args: str, check_rc: int | None = 0) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "agent", *args],
            capture_output=True, text=True, timeout=120, env=env, cwd=installed,
        )
        if check_rc is not None:
            assert done.returncode == check_rc, done.stderr
        return done

    return run


def test_tools_list_shows_the_third_party_plugin(moss: Run) -> None:
    out = moss("tools", "list").stdout
    row = next(line for line in out.splitlines() if line.startswith("Weekday"))
    assert row.split() == ["Weekday", "Calendar", "Weekday(date)", "moss-plugin-weekday", "yes",
                           "blocked"]
    assert "Network isolation:" in out
    listing = json.loads(moss("tools", "list", "--json").stdout)
    assert listing["network_isolation"] in ("netns", "seccomp", "none")
    weekday = next(t for t in listing["tools"] if t["name"] == "Weekday")
    assert weekday == {"name": "Weekday", "capability": "Calendar", "signature": "Weekday(date)",
                       "source": "moss-plugin-weekday", "enabled": True, "available": True,
                       "unavailable_reason": None, "network": False,
                       "files": {"read": [], "write": [], "execute": []}}
    assert listing["sandbox"]["filesystem"] in ("landlock", "mountns", "none")
    search = next(t for t in listing["tools"] if t["name"] == "Search")
    assert search["available"] is False  # no index and no server in the test's data folder
    assert "moss-agent index add PATH" in search["unavailable_reason"]
    assert "Search is not offered to the model: no search index" in out


def test_call_prints_the_results_entry_as_the_model_sees_it(moss: Run) -> None:
    done = moss("call", 'Weekday("2024-02-29")')
    assert done.stdout == 'Weekday("2024-02-29") => Thursday\n'


def test_call_several_commands_and_failures(moss: Run) -> None:
    done = moss("call", 'Weekday("2024-02-29"), Weekday("soon"), Nope("x")', check_rc=1)
    assert done.stdout == (
        'Weekday("2024-02-29") => Thursday\n'
        "Weekday(\"soon\") => No result. 'soon' is not a date like 2024-02-29\n"
        'Nope("x") => No result. no enabled tool named \'Nope\' (enabled: Calculate, Search, Solve, Weekday)\n'
    )
    assert "invalid_args" in done.stderr and "unknown_tool" in done.stderr
    assert "Traceback" not in done.stderr


def test_call_json(moss: Run) -> None:
    done = moss("call", "--json", "--verbose", 'Weekday("2000-01-01")')
    (row,) = json.loads(done.stdout)
    assert row["command"] == 'Weekday("2000-01-01")'
    assert row["result"] == "Saturday"
    assert row["ok"] is True and row["error"] is None
    assert isinstance(row["elapsed_s"], float) and row["elapsed_s"] >= 0
    assert "network isolation" in done.stderr


def test_call_none_and_nonsense(moss: Run) -> None:
    assert moss("call", "None").stdout == "None\n"
    done = moss("call", "just some words", check_rc=2)
    assert "no tool call found" in done.stderr


def test_the_demo_plugins_own_tests_pass(installed: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(installed), str(REPO)]))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(DEMO / "tests")],
        capture_output=True, text=True, timeout=120, env=env, cwd=DEMO,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_tools_that_import_their_modules_lazily_work_from_the_installed_package(tmp_path: Path) -> None:
    """As a user runs it: the project installed (editable: found through an import hook, not
    sys.path), no PYTHONPATH, started outside the checkout. Solve and Calculate's units load
    modules in the worker's setup, after the filesystem sandbox is on; they must be readable."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MOSS_AGENT_DATA"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "agent", "call", 'Solve("x+y=3;x-y=1"), Calculate("3 km to m")'],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert done.stdout == 'Solve("x+y=3;x-y=1") =>\nx = 2\ny = 1\nCalculate("3 km to m") => 3000 m\n', done.stderr
