"""The sandbox as an ordinary user: Landlock and user namespaces need no privilege.

The test suite runs as root here and in CI, so this runs a short script as `nobody` (with
setpriv) through an interpreter that user can execute, and checks the mechanisms it finds
and that the main cases still hold: no reading outside, memory, CPU and the process limit
(RLIMIT_NPROC, which does bind a non-root user), and daemons killed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534
SCRIPT = r"""
import json, os, sys
from tools import Registry, SandboxPool, Limits
from tests.helpers import sandbox_tools
from tests.helpers.sandbox_checks import processes_with
out = {"uid": os.getuid()}
with SandboxPool(Registry(tools=sandbox_tools.ALL), workers=1,
                 limits=Limits(wall_s=20, cpu_s=1, processes=32)) as pool:
    out["mechanisms"] = pool.mechanisms.public()
    for name, tool, args in [("echo", "Echo", ("hi",)), ("shadow", "ReadPath", ("/etc/shadow",)),
                             ("alloc", "Alloc", ("10",)), ("forks", "Forks", ("500",)),
                             ("daemon", "Daemon", ()), ("spin", "Spin", ()),
                             ("after", "Echo", ("after",))]:
        r = pool.run(tool, args)
        out[name] = list(r.items) if r.ok else r.error.kind.value
    out["strays"] = sorted(set(processes_with(pool.token)) - {pool.zygote_pid, *pool.worker_pids()})
print(json.dumps(out))
"""


def _interpreter() -> str | None:
    """A python of this version that `nobody` may execute, and start again from itself (the
    pool starts its zygote from sys.executable; a venv's may sit under an unreadable /root)."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    check = ("import subprocess, sys; print(*sys.version_info[:2]); "
             "subprocess.run([sys.executable, '-c', ''], check=True)")
    for candidate in (f"/usr/bin/python{version}", sys.executable):
        real = os.path.realpath(candidate)
        probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                                "--clear-groups", real, "-c", check],
                               capture_output=True, text=True, cwd="/")
        if probe.returncode == 0 and probe.stdout.split() == version.split("."):
            return real
    return None


@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to become nobody (setpriv)")
def test_the_sandbox_holds_for_an_ordinary_user(tmp_path: Path) -> None:
    python = _interpreter()
    if python is None:
        pytest.skip("no python of this version that nobody may execute")
    site = sysconfig.get_paths()["purelib"]
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    done = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
         python, "-c", SCRIPT],
        capture_output=True, text=True, timeout=240, cwd=str(home),
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
             "PYTHONPATH": os.pathsep.join([str(REPO), site]), "MOSS_AGENT_DATA": str(home)},
    )
    if done.returncode != 0 and "Permission denied" in done.stderr and "site-packages" in done.stderr:
        pytest.skip("the test virtualenv is not readable by nobody")
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["uid"] == NOBODY
    assert out["mechanisms"]["filesystem"] in ("landlock", "mountns")
    assert out["mechanisms"]["processes"] == "pidns"  # through a user namespace of its own
    assert out["echo"] == ["hi"] and out["after"] == ["after"]
    assert out["shadow"] == "sandbox"
    assert out["alloc"] == "memory"
    assert out["forks"] == "sandbox"  # RLIMIT_NPROC binds an ordinary user
    assert out["daemon"] == ["daemon started"] and out["strays"] == []
    assert out["spin"] == "cpu"
