"""Calculate and Solve throughput through the warm sandbox pool, and in-process for scale.

    .venv/bin/python bench/calc_solve.py [--rounds 3] [--workers 2]

The workload is the set of distinct commands MOSS-003 actually issued (every Calculate and
Solve call recorded in ../shared/moss-sft-plugin, or MOSS_SFT_DIR), falling back to a small
built-in list when the recordings are absent, plus the calls the fuller calculator added
(gcd, roots, definitions, unit conversions, equations as separate arguments). Prints calls
per second for each tool: one call at a time (`run`, latency-bound) and batched (`run_many`,
both workers busy), plus the pure in-process cores, so the sandbox's share of the cost is
visible. Then what the unit registry costs: loading it (what the first conversion would pay
if the worker's setup did not) and the first conversion in a fresh worker that loaded it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its own name would shadow
# the `plugins` package; drop the folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import subprocess  # noqa: E402

from plugins._calcunits import load_registry  # noqa: E402
from plugins._solvecore import solve_lines  # noqa: E402
from plugins.calculate import calculate_text  # noqa: E402
from tools import Registry, SandboxPool  # noqa: E402

FALLBACK = {
    "Calculate": [("2^10",), ("r=3;pi*r^2",), ("sqrt(216)",), ("7!/(4!*3!)",), ("1500/20",)],
    "Solve": [("x+y=30;x-y=8",), ("x^2=144",), ("3x+7=24",), ("4*pi*r^2=384",), ("x+1.2x=30000",)],
}

ADDED = {
    "Calculate": [("gcd(84, 36)",), ("lcm(4, 6, 10)",), ("root(27, 3)",), ("17 mod 5",),
                  ("round(2.675, 2)",), ("f(x)=2x^2-3; f(7)",), ("y=8-3+2; 5*y",),
                  ("948854.7 nm to km",), ("100 km/h to m/s",), ("37 degC to degF",)],
    "Solve": [("x+y=10", "x-y=2"), ("y=8-3+2; y*w+5=w",), ("f(x)=2x^2-3; f(a)=95",)],
}

_REGISTRY_LOAD = (
    "import time; t = time.perf_counter(); import pint; pint.UnitRegistry(); "
    "print(time.perf_counter() - t)"
)


def registry_costs() -> tuple[float, float]:
    """(seconds to import pint and load its registry in a fresh process, seconds of the first
    conversion through a fresh pool whose worker loaded it in setup)."""
    out = subprocess.run([sys.executable, "-c", _REGISTRY_LOAD], capture_output=True, text=True,
                         check=True)
    load = float(out.stdout.strip())
    with SandboxPool(Registry.discover(), workers=1) as pool:
        pool.warm()
        t0 = time.perf_counter()
        result = pool.run("Calculate", ("948854.7 nm to km",))
        first = time.perf_counter() - t0
    assert result.ok, result.error
    return load, first


def recorded_calls(root: Path) -> dict[str, list[tuple[str, ...]]]:
    """Distinct (tool, args) of the recorded Calculate and Solve calls, via the agent parser."""
    from agent.replay import conversation_files, read_conversation

    found: dict[str, set[tuple[str, ...]]] = {"Calculate": set(), "Solve": set()}
    for path in conversation_files(root):
        try:
            conversation = read_conversation(path)
        except Exception:  # noqa: BLE001 - a bench skips what it cannot read
            continue
        for turn in conversation.turns:
            for call in turn.commands:
                if call.tool in found:
                    found[call.tool].add(tuple(call.args))
    return {tool: sorted(calls) for tool, calls in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the workload")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    default_root = Path(__file__).resolve().parents[2] / "shared" / "moss-sft-plugin"
    root = Path(os.environ.get("MOSS_SFT_DIR", default_root))
    workload = recorded_calls(root) if root.is_dir() else FALLBACK
    for tool, calls in ADDED.items():
        workload[tool] = [*workload[tool], *calls]
    print(f"workload: {', '.join(f'{len(v)} distinct {k} calls' for k, v in workload.items())}"
          f" ({'recorded' if root.is_dir() else 'built-in'}), {options.rounds} rounds")

    with SandboxPool(Registry.discover(), workers=options.workers) as pool:
        pool.warm()
        for tool, calls in workload.items():
            pool.run_many([(tool, args) for args in calls])  # warm caches (sympy's included)
            t0 = time.perf_counter()
            latencies = []
            for _ in range(options.rounds):
                for args in calls:
                    t1 = time.perf_counter()
                    pool.run(tool, args)
                    latencies.append(time.perf_counter() - t1)
            sequential = len(latencies) / (time.perf_counter() - t0)
            batch = [(tool, args) for _ in range(options.rounds) for args in calls]
            t0 = time.perf_counter()
            pool.run_many(batch)
            batched = len(batch) / (time.perf_counter() - t0)
            print(f"{tool:9} pool, one at a time: {sequential:7.0f} calls/s "
                  f"(p50 {statistics.median(latencies) * 1000:.1f} ms, "
                  f"max {max(latencies) * 1000:.0f} ms)")
            print(f"{tool:9} pool, run_many ({options.workers} workers): {batched:7.0f} calls/s")

    load_registry()  # in-process as in a worker after setup: unit hints and conversions warm
    for tool, calls in workload.items():
        func = calculate_text if tool == "Calculate" else solve_lines
        n = 0
        t0 = time.perf_counter()
        for _ in range(options.rounds):
            for args in calls:
                try:
                    func(*args)
                except Exception:  # noqa: BLE001 - refusals count as calls
                    pass
                n += 1
        print(f"{tool:9} in-process core:    {n / (time.perf_counter() - t0):7.0f} calls/s")
    load, first = registry_costs()
    print(f"unit registry: {load * 1000:.0f} ms to import pint and load it (paid in the worker's "
          f"setup); first conversion in a fresh worker: {first * 1000:.1f} ms")
    print(f"machine: {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
